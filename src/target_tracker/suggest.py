"""Did-you-mean: the one way a message suggests the name the user probably meant."""

from __future__ import annotations

from collections.abc import Iterable

from target_tracker.i18n import _


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word`` (difflib's ratio >= 0.6), if any."""
    import difflib

    hits = difflib.get_close_matches(word, list(choices), n=1)
    return hits[0] if hits else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` to append to a message, or ``""``."""
    hint = closest(word, choices)
    return _(" (did you mean '{hint}'?)").format(hint=hint) if hint else ""
