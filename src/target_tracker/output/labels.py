"""Status words as people read them: the status codes (English identifiers,
a contract in JSON and CSV) mapped to their label in the interface language.

Labels carry the gettext context "status", so that 'done' the status and
'done' the column header can be translated differently."""

from __future__ import annotations

from target_tracker.i18n import N_, NP_, pgettext

STATUS_LABELS = {
    "done": NP_("status", "done"),
    "on-track": NP_("status", "on-track"),
    "at-risk": NP_("status", "at-risk"),
    "behind": NP_("status", "behind"),
    "overdue": NP_("status", "overdue"),
    "met": NP_("status", "met"),
    "missed": NP_("status", "missed"),
    "not-started": NP_("status", "not-started"),
    "no-data": NP_("status", "no-data"),
    "paused": NP_("status", "paused"),
    "cancelled": NP_("status", "cancelled"),
}
STALE = NP_("status", "stale")  # the stale flag, shown beside a status


def status_label(code: str | None) -> str:
    """The status word shown to people for ``code`` (unknown codes as they are)."""
    if code is None:
        return ""
    label = STATUS_LABELS.get(code)
    return pgettext("status", label) if label is not None else code


DIRECTION_LABELS = {"improved": N_("improved"), "worsened": N_("worsened"), "changed": N_("changed")}


KIND_LABELS = {
    "quantity": NP_("kind", "quantity"),
    "maintain": NP_("kind", "maintain"),
    "milestones": NP_("kind", "milestones"),
    "rollup": NP_("kind", "rollup"),
}
STATE_LABELS = {
    "active": NP_("state", "active"),
    "paused": NP_("state", "paused"),
    "cancelled": NP_("state", "cancelled"),
}


def kind_label(code: str) -> str:
    """A target's kind (a ledger keyword: quantity, maintain, milestones, rollup), in the interface language."""
    label = KIND_LABELS.get(code)
    return pgettext("kind", label) if label is not None else code


def state_label(code: str) -> str:
    """A target's state (a ledger keyword: active, paused, cancelled), in the interface language."""
    label = STATE_LABELS.get(code)
    return pgettext("state", label) if label is not None else code
