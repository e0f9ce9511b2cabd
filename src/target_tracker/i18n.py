"""The interface language: English messages translated through gettext catalogs.

Every message a user sees is written in English in the code, wrapped in
``_()`` (or ``ngettext`` for counts), with named ``{placeholders}`` filled by
``.format()`` after translation, so that extraction (Babel) finds it and a
translator can reorder the words::

    _("no target '{id}' in {file}").format(id=tid, file=path)

Catalogs live in ``locale/<lang>/LC_MESSAGES/target_tracker.po`` inside the
package, compiled to ``.mo`` beside them. The language is chosen once per run
by the CLI (:func:`use_language`); library code only calls ``_()``.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Mapping
from datetime import date
from pathlib import Path

DOMAIN = "target_tracker"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh")

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def use_language(lang: str) -> None:
    """Switch every later ``_()`` to ``lang`` ('en' or 'zh'); English if no catalog."""
    global _translation, _language
    _language = lang if lang in LANGUAGES else "en"
    if _language == "en":
        _translation = _gettext.NullTranslations()
        return
    _translation = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[_language], fallback=True)


LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX order: the first one set decides


class LanguageError(ValueError):
    """A language name that is neither 'zh' nor 'en'."""


def check_language(value: str, where: str) -> str:
    """``value`` if it is a language we have ('zh', 'en'), else a LanguageError naming ``where``."""
    if value in LANGUAGES:
        return value
    raise LanguageError(
        _("{where}: unknown language '{value}': use {languages}").format(
            where=where, value=value, languages=" or ".join(LANGUAGES[::-1])
        )
    )


def choose_language(flag: str | None, env: Mapping[str, str], ledger_lang: str | None = None) -> str:
    """The interface language for one run: ``--lang``, else ``$TRACKER_LANG``,
    else the ledger's ``[settings] lang``, else the locale (``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``: 'zh...' is Chinese), else English.

    A pure function of its arguments; raises LanguageError for a bad
    ``--lang`` or ``$TRACKER_LANG``.
    """
    if flag is not None:
        return check_language(flag, "--lang")
    chosen = env.get("TRACKER_LANG")
    if chosen:
        return check_language(chosen, "TRACKER_LANG")
    if ledger_lang:
        return check_language(ledger_lang, "[settings] lang")
    for name in LOCALE_VARIABLES:
        value = env.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def language() -> str:
    """The interface language in use: 'en' or 'zh'."""
    return _language


def _(message: str) -> str:
    """The message in the interface language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n``, in the interface language."""
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """The message in the interface language, told apart by ``context`` from
    the same English word elsewhere ('done' the status vs 'done' the column)."""
    return _translation.pgettext(context, message)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (module-level constants)."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark a message with a context for extraction; translate it later with ``pgettext(context, message)``."""
    return message


# -- dates as people read them (output/formats.py has numbers) -------------------------------

DASH = "–"  # an empty cell
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


def format_date(d: date | None) -> str:
    """A day as people read it: 2021-10-31, or 2021年10月31日 in Chinese; '–' for none."""
    if d is None:
        return DASH
    if language() == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


def format_month(year: int, month: int) -> str:
    """A month as people read it: October 2021, or 2021年10月 in Chinese.
    (Not strftime("%B"): that follows the C locale, not the interface language.)"""
    if language() == "zh":
        return f"{year}年{month}月"
    return f"{_MONTHS[month - 1]} {year}"
