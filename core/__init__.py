"""What every curated record shares: editorial state and workflow, published(), partial dates, currencies,
web addresses, the rules for parts of records and the base admins. Imports only Django and libraries."""
