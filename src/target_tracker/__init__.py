"""target-tracker: keep a city's public commitments honest, from one TOML file."""

__version__ = "0.1.0"
