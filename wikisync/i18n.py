"""Messages about the tool in the person's language: English, or French when the locale is French.

The English text in the code is the message id; ``wikisync/locale/fr/LC_MESSAGES/wikisync.po``
holds its French translation, compiled to a ``.mo`` when the package is built (``setup.py``
runs Babel; ``make messages`` extracts the messages again and updates the catalog). The language
is chosen as gettext chooses it, from ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` then ``LANG``;
a language without a catalog, or no catalog at all, gives the English text.

What lands on a wiki (page text, edit summaries, the published audit report) is not a message
about the tool: it stays French and never goes through this module.

Placeholders are named, ``%(title)s``, and filled after translation, so that a translation may
put them in another order: ``_("%(title)s exists already") % {"title": title}``.

Nothing is read at import: the catalog is loaded at the first message, so ``wikisync --version``
and a Tab press pay nothing for it. The environment is read at each message (four look-ups), so
that a test may change the language between two runs in one process.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gettext import NullTranslations

DOMAIN = "wikisync"
LOCALE_DIR = Path(__file__).with_name("locale")
#: The variables gettext reads, in its order.
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_loaded: dict[tuple[str | None, ...], NullTranslations] = {}


def translations() -> NullTranslations:
    """The catalog for the language the environment asks for (loaded once per language)."""
    key = tuple(os.environ.get(name) for name in LANGUAGE_VARIABLES)
    found = _loaded.get(key)
    if found is None:
        import gettext

        found = _loaded[key] = gettext.translation(DOMAIN, LOCALE_DIR, fallback=True)
    return found


def _(message: str) -> str:
    """``message`` in the person's language."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count``, in the person's language (French says
    "0 conflit", English "0 conflicts": the rule is the catalog's)."""
    return translations().ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools know)
    """Marks ``message`` for the catalog without translating it: for text defined at import
    (a table of descriptions), translated with :func:`_` where it is shown."""
    return message


def language() -> str:
    """The language messages are in: ``"fr"`` or ``"en"``."""
    info = translations().info()
    return info.get("language", "en") or "en"
