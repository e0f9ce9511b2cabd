"""Remember when a month's report was issued: ``[reports.published]``.

``tracker report --month 2021-10 --publish`` adds one line,
``"2021-10" = 2021-11-08``, to the main ledger file, so later reports compare
with what that report showed. Like every edit, the splice only adds bytes and
is verified by parsing before and after.
"""

from __future__ import annotations

import copy
import re
import tomllib
from datetime import date
from typing import Any

from target_tracker.edits.operations import EditError, newline_of
from target_tracker.i18n import _

_HEADER = re.compile(r"^[ \t]*\[[ \t]*reports[ \t]*\.[ \t]*published[ \t]*\][^\n]*\n?", re.M)
_ANY_HEADER = re.compile(r"^[ \t]*\[", re.M)
_ENTRY = re.compile(r"^[ \t]*\"?\d{4}-\d{2}\"?[ \t]*=[^\n]*\n?", re.M)


class AlreadyPublished(EditError):
    """The month already has an issue date; it is kept (the first issue counts)."""


def record_published(text: str, month: str, day: date) -> str:
    """The text with ``"MONTH" = DAY`` in ``[reports.published]``."""
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise EditError(_("cannot record the report's issue date: {error}").format(error=e)) from None
    reports = before.get("reports", {})
    published = reports.get("published", {}) if isinstance(reports, dict) else {}
    if isinstance(published, dict) and month in published:
        message = _("the {month} report is already recorded as issued on {day}; kept")
        raise AlreadyPublished(message.format(month=month, day=published[month]))
    nl = newline_of(text) if text else "\n"
    line = f'"{month}" = {day.isoformat()}{nl}'
    header = _HEADER.search(text)
    if header is None:
        if "reports" in before:
            raise EditError(_("[reports] is written in an unusual way; add \"{month}\" = {day} to "
                              "[reports.published] by hand").format(month=month, day=day.isoformat()))  # fmt: skip
        lead = "" if not text or text.endswith("\n") else nl
        block = f"{nl}[reports.published]  # when each month's report was issued (tracker report --publish){nl}"
        new_text = text + lead + block + line
    else:
        end = header.end()
        following = _ANY_HEADER.search(text, end)
        stop = following.start() if following else len(text)
        entries = list(_ENTRY.finditer(text, end, stop))
        at = entries[-1].end() if entries else end
        prefix = "" if at == 0 or text[at - 1] == "\n" else nl
        new_text = text[:at] + prefix + line + text[at:]
    expected: dict[str, Any] = copy.deepcopy(before)
    expected.setdefault("reports", {}).setdefault("published", {})[month] = day
    try:
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        after = None
    if after != expected:
        raise EditError(_("cannot record the report's issue date safely; the file is unchanged"))
    return new_text
