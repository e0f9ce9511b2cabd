"""Load a ledger: TOML text -> :class:`~target_tracker.model.Ledger`.

Reading uses the fast standard-library parser (tomllib). Problems with the
user's data are collected as :class:`~target_tracker.model.Problem` values,
never raised, so ``tracker check`` can report all of them at once. Line
numbers are attached only when there is something to report.
"""

from __future__ import annotations

import gc
import math
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from target_tracker.dates import MAX_DATE, MIN_DATE, out_of_range
from target_tracker.i18n import LANGUAGES, N_, _
from target_tracker.ledger import fields as _fields
from target_tracker.ledger.includes import NotRegularFile, read_regular, resolve_includes
from target_tracker.ledger.model import (
    KINDS,
    STATES,
    Day,
    KeyPath,
    Ledger,
    Observation,
    Problem,
    Settings,
    Source,
    Stage,
    Target,
    Waypoint,
    split_revisions,
)
from target_tracker.output.labels import kind_label

# The key lists come from the one definition of the format (also behind `tracker schema`).
TOP_KEYS = _fields.names(_fields.TOP_FIELDS)
INCLUDED_FILE_KEYS = _fields.names(_fields.INCLUDED_FILE_FIELDS)
SOURCE_KEYS = _fields.names(_fields.SOURCE_FIELDS)
SETTINGS_KEYS = _fields.names(_fields.SETTINGS_FIELDS)
TARGET_KEYS = _fields.names(_fields.TARGET_FIELDS)
OBSERVATION_KEYS = _fields.names(_fields.OBSERVATION_FIELDS)
STAGE_KEYS = _fields.names(_fields.STAGE_FIELDS)
REPORTS_KEYS = _fields.names(_fields.REPORTS_FIELDS)
WAYPOINT_KEYS = _fields.names(_fields.WAYPOINT_FIELDS)
KIND_KEYS = {
    "quantity": {"unit", "baseline", "target", "observations", "trajectory"},
    "maintain": {"unit", "at_least", "at_most", "observations"},
    "milestones": {"stages", "trajectory"},
    "rollup": {"trajectory"},
}
KIND_SPECIFIC_KEYS = set().union(*KIND_KEYS.values())
# Use ID_PATTERN.fullmatch: "$" also matches before a final newline ([targets."evil\n"]).
# (The pattern itself stays plain: the JSON Schema uses it too.)
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_END = "(at end of document)"

#: tomllib's own messages (always English) and the datetime errors it passes
#: on, as messages in the interface language: the msgid is tomllib's wording.
_TOMLLIB_MESSAGES = frozenset(
    (
        N_("Cannot overwrite a value"),
        N_("Escaped character is not a Unicode scalar value"),
        N_("Expected '=' after a key in a key/value pair"),
        N_("Expected ']' at the end of a table declaration"),
        N_("Expected ']]' at the end of an array declaration"),
        N_("Expected newline or end of document after a statement"),
        N_("Invalid date or datetime"),
        N_("Invalid hex value"),
        N_("Invalid initial character for a key part"),
        N_("Invalid statement"),
        N_("Invalid value"),
        N_("Unclosed array"),
        N_("Unclosed inline table"),
        N_("Unescaped '\\' in a string"),
        N_("Unterminated string"),
        N_("month must be in 1..12"),
        N_("day is out of range for month"),
    )
)
_TOMLLIB_PATTERNS = (
    (re.compile(r"Cannot declare (?P<key>.*) twice"), N_("Cannot declare {key} twice")),
    (re.compile(r"Cannot mutate immutable namespace (?P<key>.*)"), N_("Cannot mutate immutable namespace {key}")),
    (re.compile(r"Cannot redefine namespace (?P<key>.*)"), N_("Cannot redefine namespace {key}")),
    (re.compile(r"Duplicate inline table key (?P<key>.*)"), N_("Duplicate inline table key {key}")),
    (re.compile(r"Found invalid character (?P<char>.*)"), N_("Found invalid character {char}")),
    (re.compile(r"Illegal character (?P<char>.*)"), N_("Illegal character {char}")),
    (re.compile(r"year (?P<year>-?\d+) is out of range"), N_("year {year} is out of range")),
)


