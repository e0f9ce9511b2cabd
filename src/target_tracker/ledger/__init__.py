"""The ledger: records, loading, checks and the parse cache."""
