"""``--help`` in the interface language.

Command docstrings and ``help=`` texts stay English in the code: they are the
msgids. They are translated when a help screen is shown, not when the command
modules are imported, because the language is only known once ``--lang`` has
been read from the command line (cli/common.py, ``LanguageGroup.parse_args``).

A docstring is translated paragraph by paragraph (a blank line ends one), as
``make i18n`` extracts it (cli/help_extract.py); a ``\\b`` paragraph (click's
"print as written": the examples) is one msgid without its ``\\b`` line.
Click's own words (Usage, Options, ...) are marked here. In English nothing
is translated and Typer's own formatting is used; the Chinese layout (widths
of Chinese characters, line breaks between them) is in cli/help_zh.py,
imported only to show a Chinese help screen.
"""

from __future__ import annotations

from typing import Any

import typer
from typer._click.core import Context
from typer.core import TyperCommand

from target_tracker.i18n import N_, NP_, _, language

NO_REWRAP = "\b"  # click: a paragraph whose first line is \b is printed as written

#: Click's and Typer's own words on a help screen, as they write them (msgids).
USAGE = N_("Usage: ")
USAGE_WORDS = (N_("[OPTIONS]"), N_("COMMAND [ARGS]..."))
HEADINGS = (N_("Arguments"), N_("Options"), N_("Commands"))
HELP_OPTION = N_("Show this message and exit.")
REQUIRED, DEFAULT = N_("required"), N_("default: {default}")
METAVARS = (NP_("metavar", "str"), NP_("metavar", "path"), NP_("metavar", "int range"))


def paragraphs(text: str) -> list[tuple[bool, str]]:
    """A help text's paragraphs: (printed as written, the paragraph without its ``\\b`` line)."""
    out = []
    for para in text.split("\n\n"):
        raw = para.startswith(NO_REWRAP + "\n")
        out.append((raw, para[2:] if raw else para))
    return out


def translate_help(text: str | None) -> str | None:
    """A docstring or ``help=`` text in the interface language, paragraph by paragraph."""
    if not text or language() == "en":
        return text
    return "\n\n".join(
        (NO_REWRAP + "\n" if raw else "") + (_(para) if para else para) for raw, para in paragraphs(text)
    )


class HelpContext(typer.Context):
    """A context whose help screens are laid out for the interface language."""

    def make_formatter(self):  # type: ignore[no-untyped-def]
        if language() == "zh":
            from target_tracker.cli.help_zh import ChineseHelpFormatter

            return ChineseHelpFormatter(width=self.terminal_width, max_width=self.max_content_width)
        return super().make_formatter()


class TranslatedHelp:
    """Mixed into every command of ``tracker`` (and the group): its help, usage
    line and options in the interface language, looked up when shown."""

    context_class: type[Context] = HelpContext
    english_help: str | None = None

    @property
    def help(self) -> str | None:
        return translate_help(self.english_help)

    @help.setter
    def help(self, text: str | None) -> None:
        self.english_help = text

    def get_short_help_str(self, limit: int = 45) -> str:
        if language() == "zh" and not self.short_help:  # type: ignore[attr-defined]
            from target_tracker.cli.help_zh import short_help

            return short_help(self.help or "", limit)
        return super().get_short_help_str(limit)  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = [_(p) if p in USAGE_WORDS else p for p in self.collect_usage_pieces(ctx)]  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_(USAGE))

    def format_options(self, ctx: Any, formatter: Any) -> None:
        if language() == "zh":
            from target_tracker.cli.help_zh import format_options

            format_options(self, ctx, formatter)
            return
        super().format_options(ctx, formatter)  # type: ignore[misc]


class TrackerCommand(TranslatedHelp, TyperCommand):
    """A ``tracker`` command: Typer's, with its help in the interface language."""


class TrackerTyper(typer.Typer):
    """The ``tracker`` app: every command it registers is a :class:`TrackerCommand`."""

    def command(self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def, override]
        return super().command(name, cls=cls or TrackerCommand, **kwargs)
