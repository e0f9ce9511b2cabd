"""Edits to the ledger: operations as values and the one write transaction."""
