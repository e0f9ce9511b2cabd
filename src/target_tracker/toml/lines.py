"""Kept for imports from before the merge: the scanner lives in :mod:`target_tracker.toml.scan`."""

from target_tracker.toml.scan import LineIndex, parse_key

__all__ = ["LineIndex", "parse_key"]