def tomllib_message(msg: str) -> str:
    """A message of tomllib (or of the datetime it calls) in the interface language; others as they are."""
    if msg == "Illegal character '\\n'":  # a line break inside a one-line string: it is not closed
        msg = "Unterminated string"
    if msg in _TOMLLIB_MESSAGES:
        return _(msg)
    for pattern, message in _TOMLLIB_PATTERNS:
        if m := pattern.fullmatch(msg):
            return _(message).format(**m.groupdict())
    return msg


class Texts(dict[str, str]):
    """File texts by name, decoded from their bytes only when asked for."""

    def __init__(self) -> None:
        super().__init__()
        self._raw: dict[str, bytes] = {}

    def keep(self, name: str, raw: bytes) -> None:
        self._raw[name] = raw

    def __missing__(self, name: str) -> str:
        text = decode_ledger(self._raw.pop(name))
        self[name] = text
        return text

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or name in self._raw


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The ledger (None when a file could not be read at all) and the problems."""

    ledger: Ledger | None
    problems: list[Problem]
    texts: dict[str, str]


def read_file(path: Path) -> tuple[bytes | None, str | None, Problem | None]:
    """The file's bytes and its UTF-8 text (newlines untouched), or a problem."""
    name = str(path)
    try:
        data = read_regular(path)
    except FileNotFoundError:
        return None, None, Problem(name, _("no such ledger file (create one with 'tracker init', or pass -f PATH)"))
    except IsADirectoryError:
        return None, None, Problem(name, _("is a directory, not a ledger file (pass -f PATH/targets.toml)"))
    except NotRegularFile:
        return None, None, Problem(name, _("is not a regular file (a device, FIFO or socket): not read"))
    except OSError as e:
        return None, None, Problem(name, _("cannot read the ledger: {reason}").format(reason=e.strerror or e))
    try:
        return data, decode_ledger(data), None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        message = _("not valid UTF-8 (byte {byte}); save the file as UTF-8").format(byte=f"0x{data[e.start]:02x}")
        return None, None, Problem(name, message, line=line)


def decode_ledger(data: bytes) -> str:
    """A ledger file's text without the byte-order mark Windows Notepad
    writes (TOML does not allow it); the edit layer writes it back."""
    text = data.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def parse_toml(text: str, name: str) -> tuple[dict[str, Any] | None, Problem | None]:
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as e:
        markers = conflict_markers(text, name)
        if markers:
            return None, markers[0]
        msg = str(e)
        m = _TOML_LINE.search(msg)
        line = int(m.group(1)) if m else None
        if line is None and _TOML_END in msg:
            line = text.count("\n") + (0 if text.endswith("\n") else 1) or None
        msg = tomllib_message(_TOML_LINE.sub("", msg).replace(_TOML_END, "").strip().rstrip("."))
        hint = _date_hint(text, line)
        return None, Problem(name, _("TOML syntax error: {error}").format(error=hint or msg), line=line)
    except RecursionError:
        line = _too_deep(text)
        return None, Problem(name, _("TOML syntax error: arrays or tables nested too deeply"), line=line)
    except (ValueError, OverflowError, MemoryError):  # e.g. an integer of more than 4,300 digits
        m = _HUGE_NUMBER.search(text)
        line = text.count("\n", 0, m.start()) + 1 if m else None
        return None, Problem(name, _("TOML syntax error: a number too long to read"), line=line)


_HUGE_NUMBER = re.compile(r"[0-9_]{4000,}")
_MAX_DEPTH = 100


def _too_deep(text: str) -> int | None:
    """The line where brackets first nest more than _MAX_DEPTH deep (strings
    are not skipped: good enough to point at the place)."""
    depth = 0
    line = 1
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                return line
        elif ch in "]}":
            depth -= 1
        elif ch == "\n":
            line += 1
    return None


_CONFLICT_START = re.compile(r"^<{7,}(?:[ \t][^\n]*)?\r?$", re.M)
_CONFLICT_REST = re.compile(r"^(?:>{7,}(?:[ \t][^\n]*)?|={7,})\r?$", re.M)


def conflict_markers(text: str, name: str) -> list[Problem]:
    """One problem per unresolved git conflict (its ``<<<<<<<`` line; else
    the ``=======`` and ``>>>>>>>`` lines left over)."""
    message = _("unresolved merge conflict (git conflict markers)")
    found = list(_CONFLICT_START.finditer(text)) or list(_CONFLICT_REST.finditer(text))
    return [Problem(name, message, line=text.count("\n", 0, m.start()) + 1) for m in found]


