"""Ledger text made safe to show to people: on a terminal, in Markdown, in HTML.

The ledger and JSON keep the exact text; only what people read is changed.
"""

from __future__ import annotations

import re

#: Every character some reader takes as a line break (str.splitlines' set), CRLF as one.
_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: C0 controls, DEL and C1 controls: a terminal obeys them (ESC recolours,
#: CR overwrites the line), XML forbids most of them.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
LINE_BREAK_MARK = "⏎"


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␛ for ESC, ␇ for BEL
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"  # C1 controls have no pictures


def for_people(text: str, *, one_line: bool = True) -> str:
    """``text`` with every control character shown as a visible sign (␛, ␇,
    ␡, ``\\x9b``) instead of acting on the terminal or breaking a document.
    ``one_line``: line breaks become ⏎ (a table cell, a heading); otherwise
    any line break becomes a plain newline."""
    if text.isprintable():  # the common case, in C
        return text
    if one_line:
        return _CONTROLS.sub(_visible, _BREAKS.sub(LINE_BREAK_MARK, text))
    return _CONTROLS_BUT_NEWLINE.sub(_visible, _BREAKS.sub("\n", text))
