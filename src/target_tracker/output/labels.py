"""Status words as people read them: the status codes (English identifiers,
a contract in JSON and CSV) mapped to their label in the interface language."""

from __future__ import annotations

from target_tracker.i18n import N_, _

STATUS_LABELS = {
    "done": N_("done"),
    "on-track": N_("on-track"),
    "at-risk": N_("at-risk"),
    "behind": N_("behind"),
    "overdue": N_("overdue"),
    "met": N_("met"),
    "missed": N_("missed"),
    "not-started": N_("not-started"),
    "no-data": N_("no-data"),
    "paused": N_("paused"),
    "cancelled": N_("cancelled"),
}
STALE = N_("stale")


def status_label(code: str | None) -> str:
    """The status word shown to people for ``code`` (unknown codes as they are)."""
    if code is None:
        return ""
    label = STATUS_LABELS.get(code)
    return _(label) if label is not None else code


DIRECTION_LABELS = {"improved": N_("improved"), "worsened": N_("worsened"), "changed": N_("changed")}


def direction_label(code: str | None) -> str:
    """How a status changed (a JSON code: improved, worsened, changed), in the interface language."""
    if code is None:
        return ""
    label = DIRECTION_LABELS.get(code)
    return _(label) if label is not None else code