_DATE_LIKE = re.compile(r"(?<![\w\"'])(\d{4})-(\d{2})-(\d{2})(?![\w\"'])")


def _date_hint(text: str, line: int | None) -> str | None:
    """tomllib reports an impossible date (2021-13-45) as a stray character;
    name the date instead."""
    if line is None:
        return None
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    for m in _DATE_LIKE.finditer(lines[line - 1]):
        try:
            date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as e:
            return _("'{text}' is not a real date ({error})").format(text=m.group(0), error=tomllib_message(str(e)))
    return None


def load_ledger(
    path: str | Path,
    *,
    overrides: dict[Path, str] | None = None,
    cache: FileCache | None = None,
) -> LoadResult:
    """Read the ledger at ``path`` (and the files it includes) into a model.

    The cyclic garbage collector is paused meanwhile: parsing a provincial
    ledger allocates millions of objects and no cycles, and collections would
    walk them all again and again (measured: ~0.7 s of a 6.8 s load). Its
    state is restored afterwards; freezing the model for the rest of the run
    is the CLI's choice (``gc.freeze()`` in its entry point), not the library's.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_ledger(path, overrides=overrides, cache=cache)
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class FileModel:
    """What one ledger file holds: its targets in file order, the problems
    found in it (with lines), and for the main file the ledger's metadata.

    failed: the file could not be parsed at all. includes: the file's
    ``include`` entries as written. This is the unit the cache stores.
    """

    name: str
    targets: tuple[Target, ...]
    problems: tuple[Problem, ...]
    failed: bool = False
    title: str | None = None
    source: Source | None = None
    settings: Settings | None = None
    includes: tuple[str, ...] = ()
    published: tuple[tuple[str, date], ...] = ()


class CachedFiles(Protocol):
    """One ledger's parsed files during one load (see :mod:`target_tracker.ledger.cache`)."""

    def get(self, name: str, data: bytes) -> FileModel | None: ...

    def put(self, name: str, data: bytes, model: FileModel) -> None: ...

    def close(self) -> None: ...


class FileCache(Protocol):
    """Where parsed files are kept between runs (see :mod:`target_tracker.ledger.cache`)."""

    def open(self, main: str) -> CachedFiles: ...


def load_file(name: str, text: str, *, main: bool) -> FileModel:
    """Parse and build one ledger file on its own."""
    data, problem = parse_toml(text, name)
    if problem:
        return FileModel(name, (), tuple(conflict_markers(text, name)) or (problem,), failed=True)
    assert data is not None
    problems: list[Problem] = []
    builder = _Builder(name, problems)
    fields: dict[str, Any] = {}
    if main:
        builder.unknown_keys(data, TOP_KEYS, ())
        fields["title"] = builder.string(data, "title", ())
        fields["source"] = builder.source(data.get("source"), ("source",)) if "source" in data else None
        fields["settings"] = builder.settings(data.get("settings", {}))
        fields["published"] = builder.published(data.get("reports"))
    else:
        # not in the format, but read so that its loop (or nesting) is an error, not an unknown key
        builder.unknown_keys(data, (*INCLUDED_FILE_KEYS, "include"), ())
    fields["includes"] = builder.include_entries(data)
    targets: dict[str, Target] = {}
    builder.targets(data, targets)
    from target_tracker.ledger.checks import check_target

    for t in targets.values():
        problems.extend(check_target(t))
    if problems:
        problems = attach_lines(problems, {name: text})
    return FileModel(name, tuple(targets.values()), tuple(problems), **fields)


