"""The three-way merge of ledger data (parsed TOML), as the merge driver promises it.

This is the reference the text merge is verified against: the merged text
must parse to exactly :func:`merge_data` of the three versions. At each
conflict the data takes one side (``prefer``), so a text with conflict
markers is verified too: keeping the ours side of every conflict must give
``merge_data(..., prefer="ours")``, keeping the theirs side ``prefer="theirs"``.

Rules, target by target against the base: a change on one side is taken;
the same change on both sides is taken once; different changes to the same
field are a conflict. Figures (observations) are matched by date and
stages by position, so figures on different dates and stages completed on
one side merge; the same figure added on both sides, one with a note or
source the other lacks, is kept once with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Side = Literal["ours", "theirs"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
CONFLICT: Any = object()


def pick(b: Any, o: Any, t: Any) -> Any:
    """The merged value, or CONFLICT when both sides changed it differently."""
    if t == b:
        return o
    if o in (b, t):
        return t
    return CONFLICT


class DataMerge:
    """One merge of three data versions, counting conflicts."""

    def __init__(self, prefer: Side) -> None:
        self.prefer = prefer
        self.conflicts = 0

    def conflict(self, o: Any, t: Any) -> Any:
        self.conflicts += 1
        return o if self.prefer == "ours" else t

    def keywise(
        self, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any], deeper: Callable[[str, Any, Any, Any], Any]
    ) -> dict[str, Any]:
        """Merge two tables key by key; ``deeper(key, b, o, t)`` settles a key
        changed on both sides (a finer merge, or a conflict)."""
        out: dict[str, Any] = {}
        for key in _keys(b, o, t):
            bv, ov, tv = b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING)
            r = pick(bv, ov, tv)
            if r is CONFLICT:
                r = deeper(key, bv, ov, tv)
            if r is not MISSING:
                out[key] = r
        return out

    def ledger(self, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in _keys(b, o, t):
            bv, ov, tv = b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING)
            if key == "targets" and all(isinstance(v, dict) or v is MISSING for v in (bv, ov, tv)):
                merged = self.targets(_dict(bv), _dict(ov), _dict(tv))
                if merged or not (ov is MISSING and tv is MISSING):
                    out[key] = merged
                continue
            r = pick(bv, ov, tv)
            if r is CONFLICT:
                r = self.table(bv, ov, tv) if all(isinstance(v, dict) for v in (bv, ov, tv)) else self.conflict(ov, tv)
            if r is not MISSING:
                out[key] = r
        return out

    def table(self, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> dict[str, Any]:
        return self.keywise(b, o, t, lambda _key, _b, ov, tv: self.conflict(ov, tv))

    def targets(self, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> dict[str, Any]:
        def deeper(_tid: str, bv: Any, ov: Any, tv: Any) -> Any:
            if all(isinstance(v, dict) for v in (bv, ov, tv)):
                return self.target(bv, ov, tv)
            return self.conflict(ov, tv)  # added on both sides differently, or removed on one and changed on the other

        return self.keywise(b, o, t, deeper)

    def target(self, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any]) -> dict[str, Any]:
        def deeper(key: str, bv: Any, ov: Any, tv: Any) -> Any:
            if key == "observations" and by_date(_list(bv)) and by_date(ov) and by_date(tv):
                return self.observations(_list(bv), ov, tv)
            if key == "stages" and same_stages(bv, ov, tv):
                return self.stages(bv, ov, tv)
            return self.conflict(ov, tv)

        return self.keywise(b, o, t, deeper)

    def observations(self, b: list[Any], o: list[Any], t: list[Any]) -> list[Any]:
        bd, od, td = ({figure_key(e): e for e in x} for x in (b, o, t))
        out = []
        for day in _keys(bd, od, td):
            r = pick(bd.get(day, MISSING), od.get(day, MISSING), td.get(day, MISSING))
            if r is CONFLICT:
                r = fuller(bd.get(day, MISSING), od.get(day, MISSING), td.get(day, MISSING))
            if r is CONFLICT:
                r = self.conflict(od.get(day, MISSING), td.get(day, MISSING))
            if r is not MISSING:
                out.append(r)
        return out

    def stages(self, b: list[Any], o: list[Any], t: list[Any]) -> list[Any]:
        out = []
        for bs, os_, ts in zip(b, o, t, strict=True):
            r = pick(bs, os_, ts)
            if r is CONFLICT:
                before = self.conflicts
                r = self.table(bs, os_, ts)
                if self.conflicts != before:  # a stage conflicts as a whole (one line)
                    self.conflicts = before
                    r = self.conflict(os_, ts)
            out.append(r)
        return out


def fuller(b: Any, o: Any, t: Any) -> Any:
    """When both sides added the same figure and one side also gave it more
    fields (a note, a source), that fuller figure; else CONFLICT. Different
    values for the same field stay a conflict."""
    if b is not MISSING or not (isinstance(o, dict) and isinstance(t, dict)):
        return CONFLICT
    small, big = (o, t) if len(o) <= len(t) else (t, o)
    if all(k in big and big[k] == v for k, v in small.items()):
        return big
    return CONFLICT


def figure_key(e: dict[str, Any]) -> tuple[Any, Any]:
    """What identifies a figure: its date, and when it was recorded if the
    ledger says (a revision is a new entry for the same date, recorded later)."""
    return e["date"], e.get("recorded")


def figure_order(e: dict[str, Any]) -> tuple[str, str]:
    """Date order; a revision after the figure it revises."""
    return str(e["date"]), str(e.get("recorded") or e["date"])


def by_date(v: Any) -> bool:
    """A list of figures, each one date (and recorded date) once: what a merge by date needs."""
    if not isinstance(v, list) or not all(isinstance(e, dict) and "date" in e for e in v):
        return False
    try:
        return len({figure_key(e) for e in v}) == len(v)
    except TypeError:  # an unhashable date
        return False


def same_stages(b: Any, o: Any, t: Any) -> bool:
    """Three stage lists with the same stage names in the same order."""
    lists = (b, o, t)
    if not all(isinstance(x, list) and all(isinstance(s, dict) for s in x) for x in lists):
        return False
    names = [[s.get("name") for s in x] for x in lists]
    return names[0] == names[1] == names[2]


def merge_data(
    b: dict[str, Any], o: dict[str, Any], t: dict[str, Any], prefer: Side = "ours"
) -> tuple[dict[str, Any], int]:
    """Merge three versions of a ledger file's data; the result and the number of conflicts."""
    m = DataMerge(prefer)
    return m.ledger(b, o, t), m.conflicts


def normalized(data: dict[str, Any]) -> dict[str, Any]:
    """Data as the ledger means it: the order of figures does not matter, and
    no targets is the same as an empty ``targets`` table."""
    targets = data.get("targets")
    if not isinstance(targets, dict):
        return data
    out = dict(data)
    if not targets:
        del out["targets"]
        return out
    out["targets"] = {}
    for tid, t in targets.items():
        if isinstance(t, dict) and by_date(t.get("observations")):
            t = {**t, "observations": sorted(t["observations"], key=figure_order)}
        out["targets"][tid] = t
    return out


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> Any:
    """A figure list that was not there yet is an empty one."""
    return [] if v is MISSING else v


def _keys(*dicts: dict[Any, Any]) -> list[Any]:
    """Keys of ours, then theirs, then base, each once: ours's order first."""
    seen: dict[Any, None] = {}
    for d in (dicts[1], dicts[2], dicts[0]):
        for k in d:
            seen.setdefault(k, None)
    return list(seen)
