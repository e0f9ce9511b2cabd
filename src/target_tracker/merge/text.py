"""The three-way merge of a ledger file's text, target by target.

The result is OURS's text with splices: every byte outside what THEIRS
changed stays as OURS wrote it, and what THEIRS added or changed is copied
with its own text (converted to OURS's newline style). A conflict is written
as git conflict markers around the smallest part: one figure or stage line,
one ``key = value`` statement, one target. :mod:`target_tracker.merge.driver`
verifies the result against :mod:`target_tracker.merge.data`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Any

from target_tracker.merge.data import CONFLICT, MISSING, by_date, figure_key, figure_order, fuller, pick, same_stages
from target_tracker.merge.layout import LayoutError, Table, Unit, line_start, statement_span, units
from target_tracker.toml.scan import Item, ScanError, array_elements, inline_items, line_end, skip_space


@dataclass
class Splices:
    """Non-overlapping replacements in one text, applied at once."""

    text: str
    ops: list[tuple[int, int, int, str]] = field(default_factory=list)

    def replace(self, start: int, end: int, new: str) -> None:
        self.ops.append((start, end, len(self.ops), new))

    def insert(self, pos: int, new: str) -> None:
        self.replace(pos, pos, new)

    def apply(self) -> str:
        # insertions before a replacement starting at the same offset; else in the order made
        ops = sorted(self.ops, key=lambda op: (op[0], op[1] != op[0], op[2]))
        out = []
        pos = 0
        for start, end, _, new in ops:
            if start < pos:
                raise LayoutError("overlapping changes")
            out.append(self.text[pos:start])
            out.append(new)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)


def unit_data(text: str, unit: Unit | None) -> Any:
    """The data a unit holds (MISSING when there is no unit)."""
    if unit is None:
        return MISSING
    try:
        data: Any = tomllib.loads(text[unit.header : unit.end])
    except tomllib.TOMLDecodeError as e:
        raise LayoutError(f"a table does not parse on its own ({e})") from None
    for part in unit.key:
        data = data[part]
    return data


class TextMerge:
    """Merge THEIRS's changes (against BASE) into OURS's text."""

    def __init__(self, base: str, ours: str, theirs: str, marker_size: int = 7) -> None:
        self.b, self.o, self.t = base, ours, theirs
        self.nl = "\r\n" if _crlf(ours) else "\n"
        self.size = marker_size
        self.out = Splices(ours)
        self.conflicts = 0

    # -- text helpers ------------------------------------------------------------
    def own_newlines(self, s: str) -> str:
        s = s.replace("\r\n", "\n")
        return s.replace("\n", self.nl) if self.nl != "\n" else s

    def lines(self, text: str, start: int, end: int) -> str:
        """Whole lines of ``text`` in OURS's newline style, ending with a newline."""
        s = self.own_newlines(text[start:end])
        return s if not s or s.endswith("\n") else s + self.nl

    def conflict_text(self, ours_part: str, theirs_part: str) -> str:
        self.conflicts += 1
        n, nl = self.size, self.nl
        return f"{'<' * n} ours{nl}{ours_part}{'=' * n}{nl}{theirs_part}{'>' * n} theirs{nl}"

    def insert_lines(self, pos: int, lines: str) -> None:
        """Insert whole lines at a line start (or the end of the text)."""
        if pos == len(self.o) and self.o and not self.o.endswith("\n"):
            lines = self.nl + lines
        self.out.insert(pos, lines)

    # -- the file ---------------------------------------------------------------------
    def run(self) -> str:
        bp, bo, bt = units(self.b)
        op, oo, ot = units(self.o)
        tp, to, tt = units(self.t)
        self.merge_unit(bp, op, tp, insert_at=0)
        first_target = ot[0].start if ot else len(self.o)
        self.merge_units(bo, oo, to, default_at=first_target, after_new=False)
        self.merge_units(bt, ot, tt, default_at=first_target if ot else len(self.o), after_new=True)
        return self.out.apply()

    def merge_units(
        self, base: list[Unit], ours: list[Unit], theirs: list[Unit], default_at: int, after_new: bool
    ) -> None:
        bk = {u.key: u for u in base}
        ok = {u.key: u for u in ours}
        tk = {u.key: u for u in theirs}
        keys = list(dict.fromkeys([*ok, *tk, *bk]))
        for key in keys:
            at = (
                self.insert_position(key, ours, theirs, bk, default_at, after_new) if key in tk and key not in ok else 0
            )
            self.merge_unit(bk.get(key), ok.get(key), tk.get(key), insert_at=at)

    def insert_position(
        self, key: tuple[str, ...], ours: list[Unit], theirs: list[Unit], base: dict[Any, Unit], default: int,
        after_new: bool,
    ) -> int:  # fmt: skip
        """Where a unit THEIRS added goes in OURS: after the unit before it in
        THEIRS (and after OURS's own additions there), else ``default``."""
        order = [u.key for u in theirs]
        ours_at = {u.key: i for i, u in enumerate(ours)}
        for prev in reversed(order[: order.index(key)]):
            if prev in ours_at:
                i = ours_at[prev]
                while after_new and i + 1 < len(ours) and ours[i + 1].key not in base:
                    i += 1
                return ours[i].end
        return default

    def merge_unit(self, bu: Unit | None, ou: Unit | None, tu: Unit | None, insert_at: int) -> None:
        b_text, o_text, t_text = (
            None if u is None else x[u.start : u.end] for u, x in ((bu, self.b), (ou, self.o), (tu, self.t))
        )
        if t_text in (b_text, o_text):  # the same text is the same data: nothing to parse
            return
        b, o, t = unit_data(self.b, bu), unit_data(self.o, ou), unit_data(self.t, tu)
        if t == b or o == t:
            return
        simple = ou is not None and tu is not None and ou.simple and tu.simple and (bu is None or bu.simple)
        if o == b:  # only THEIRS changed it: take their change
            if tu is None:
                assert ou is not None
                self.out.replace(ou.start, ou.end, "")
            elif ou is None:
                self.insert_lines(insert_at, self.lines(self.t, tu.start, tu.end))
            elif simple:
                self.merge_table(ou.table, tu.table, b, o, t, figures=ou.key[:1] == ("targets",))
            else:
                self.out.replace(ou.header, ou.end, self.lines(self.t, tu.header, tu.end))
            return
        if simple and bu is not None and isinstance(b, dict) and isinstance(o, dict) and isinstance(t, dict):
            assert ou is not None and tu is not None
            self.merge_table(ou.table, tu.table, b, o, t, figures=ou.key[:1] == ("targets",))
            return
        ours_part = self.lines(self.o, ou.header, ou.end) if ou else ""
        theirs_part = self.lines(self.t, tu.header, tu.end) if tu else ""
        if ou is not None:
            self.out.replace(ou.header, ou.end, self.conflict_text(ours_part, theirs_part))
        else:
            self.insert_lines(insert_at, self.conflict_text(ours_part, theirs_part))

    # -- one table, key by key ------------------------------------------------------------
    def merge_table(
        self, ot: Table, tt: Table, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any], figures: bool
    ) -> None:
        oi = {i.key[0]: i for i in ot.items}
        ti = {i.key[0]: i for i in tt.items}
        t_order = [i.key[0] for i in tt.items]
        for key in dict.fromkeys([*o, *t, *b]):
            bv, ov, tv = b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING)
            r = pick(bv, ov, tv)
            if tv == bv or ov == tv:
                continue
            if r is not CONFLICT:  # only THEIRS changed it
                if tv is MISSING:
                    s, e = statement_span(self.o, oi[key])
                    self.out.replace(s, e, "")
                elif ov is MISSING:
                    s, e = statement_span(self.t, ti[key])
                    self.insert_lines(self.key_position(key, ot, oi, t_order), self.lines(self.t, s, e))
                else:
                    o_item, t_item = oi[key], ti[key]
                    new = self.own_newlines(self.t[t_item.value_start : t_item.value_end])
                    self.out.replace(o_item.value_start, o_item.value_end, new)
                continue
            if figures and ov is not MISSING and tv is not MISSING:
                base_list = [] if bv is MISSING else bv
                if (
                    key == "observations"
                    and by_date(base_list)
                    and by_date(ov)
                    and by_date(tv)
                    and self.merge_figures(oi[key], ti[key], base_list, ov, tv)
                ):
                    continue
                if key == "stages" and same_stages(bv, ov, tv) and self.merge_stages(oi[key], ti[key], bv, ov, tv):
                    continue
            ours_part = self.lines(self.o, *statement_span(self.o, oi[key])) if key in oi else ""
            theirs_part = self.lines(self.t, *statement_span(self.t, ti[key])) if key in ti else ""
            if key in oi:
                s, e = statement_span(self.o, oi[key])
                self.out.replace(s, e, self.conflict_text(ours_part, theirs_part))
            else:
                self.insert_lines(self.key_position(key, ot, oi, t_order), self.conflict_text("", theirs_part))

    def key_position(self, key: str, ot: Table, oi: dict[str, Item], t_order: list[str]) -> int:
        """After the statement that comes before ``key`` in THEIRS, else before OURS's first."""
        for prev in reversed(t_order[: t_order.index(key)]):
            if prev in oi:
                return statement_span(self.o, oi[prev])[1]
        if ot.items:
            return line_start(self.o, ot.items[0].start)
        return ot.body_end

    # -- figures, by date ------------------------------------------------------------------
    def merge_figures(self, o_item: Item, t_item: Item, b: list[Any], o: list[Any], t: list[Any]) -> bool:
        o_spans = one_per_line(self.o, o_item)
        t_spans = one_per_line(self.t, t_item)
        if o_spans is None or t_spans is None:
            return False
        bd = {figure_key(e): e for e in b}
        od = {figure_key(e): (e, span) for e, span in zip(o, o_spans, strict=True)}
        td = {figure_key(e): (e, span) for e, span in zip(t, t_spans, strict=True)}
        for key in dict.fromkeys([*od, *td, *bd]):
            bv = bd.get(key, MISSING)
            ov, os_ = od.get(key, (MISSING, None))
            tv, ts = td.get(key, (MISSING, None))
            if tv == bv or ov == tv:
                continue
            if ov == bv:
                if tv is MISSING:
                    assert os_ is not None
                    self.out.replace(line_start(self.o, os_[0]), line_end(self.o, os_[1]), "")
                elif ov is MISSING:
                    assert ts is not None
                    self.insert_lines(self.figure_position(tv, o, o_spans, o_item), self.element_line(ts))
                else:
                    assert os_ is not None and ts is not None
                    self.out.replace(os_[0], os_[1], self.t[ts[0] : ts[1]])
                continue
            kept = fuller(bv, ov, tv)
            if kept is ov:  # ours is the fuller figure: it stays as it is
                continue
            if kept is tv:
                assert os_ is not None and ts is not None
                self.out.replace(os_[0], os_[1], self.t[ts[0] : ts[1]])
                continue
            theirs_part = self.element_line(ts) if ts else ""
            if os_ is not None:
                s, e = line_start(self.o, os_[0]), line_end(self.o, os_[1])
                self.out.replace(s, e, self.conflict_text(self.lines(self.o, s, e), theirs_part))
            else:
                at = self.figure_position(tv, o, o_spans, o_item)
                self.insert_lines(at, self.conflict_text("", theirs_part))
        return True

    def element_line(self, span: tuple[int, int]) -> str:
        """THEIRS's line of an array element, with the comma after it."""
        s, e = span
        ls, le = line_start(self.t, s), line_end(self.t, e)
        after = skip_space(self.t, e, newlines=False)
        if after < len(self.t) and self.t[after] == ",":
            return self.lines(self.t, ls, le)
        line = self.own_newlines(self.t[ls:e] + "," + self.t[e:le])
        return line if line.endswith("\n") else line + self.nl

    def figure_position(self, new: dict[str, Any], o: list[Any], spans: list[tuple[int, int]], item: Item) -> int:
        """Before OURS's first figure dated after the ``new`` one, else after the last one."""
        for e, (s, _) in zip(o, spans, strict=True):
            if figure_order(e) > figure_order(new):
                return line_start(self.o, s)
        if not spans:
            return line_end(self.o, item.value_start)
        last_e = spans[-1][1]
        after = skip_space(self.o, last_e, newlines=False)
        if not (after < len(self.o) and self.o[after] == ","):
            self.out.insert(last_e, ",")
        return line_end(self.o, last_e)

    # -- stages, by position ------------------------------------------------------------------
    def merge_stages(self, o_item: Item, t_item: Item, b: list[Any], o: list[Any], t: list[Any]) -> bool:
        try:
            o_spans, _ = array_elements(self.o, o_item.value_start)
            t_spans, _ = array_elements(self.t, t_item.value_start)
        except ScanError:
            return False
        o_lines = one_per_line(self.o, o_item)
        t_lines = one_per_line(self.t, t_item)
        plans: list[tuple[int, Any]] = []
        for i, (bs, os_, ts) in enumerate(zip(b, o, t, strict=True)):
            if ts == bs or os_ == ts:
                continue
            if os_ == bs:
                plans.append((i, "theirs"))
                continue
            splices = self.stage_splices(o_spans[i], t_spans[i], bs, os_, ts)
            if splices is None and (o_lines is None or t_lines is None):
                return False  # a conflict needs one stage per line
            plans.append((i, splices))
        for i, plan in plans:
            (os0, oe0), (ts0, te0) = o_spans[i], t_spans[i]
            if plan == "theirs":
                self.out.replace(os0, oe0, self.t[ts0:te0])
            elif plan is None:
                s, e = line_start(self.o, os0), line_end(self.o, oe0)
                theirs_part = self.element_line((ts0, te0))
                self.out.replace(s, e, self.conflict_text(self.lines(self.o, s, e), theirs_part))
            else:
                for s, e, new in plan:
                    self.out.replace(s, e, new)
        return True

    def stage_splices(
        self, o_span: tuple[int, int], t_span: tuple[int, int], b: dict[str, Any], o: dict[str, Any],
        t: dict[str, Any],
    ) -> list[tuple[int, int, str]] | None:  # fmt: skip
        """Splices that bring THEIRS's changes to one stage's keys into OURS's
        ``{ ... }``; None when a key conflicts or the layout is unusual."""
        if self.o[o_span[0]] != "{" or self.t[t_span[0]] != "{":
            return None
        try:
            o_items, _ = inline_items(self.o, o_span[0])
            t_items, _ = inline_items(self.t, t_span[0])
        except ScanError:
            return None
        oi = {i.key: (n, i) for n, i in enumerate(o_items)}
        ti = {i.key: i for i in t_items}
        out = []
        for key in dict.fromkeys([*o, *t, *b]):
            bv, ov, tv = b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING)
            if tv == bv or ov == tv:
                continue
            if pick(bv, ov, tv) is CONFLICT or ((key,) not in oi and ov is not MISSING):
                return None
            t_it = ti.get((key,))
            if ov is MISSING:
                assert t_it is not None
                if not o_items:
                    return None
                text = self.t[t_it.start : t_it.value_end]
                out.append((o_items[-1].value_end, o_items[-1].value_end, ", " + text))
                continue
            n, o_it = oi[(key,)]
            if tv is MISSING:
                if n > 0:
                    out.append((o_items[n - 1].value_end, o_it.value_end, ""))
                elif len(o_items) > 1:
                    out.append((o_it.start, o_items[1].start, ""))
                else:
                    return None
                continue
            assert t_it is not None
            out.append((o_it.value_start, o_it.value_end, self.t[t_it.value_start : t_it.value_end]))
        return out


def one_per_line(text: str, item: Item) -> list[tuple[int, int]] | None:
    """Spans of an array's elements when each sits on its own line between
    a ``[`` line and a ``]`` line (the ledger's layout); else None."""
    vs = item.value_start
    if text[vs] != "[":
        return None
    try:
        spans, close = array_elements(text, vs)
    except ScanError:
        return None
    if not _rest_is_blank(text, vs + 1) or text[line_start(text, close) : close].strip():
        return None
    for s, e in spans:
        if text[line_start(text, s) : s].strip():
            return None
        after = skip_space(text, e, newlines=False)
        if after < len(text) and text[after] == ",":
            after += 1
        if not _rest_is_blank(text, after):
            return None
    return spans


def _rest_is_blank(text: str, pos: int) -> bool:
    """Only blanks and perhaps a comment from ``pos`` to the end of the line."""
    p = skip_space(text, pos, newlines=False)
    return p >= len(text) or text[p] in "\r\n#"


def _crlf(text: str) -> bool:
    first = text.find("\n")
    return first > 0 and text[first - 1] == "\r"