def _load_ledger(path: str | Path, *, overrides: dict[Path, str] | None, cache: FileCache | None) -> LoadResult:
    """See :func:`load_ledger`."""
    path = Path(path)
    problems: list[Problem] = []
    texts = Texts()
    stored = cache.open(str(path)) if cache else None
    try:

        def model_of(p: Path, main: bool) -> FileModel | None:
            name = str(p)
            override = overrides.get(p.resolve()) if overrides else None
            if override is not None:
                raw = override.encode("utf-8")
                texts[name] = override
            else:
                try:
                    raw = read_regular(p)
                except OSError:
                    _data, _text, problem = read_file(p)  # the same failure, worded for the planner
                    assert problem is not None
                    problems.append(problem)
                    return None
                texts.keep(name, raw)
            model = stored.get(name, raw) if stored else None
            if model is None:
                try:
                    text = texts[name]  # decoded only now: a cache hit never needs the text
                except UnicodeDecodeError:
                    _data, _text, problem = read_file(p)
                    assert problem is not None
                    problems.append(problem)
                    return None
                model = load_file(name, text, main=main)
                if stored and not model.failed:
                    stored.put(name, raw, model)
            problems.extend(model.problems)
            return None if model.failed else model

        head = model_of(path, main=True)
        if head is None:
            return LoadResult(None, problems, texts)
        settings = head.settings or Settings()
        include_problems: list[Problem] = []
        included = resolve_includes(
            path, head.includes, include_problems, allow_outside=settings.allow_outside_includes
        )
        models = [head] + [m for f in included if (m := model_of(f, False))]
        nested = [m for m in models[1:] if m.includes]
        if nested:
            in_ledger = {path.resolve(), *(f.resolve() for f in included)}
            for model in nested:
                include_problems.extend(_nested_includes(model, in_ledger, settings.allow_outside_includes))
    finally:
        if stored:
            stored.close()
    problems.extend(attach_lines(include_problems, texts))
    targets: dict[str, Target] = {}
    files = [head.name]
    dupes: list[Problem] = []
    for model in models:
        if model is not head:
            files.append(model.name)
        for t in model.targets:
            other = targets.get(t.id)
            if other is not None:
                message = _("duplicate target id '{id}' (also in {file})").format(id=t.id, file=other.file)
                dupes.append(Problem(t.file, message, t.path))
                continue
            targets[t.id] = t
    if dupes:
        problems.extend(attach_lines(dupes, texts))
    ledger = Ledger(
        title=head.title or path.stem,
        path=head.name,
        source=head.source,
        settings=settings,
        targets=targets,
        files=tuple(files),
        published=dict(head.published),
    )
    return LoadResult(ledger, problems, texts)


def _nested_includes(model: FileModel, in_ledger: set[Path], allow_outside: bool) -> Iterator[Problem]:
    """An included file's own ``include``: a loop when it names a file of the
    ledger, else unsupported (only the main file's include is read)."""
    found: list[Problem] = []
    resolve_includes(Path(model.name), model.includes, found, allow_outside=allow_outside, ledger_files=in_ledger)
    yield from found
    if model.includes:  # loop or not, the entries are not read: say so
        yield Problem(
            model.name,
            _("include is only read in the main ledger file; move these paths to its include list"),
            ("include",),
        )


def attach_lines(problems: list[Problem], texts: dict[str, str]) -> list[Problem]:
    """Fill in the line of each problem that has a key path but no line."""
    if not problems:  # the usual case: the scanner is not even imported
        return problems
    from target_tracker.toml.lines import LineIndex

    indexes: dict[str, LineIndex] = {}
    out = []
    for p in problems:
        if p.line is None and p.path and p.file in texts:
            index = indexes.get(p.file)
            if index is None:
                index = indexes[p.file] = LineIndex(texts[p.file])
            p = replace(p, line=index.line_of(p.path))
        out.append(p)
    return out


def included_files(main: Path, main_text: str, full_text: str | None = None) -> list[Path]:
    """The files the main ledger file includes (for editors that need to
    find which file holds a target). Only the files a load would read.

    ``main_text`` may be only the part before the first table (where
    ``include`` is); ``full_text``, the whole file, then tells whether
    ``[settings] allow_outside_includes = true`` is set."""
    data, _problem = parse_toml(main_text, str(main))
    if data is None:
        return []
    builder = _Builder(str(main), [])
    entries = builder.include_entries(data)
    raw = data.get("settings")
    if isinstance(raw, dict):
        allow = raw.get("allow_outside_includes") is True
    else:
        allow = bool(_ALLOW_OUTSIDE.search(full_text if full_text is not None else main_text))
    return resolve_includes(main, entries, [], allow_outside=allow)


# Only where the setting is true: the full load, which checks every edit, enforces it anyway.
_ALLOW_OUTSIDE = re.compile(r"(?m)^[ \t]*allow_outside_includes[ \t]*=[ \t]*true\b")


def _describe(v: Any) -> str:
    if isinstance(v, bool):
        return _("true/false ({value})").format(value=str(v).lower())
    if isinstance(v, str):
        return _("text '{value}'").format(value=v) if len(v) < 40 else _("text")
    if isinstance(v, float):
        return str(v)
    if isinstance(v, dict):
        return _("a table")
    if isinstance(v, list):
        return _("a list")
    return type(v).__name__


