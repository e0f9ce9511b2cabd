"""The interface language at the command line: the ledger's ``[settings] lang``
read before the ledger is parsed, and click's usage errors in Chinese."""

from __future__ import annotations

import re
from pathlib import Path

from target_tracker.i18n import LANGUAGES, _

try:  # Typer's own copy of click words its usage errors in English, with no gettext hook
    from typer._click.exceptions import (
        BadOptionUsage,
        BadParameter,
        MissingParameter,
        NoArgsIsHelpError,
        NoSuchOption,
        UsageError,
    )
except ImportError:  # pragma: no cover - a Typer that uses click itself
    from click.exceptions import (  # type: ignore[assignment]
        BadOptionUsage,
        BadParameter,
        MissingParameter,
        NoArgsIsHelpError,
        NoSuchOption,
        UsageError,
    )

USAGE_ERRORS = (UsageError,)
SHOWS_HELP = (NoArgsIsHelpError,)  # a "usage error" that is the help screen: plain `tracker`


_SETTINGS_LANG = re.compile(r"^\[settings\][^\[]*?^[ \t]*lang[ \t]*=[ \t]*[\"'](\w+)[\"']", re.M | re.S)


def settings_lang(text: str) -> str | None:
    """The ``[settings] lang`` of a ledger's text, read before it is parsed (None if absent or unknown)."""
    m = _SETTINGS_LANG.search(text)
    return m.group(1) if m and m.group(1) in LANGUAGES else None


def ledger_lang_of(path: Path) -> str | None:
    """The ``[settings] lang`` of the ledger file at ``path``, read from its first 64 KB
    (where [settings] lives, before the targets) without parsing it; None if unreadable."""
    import os
    import stat

    try:  # never blocks on a FIFO or reads a device: the loader refuses those with a message
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return settings_lang(os.read(fd, 65536).decode("utf-8", errors="replace"))
    except OSError:
        return None
    finally:
        os.close(fd)


def usage_error_text(e: Exception) -> str:
    """A click usage error in the interface language, from its fields (unknown kinds: click's text)."""
    if isinstance(e, NoSuchOption):
        hint = list(e.possibilities or [])  # best match first (difflib)
        tip = _(" (did you mean '{hint}'?)").format(hint=hint[0]) if hint else ""
        return _("no such option: {option}{tip}").format(option=e.option_name, tip=tip)
    if isinstance(e, MissingParameter):
        name = e.param.get_error_hint(e.ctx) if e.param is not None and e.ctx is not None else ""
        if (e.param_type or (e.param.param_type_name if e.param else "")) == "argument":
            return _("missing argument {name}").format(name=name)
        return _("missing option {name}").format(name=name)
    if isinstance(e, BadOptionUsage):
        if "does not take a value" in e.message:
            return _("option {option} takes no value").format(option=e.option_name)
        return _("option {option} needs a value").format(option=e.option_name)
    if isinstance(e, BadParameter):
        param = e.param.get_error_hint(e.ctx) if e.param is not None and e.ctx is not None else ""
        return _("invalid value for {option}: {error}").format(option=param, error=_value_error(e.message))
    text = str(e)
    if m := re.fullmatch(r"No such command '(.*?)'\.(?: Did you mean '(.*)'\?)?", text):
        if m.group(2):  # click's suggestion (difflib)
            tip = _(" (did you mean '{hint}'?)").format(hint=m.group(2))
            return _("no such command '{name}'{tip}").format(name=m.group(1), tip=tip)
        return _("no such command '{name}': see 'tracker --help'").format(name=m.group(1))
    if m := re.fullmatch(r"Got unexpected extra argument\(s\) \((.*)\)", text):
        return _("unexpected extra arguments: {args}").format(args=m.group(1))
    if text == "Missing command.":
        return _("missing command: see 'tracker --help'")
    return text


def _value_error(message: str) -> str:
    """Click's words for a bad number (the one typed option: merge-file --marker-size), translated."""
    if m := re.fullmatch(r"(.*) is not a valid (?:int|int range|integer)\.", message):
        return _("{value} is not a whole number").format(value=m.group(1))
    if m := re.fullmatch(r"(.*) is not in the range (.*)\.", message):
        return _("{value} is not in the range {range}").format(value=m.group(1), range=m.group(2))
    return message
