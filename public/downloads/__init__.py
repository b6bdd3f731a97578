"""Public dataset downloads: the tables (CSV and JSON of published records), their views and column docs.
Part of the public layer."""
