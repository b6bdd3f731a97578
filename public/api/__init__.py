"""The read API under /api/: published records as JSON, through the pages' selectors and filters
(README.md, "API")."""
