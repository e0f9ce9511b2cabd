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


def language() -> str:
    """The interface language in use: 'en' or 'zh'."""
    return _language


def _(message: str) -> str:
    """The message in the interface language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n``, in the interface language."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (module-level constants)."""
    return message
