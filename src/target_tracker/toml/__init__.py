"""The TOML text layer: byte-exact spans in ledger source text."""
