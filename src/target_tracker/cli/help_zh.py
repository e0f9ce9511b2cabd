"""Chinese help screens: click's layout, measured in terminal columns.

Click counts characters and breaks lines only at spaces, so Chinese text (two
columns a character, no spaces) would run past the terminal's edge. Here lines
break between Chinese characters too, never inside an English word, option or
path, never before a closing mark such as ，。）and never after an opening
one such as （“. Imported only to show a help screen in Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from typer._click.formatting import HelpFormatter
from typer._click.utils import make_default_short_help

from target_tracker.cli.help import DEFAULT, REQUIRED, translate_help
from target_tracker.i18n import _, pgettext
from target_tracker.output.render import display_width

NO_LINE_START = set("，。、；：？！）》」』】〉”’…%,.;:?!)]}")  # closing marks stay with what they close
NO_LINE_END = set("（《「『【〈“‘([{")  # opening marks stay with what they open
SENTENCE_END = "。"


def _wide(ch: str) -> bool:
    return ord(ch) > 0x2E7F and display_width(ch) == 2


def _can_break(before: str, after: str) -> bool:
    """May a line end between these two characters (neither a space)?"""
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    if after in NO_LINE_END and not _wide(before):  # a code and its gloss: "due（截止日期）"
        return False
    return _wide(before) or _wide(after)


def _atoms(text: str) -> list[str]:
    """The text as pieces a line may not break inside, and single spaces between them.
    A [bracketed note] without spaces, such as [默认：text], stays whole."""
    atoms: list[str] = []
    word, bracket = "", False
    for ch in text:
        if ch.isspace():
            if word:
                atoms.append(word)
                word = ""
            if atoms and atoms[-1] != " ":
                atoms.append(" ")
            bracket = False
            continue
        if word and not bracket and _can_break(word[-1], ch):
            atoms.append(word)
            word = ""
        bracket = (bracket or ch == "[") and ch != "]"
        word += ch
    if word:
        atoms.append(word)
    return atoms


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """``text`` filled into lines of at most ``width`` columns (a longer word overflows)."""
    lines: list[str] = []
    line, used, empty, space = initial_indent, display_width(initial_indent), True, False
    for atom in _atoms(text):
        if atom == " ":
            space = not empty
            continue
        w = display_width(atom)
        if not empty and used + space + w > width:
            lines.append(line)
            line, used, empty, space = subsequent_indent, display_width(subsequent_indent), True, False
        if space:
            line, used = line + " ", used + 1
        line, used, empty, space = line + atom, used + w, False, False
    lines.append(line)
    return lines


def join_lines(lines: Sequence[str]) -> str:
    """A paragraph's lines as one: a space between them, none between two Chinese characters."""
    out = ""
    for line in lines:
        if out and not (_wide(out[-1]) and _wide(line[0])):
            out += " "
        out += line
    return out


def wrap_text(text: str, width: int, indent: str = "") -> str:
    """click's ``wrap_text(preserve_paragraphs=True)``: paragraphs refilled, ``\\b`` ones kept as written."""
    out = []
    for para in re.split(r"\n[ \t]*\n", text.expandtabs()):
        lines = para.splitlines()
        if not lines:
            continue
        if lines[0].strip() == "\b":
            out.append("\n".join(indent + line for line in lines[1:]))
            continue
        extra = " " * (len(lines[0]) - len(lines[0].lstrip()))
        body = join_lines([line.strip() for line in lines])
        out.append("\n".join(wrap(body, width, indent + extra, indent + extra)))
    return "\n\n".join(out)


class ChineseHelpFormatter(HelpFormatter):
    """click's help formatter with widths in terminal columns and Chinese line breaks."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = _("Usage: ") if prefix is None else prefix
        usage_prefix = f"{prefix:>{self.current_indent}}{prog} "
        text_width = self.width - self.current_indent
        if text_width >= display_width(usage_prefix) + 20:
            indent = " " * display_width(usage_prefix)
            lines = wrap(args, text_width, initial_indent=indent, subsequent_indent=indent)
            lines[0] = usage_prefix + lines[0][len(indent) :]
            self.write("\n".join(lines))
        else:
            indent = " " * (max(self.current_indent, display_width(prefix)) + 4)
            self.write(usage_prefix + "\n" + "\n".join(wrap(args, text_width, indent, indent)))
        self.write("\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_(heading)}：\n")

    def write_text(self, text: str) -> None:
        self.write(wrap_text(text, self.width, " " * self.current_indent))
        self.write("\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((display_width(first) for first, _second in rows), default=0), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + pad)
            lines = wrap_text(second, max(self.width - first_col - 2, 10)).splitlines() or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write((pad + line if line else "") + "\n")


def short_help(text: str, limit: int) -> str:
    """A command's line in the list of commands: its first sentence, cut to ``limit`` columns."""
    first = join_lines([line.strip() for line in text.split("\n\n", 1)[0].splitlines()])
    if not any(_wide(ch) for ch in first):  # not translated: click's English rule
        return make_default_short_help(first, limit)
    if SENTENCE_END in first:
        first = first[: first.index(SENTENCE_END) + 1]
    if display_width(first) <= limit:
        return first
    lines = wrap(first, limit - 1)
    return lines[0].rstrip("，、；：") + "…"


def _localize_extra(item: str) -> str:
    """One of click's notes after an option's help: [default: x], [required], a range."""
    if item == "required":
        return _(REQUIRED)
    if item.startswith("default: "):
        return _(DEFAULT).format(default=item[len("default: ") :])
    return item


def _localize_metavar(name: str) -> str:
    """``--ledger <path>`` -> ``--ledger <路径>``: Typer's type names in the interface language."""
    return re.sub(r"<([a-z][a-z ]*)>", lambda m: f"<{pgettext('metavar', m.group(1))}>", name)


def help_record(param: Any, ctx: Any) -> tuple[str, str] | None:
    """An option's or argument's line: its name and its help in Chinese, with click's notes translated."""
    english = param.help
    param.help = None  # Typer's record without the help: just the notes, "[default: text]"
    try:
        record = param.get_help_record(ctx)
    finally:
        param.help = english
    if record is None:
        return None
    name, notes = record
    items = [_localize_extra(item) for item in notes[1:-1].split("; ")] if notes else []
    text = translate_help(english) or ""
    tail = f"[{'；'.join(items)}]" if items else ""
    return _localize_metavar(name), "  ".join(part for part in (text, tail) if part)


def format_options(command: Any, ctx: Any, formatter: Any) -> None:
    """Typer's Arguments and Options sections (and a group's Commands), in Chinese."""
    args: list[tuple[str, str]] = []
    opts: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        record = help_record(param, ctx)
        if record is not None:
            (args if param.param_type_name == "argument" else opts).append(record)
    if args:
        with formatter.section("Arguments"):
            formatter.write_dl(args)
    if opts:
        with formatter.section("Options"):
            formatter.write_dl(opts)
    if hasattr(command, "format_commands"):
        command.format_commands(ctx, formatter)
