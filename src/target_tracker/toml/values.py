"""The one function that turns a value into TOML source text.

Scalars are rendered by tomlkit's item rendering, so escaping follows the
TOML spec by construction (control characters and DEL as ``\\uXXXX``,
quotes and backslashes escaped). Inline tables and arrays use the project's
own layout: ``{ a = 1, b = "x" }`` or, beside neighbours written so,
``{a = 1, b = "x"}``. tomlkit is never given a whole file: see docs/editing.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from target_tracker.i18n import _

#: TOML integers are 64-bit signed; larger ones must be rejected (TOML 1.0, "Integer").
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)


class RenderError(ValueError):
    """A value that TOML cannot hold (a lone surrogate, an integer beyond 64 bits, NaN...)."""


def render(value: Any, padded: bool = True) -> str:
    """``value`` as TOML source text: str, bool, int, float, date, dict (inline
    table, ``padded`` or not) or list (one-line array)."""
    import tomlkit  # 14 ms: only edits render values

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if _has_surrogate(value):
            raise RenderError(_("text with a lone surrogate (bytes that are not UTF-8) cannot be written"))
        return tomlkit.item(value).as_string()
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise RenderError(_("the integer {value} is beyond TOML's 64-bit range").format(value=value))
        return tomlkit.item(value).as_string()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RenderError(_("{value} is not a finite number").format(value=value))
        return tomlkit.item(value).as_string()
    if isinstance(value, date | datetime):
        return tomlkit.item(value).as_string()
    if isinstance(value, Mapping):
        body = ", ".join(f"{render_key(k)} = {render(v, padded)}" for k, v in value.items())
        if not body:
            return "{}"
        return f"{{ {body} }}" if padded else f"{{{body}}}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(render(v, padded) for v in value) + "]"
    raise RenderError(_("cannot write a {type} as TOML").format(type=type(value).__name__))


def render_key(key: str) -> str:
    """A key: bare when it can be, else a quoted string."""
    if _BARE_KEY.fullmatch(key):
        return key
    return render(key)


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