class _Builder:
    """Turns the parsed TOML of one file into records, collecting problems."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def error(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(self.file, message, path))

    def warning(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(self.file, message, path, severity="warning"))

    def unknown_keys(self, table: dict[str, Any], known: tuple[str, ...], path: KeyPath) -> None:
        for key in table:
            if key not in known:
                from target_tracker.suggest import did_you_mean  # only when there is a typo to suggest for

                where = _(" in [{table}]").format(table=".".join(map(str, path))) if path else ""
                suggestion = did_you_mean(key, known) or _(" (known keys: {keys})").format(keys=", ".join(known))
                self.warning(path + (key,), _("unknown key '{key}'{where}{suggestion}").format(
                    key=key, where=where, suggestion=suggestion))  # fmt: skip

    def include_entries(self, data: dict[str, Any]) -> tuple[str, ...]:
        raw = data.get("include", [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            self.error(("include",), _("include must be a list of file or folder paths"))
            return ()
        return tuple(raw)

    # -- scalar fields ----------------------------------------------------
    def string(self, table: dict[str, Any], key: str, path: KeyPath, required: bool = False) -> str | None:
        v = table.get(key)
        if v is None:
            if required:
                self.error(path, _("missing required key '{key}'").format(key=key))
            return None
        if not isinstance(v, str):
            self.error(
                path + (key,), _("'{key}' must be text in quotes, got {value}").format(key=key, value=_describe(v))
            )
            return None
        return v

    def number(self, table: dict[str, Any], key: str, path: KeyPath, required: bool = False) -> float | None:
        v = table.get(key)
        if v is None:
            if required:
                self.error(path, _("missing required key '{key}'").format(key=key))
            return None
        if type(v) is int or type(v) is float:
            if not finite(v):
                self.error(path + (key,), _not_finite(key, v))
                return None
            return v
        self.error(path + (key,), _("'{key}' must be a number, got {value}").format(key=key, value=_describe(v)))
        return None

    def date(self, table: dict[str, Any], key: str, path: KeyPath, required: bool = False) -> date | None:
        v = table.get(key)
        if v is None:
            if required:
                self.error(path, _("missing required key '{key}'").format(key=key))
            return None
        if isinstance(v, datetime):
            v = v.date()
        if type(v) is date:
            if not MIN_DATE <= v <= MAX_DATE:
                self.error(path + (key,), _("'{key}': {error}").format(key=key, error=out_of_range(v)))
                return None
            return v
        if isinstance(v, str):
            from target_tracker.dates import DateError, parse_date

            try:
                return parse_date(v)
            except DateError as e:
                self.error(path + (key,), _("'{key}': {error}").format(key=key, error=e))
                return None
        self.error(path + (key,), _("'{key}' must be a date like 2021-10-31, got {value}").format(
            key=key, value=_describe(v)))  # fmt: skip
        return None

    def source(self, v: Any, path: KeyPath) -> Source | None:
        if isinstance(v, str):
            return Source(document=v)
        if not isinstance(v, dict):
            self.error(path, _("source must be text or a table {{ document = ..., date = ... }}, got {value}").format(
                value=_describe(v)))  # fmt: skip
            return None
        self.unknown_keys(v, SOURCE_KEYS, path)
        return Source(
            document=self.string(v, "document", path),
            date=self.date(v, "date", path),
            clause=self.string(v, "clause", path),
            url=self.string(v, "url", path),
        )

    def settings(self, v: Any) -> Settings:
        path: KeyPath = ("settings",)
        if not isinstance(v, dict):
            self.error(path, _("settings must be a table"))
            return Settings()
        self.unknown_keys(v, SETTINGS_KEYS, path)
        defaults = Settings()
        on_track = self.number(v, "on_track_gap", path)
        at_risk = self.number(v, "at_risk_gap", path)
        stale = self.number(v, "stale_after_days", path)
        if stale is not None and (stale != int(stale) or stale < 1):
            self.error(path + ("stale_after_days",), _("stale_after_days must be a whole number of days >= 1"))
            stale = None
        lang = self.string(v, "lang", path)
        if lang is not None and lang not in LANGUAGES:
            self.error(path + ("lang",), _("lang must be one of {languages}, got '{lang}'").format(
                languages=", ".join(LANGUAGES), lang=lang))  # fmt: skip
            lang = None
        if stale is not None and stale > MAX_STALE_DAYS:
            self.error(path + ("stale_after_days",),
                       _("stale_after_days must be at most {n}").format(n=MAX_STALE_DAYS))  # fmt: skip
            stale = None
        outside = v.get("allow_outside_includes", defaults.allow_outside_includes)
        if type(outside) is not bool:
            self.error(path + ("allow_outside_includes",), _("allow_outside_includes must be true or false"))
            outside = defaults.allow_outside_includes
        require = v.get("require_figure_source", defaults.require_figure_source)
        if not isinstance(require, bool):
            self.error(path + ("require_figure_source",), _("require_figure_source must be true or false"))
            require = defaults.require_figure_source
        grace = self.number(v, "report_grace_days", path)
        if grace is not None and (grace != int(grace) or grace < 0):
            self.error(path + ("report_grace_days",), _("report_grace_days must be a whole number of days >= 0"))
            grace = None
        settings = Settings(
            on_track_gap=defaults.on_track_gap if on_track is None else on_track,
            at_risk_gap=defaults.at_risk_gap if at_risk is None else at_risk,
            stale_after_days=defaults.stale_after_days if stale is None else int(stale),
            lang=lang,
            allow_outside_includes=outside,
            require_figure_source=require,
            report_grace_days=defaults.report_grace_days if grace is None else int(grace),
        )
        if settings.on_track_gap > settings.at_risk_gap:
            self.error(path, _("on_track_gap must not be larger than at_risk_gap"))
        return settings

    def published(self, v: Any) -> tuple[tuple[str, Day], ...]:
        """``[reports.published]``: "YYYY-MM" = the date that month's report was issued."""
        if v is None:
            return ()
        path: KeyPath = ("reports",)
        if not isinstance(v, dict):
            self.error(path, _("reports must be a table: [reports.published]"))
            return ()
        self.unknown_keys(v, REPORTS_KEYS, path)
        raw = v.get("published", {})
        if not isinstance(raw, dict):
            self.error(path + ("published",), _('reports.published must be a table: "2021-10" = 2021-11-08'))
            return ()
        out = []
        for month, _day in raw.items():
            p = path + ("published", month)
            m = re.fullmatch(r"(\d{4})-(\d{2})", month)
            if not m or not 1 <= int(m.group(2)) <= 12:
                self.error(p, _("reports.published: '{month}' is not a month like 2021-10").format(month=month))
                continue
            day = self.date(raw, month, path + ("published",))
            if day is None:
                continue
            end = date(int(m.group(1)) + int(m.group(2)) // 12, int(m.group(2)) % 12 + 1, 1)
            if day < end:
                message = _("reports.published: the {month} report cannot be issued on {day}, before the month ends")
                self.error(p, message.format(month=month, day=day))
                continue
            out.append((month, day))
        return tuple(sorted(out))

    # -- targets ----------------------------------------------------------
    def targets(self, data: dict[str, Any], into: dict[str, Target]) -> None:
        raw = data.get("targets", {})
        if not isinstance(raw, dict):
            self.error(("targets",), _("targets must be tables: [targets.ID]"))
            return
        for tid, table in raw.items():
            path: KeyPath = ("targets", tid)
            if not ID_PATTERN.fullmatch(tid):
                shown = tid.encode("unicode_escape").decode("ascii")  # one line, control characters visible
                self.error(path, _("target id '{id}' must use only letters, digits, '-' and '_'").format(id=shown))
                continue
            if not isinstance(table, dict):
                self.error(path, _("targets.{id} must be a table [targets.{id}]").format(id=tid))
                continue
            target = self.target(tid, table, path)
            if target is None:
                continue
            if tid in into:
                other = into[tid]
                self.error(path, _("duplicate target id '{id}' (also in {file})").format(id=tid, file=other.file))
                continue
            into[tid] = target

    def target(self, tid: str, t: dict[str, Any], path: KeyPath) -> Target | None:
        self.unknown_keys(t, TARGET_KEYS, path)
        kind = self.string(t, "kind", path)
        if kind is None and "kind" not in t:
            kind = _infer_kind(t)
            if kind is None:
                self.error(path, _("missing required key 'kind' (quantity, maintain, milestones or rollup)"))
                return None
        if kind not in KINDS:
            if kind is not None:
                from target_tracker.suggest import did_you_mean

                tip = did_you_mean(str(kind), KINDS)
                self.error(path + ("kind",), _("unknown kind '{kind}'{tip}: use {kinds}").format(
                    kind=kind, tip=tip, kinds=", ".join(KINDS)))  # fmt: skip
            return None
        for key in t:
            if key in KIND_SPECIFIC_KEYS and key not in KIND_KEYS[kind]:
                self.warning(path + (key,), _("'{key}' is ignored for a {kind} target").format(
                    key=key, kind=kind_label(kind)))  # fmt: skip
        title = self.string(t, "title", path, required=True)
        state = self.string(t, "state", path) or "active"
        if state not in STATES:
            self.error(path + ("state",), _("state must be one of {states}, got '{state}'").format(
                states=", ".join(STATES), state=state))  # fmt: skip
            state = "active"
        weight = self.number(t, "weight", path)
        if weight is not None and weight <= 0:
            self.error(path + ("weight",), _("weight must be above 0, got {weight}").format(weight=weight))
        needs_dates = kind in ("quantity", "milestones")
        fields: dict[str, Any] = dict(
            id=tid,
            title=title or tid,
            kind=kind,
            file=self.file,
            area=self.string(t, "area", path) or "",
            owner=self.string(t, "owner", path) or "",
            start=self.date(t, "start", path, required=needs_dates),
            due=self.date(t, "due", path, required=needs_dates),
            weight=weight if weight is not None and weight > 0 else 1.0,
            parent=self.string(t, "parent", path),
            state=state,
            source=self.source(t["source"], path + ("source",)) if "source" in t else None,
            notes=self.string(t, "notes", path),
            unit=self.string(t, "unit", path) or "",
        )
        if kind == "quantity":
            fields["baseline"] = self.number(t, "baseline", path) or 0.0
            fields["target"] = self.number(t, "target", path, required=True)
        if kind == "maintain":
            fields["at_least"] = self.number(t, "at_least", path)
            fields["at_most"] = self.number(t, "at_most", path)
        if kind in ("quantity", "maintain"):
            fields["observations"] = self.observations(t.get("observations", []), path + ("observations",))
        if kind == "milestones":
            fields["stages"] = self.stages(t.get("stages"), path + ("stages",))
        if kind != "maintain" and "trajectory" in t:
            fields["trajectory"] = self.trajectory(t["trajectory"], path + ("trajectory",))
        fields["added"] = self.date(t, "added", path)
        if fields.get("observations"):
            fields["observations"], fields["superseded"] = split_revisions(fields["observations"])
        return Target(**fields)

    def observations(self, raw: Any, path: KeyPath) -> tuple[Observation, ...]:
        if not isinstance(raw, list):
            self.error(path, _("observations must be a list: [ {{ date = 2021-10-31, value = 89 }}, ... ]").format())
            return ()
        out: list[Observation] = []
        append = out.append
        make = tuple.__new__  # Observation(...) without its Python-level __new__
        ordered = True
        last = date.min
        for i, o in enumerate(raw):
            # Fast path for the common, well-formed entry (600,000 of them in a
            # provincial ledger): cheap checks only. v - v == 0 rejects nan and
            # inf; the length check rejects unknown keys.
            if type(o) is dict:
                d = o.get("date")
                v = o.get("value")
                note = o.get("note")
                src = o.get("source")
                rec = o.get("recorded")
                tv = type(v)
                if (
                    type(d) is date
                    and (tv is float or tv is int)
                    and v - v == 0  # type: ignore[operator]
                    and len(o) == 2 + (note is not None) + (src is not None) + (rec is not None)
                    and (note is None or type(note) is str)
                    and (src is None or type(src) is str)
                    and (rec is None or type(rec) is date)
                ):
                    append(make(Observation, (d, v, note, src, i, rec)))
                    if d < last:
                        ordered = False
                    last = d
                    continue
            obs = self.observation(o, path + (i,), i)
            if obs is not None:
                append(obs)
                ordered = False  # re-check the order below
        if not ordered:
            out.sort(key=lambda o: o.date)
        if out and not (out[0].date >= MIN_DATE and out[-1].date <= MAX_DATE and _finite_values(out)):
            out = self._drop_bad_figures(out, path)  # rare: the fast path took them unchecked
        return tuple(out)

    def _drop_bad_figures(self, out: list[Observation], path: KeyPath) -> list[Observation]:
        kept = []
        for o in out:
            if not MIN_DATE <= o.date <= MAX_DATE:
                self.error(
                    path + (o.position, "date"), _("'{key}': {error}").format(key="date", error=out_of_range(o.date))
                )
            elif not finite(o.value):
                self.error(path + (o.position, "value"), _not_finite("value", o.value))
            else:
                kept.append(o)
        return kept

    def observation(self, o: Any, path: KeyPath, i: int) -> Observation | None:
        if not isinstance(o, dict):
            self.error(path, _("an observation must be {{ date = ..., value = ... }}, got {value}").format(
                value=_describe(o)))  # fmt: skip
            return None
        self.unknown_keys(o, OBSERVATION_KEYS, path)
        d = self.date(o, "date", path, required=True)
        v = self.number(o, "value", path, required=True)
        note = self.string(o, "note", path)
        src = self.string(o, "source", path)
        rec = self.date(o, "recorded", path)
        if d is None or v is None:
            return None
        return Observation(d, v, note, src, i, rec)

    def stages(self, raw: Any, path: KeyPath) -> tuple[Stage, ...]:
        if raw is None:
            self.error(path[:-1], _("missing required key 'stages' for a milestones target"))
            return ()
        if not isinstance(raw, list):
            self.error(path, _("stages must be a list: [ {{ name = ..., planned = ... }}, ... ]").format())
            return ()
        if not raw:
            self.error(path, _("a milestones target needs at least one stage"))
        out = []
        for i, s in enumerate(raw):
            p = path + (i,)
            if not isinstance(s, dict):
                self.error(p, _("a stage must be {{ name = ..., planned = ... }}, got {value}").format(
                    value=_describe(s)))  # fmt: skip
                continue
            self.unknown_keys(s, STAGE_KEYS, p)
            name = self.string(s, "name", p, required=True)
            weight = self.number(s, "weight", p)
            if weight is not None and weight <= 0:
                self.error(p + ("weight",), _("stage weight must be above 0, got {weight}").format(weight=weight))
                weight = None
            if name is None:
                continue
            out.append(
                Stage(
                    name=name,
                    weight=1.0 if weight is None else weight,
                    planned=self.date(s, "planned", p),
                    done=self.date(s, "done", p),
                    note=self.string(s, "note", p),
                    source=self.string(s, "source", p),
                    position=i,
                    recorded=self.date(s, "recorded", p),
                )
            )
        return tuple(out)

    def trajectory(self, raw: Any, path: KeyPath) -> tuple[Waypoint, ...]:
        if not isinstance(raw, list):
            self.error(path, _("trajectory must be a list: [ {{ date = ..., value = ... }}, ... ]").format())
            return ()
        out = []
        for i, w in enumerate(raw):
            p = path + (i,)
            if not isinstance(w, dict):
                self.error(p, _("a waypoint must be {{ date = ..., value = ... }}, got {value}").format(
                    value=_describe(w)))  # fmt: skip
                continue
            self.unknown_keys(w, WAYPOINT_KEYS, p)
            d = self.date(w, "date", p, required=True)
            value = self.number(w, "value", p)
            share = self.number(w, "share", p)
            if (value is None) == (share is None):
                self.error(p, _("a waypoint needs exactly one of 'value' (in the unit) or 'share' (0 to 1)"))

                continue
            if d is not None:
                out.append(Waypoint(d, value, share, self.string(w, "note", p), i))
        out.sort(key=lambda w: w.date)
        return tuple(out)


MAX_STALE_DAYS = 36500  # a hundred years: beyond it no date arithmetic is safe


def finite(v: float) -> bool:
    """A number whose float is finite: nan, inf and integers beyond the float
    range (a 400-digit value) are not."""
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _finite_values(out: list[Observation]) -> bool:
    from operator import itemgetter

    values = list(map(itemgetter(1), out))
    return finite(max(values)) and finite(min(values))


def _not_finite(key: str, v: float) -> str:
    shown = _("a {n}-digit integer").format(n=len(str(abs(v)))) if type(v) is int else str(v)
    return _("'{key}' must be a finite number, got {value}").format(key=key, value=shown)


def _infer_kind(t: dict[str, Any]) -> str | None:
    if "stages" in t:
        return "milestones"
    if "at_least" in t or "at_most" in t:
        return "maintain"
    if "target" in t:
        return "quantity"
    return None
