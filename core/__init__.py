"""What every curated record shares: editorial state and workflow, published() and the visible() rule
of each dependent record, partial dates, currencies, web addresses, parts rules, base admins.
Imports only Django and libraries."""
