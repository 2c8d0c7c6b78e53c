"""Comparison keys: the one home of every rule by which two names are "the same".

Pure functions, no I/O. Every module compares names through these, never by a rule of its own:

- titles: :func:`normalize_title` / :func:`title_key` (per wiki with namespaces:
  :class:`wikisync.siteinfo.TitleRules`, whose namespace names compare by :func:`namespace_key`);
- template parameter names: :func:`param_key` (reading and writing a call alike);
- template names: :func:`template_key`;
- section headings: :func:`heading_key`;
- the audit's duplicates: :func:`fold`.

- :func:`normalize_title` gives the form MediaWiki stores a main-namespace title under (with
  spaces, not underscores): ``Le_WIP``, ``le WIP`` and ``  le   WIP `` all give ``Le WIP``.
  List keys (:class:`wikisync.model.ListEntry.key`) are in this form.
- :func:`title_from_url_path` reads a title out of the path of an article URL
  (``Tiers-lieu_L%E2%80%99%C3%89tabli`` -> ``Tiers-lieu L’Établi``).
- :func:`url_title` is the reverse: MediaWiki's ``wfUrlencode`` of a title's DB key.
- :func:`fold` is the duplicate key of the audit: case, accents and punctuation folded, so that
  ``Le WIP``, ``Le Wip`` and ``le-wip`` collide.

What is *not* handled: namespaces (the part before ``:`` is not recognised, so only the first
letter of the whole title is upper-cased) and wikis with ``$wgCapitalLinks = false``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote, unquote

__all__ = [
    "fold",
    "heading_key",
    "namespace_key",
    "normalize_title",
    "param_key",
    "template_key",
    "title_from_url_path",
    "title_key",
    "url_title",
    "wikilink_target",
    "without_comments",
]

_WHITESPACE = re.compile(r"\s+")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_CHAR_REF = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")
# Bidi marks MediaWiki strips from titles (Title::secureAndSplit / MediaWikiTitleCodec).
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))
# What wfUrlencode() leaves readable on top of PHP urlencode()'s [A-Za-z0-9_.-].
_URL_SAFE = ";@$!*(),/~:"
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_TEMPLATE_NS = re.compile(r"^\s*(?:modèle|template)\s*:", re.IGNORECASE)
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l"})
# Below U+0370, the characters unicodedata.combining() counts are U+0300 to U+036F but the
# grapheme joiner U+034F; [\W_] is what str.isalnum() refuses (both checked on every code point
# by tests/test_titles.py).
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")
_BEYOND_LATIN_MARKS = re.compile("[^\x00-\u036f]")
_NOT_ALNUM = re.compile(r"[\W_]+")
_LIGATURE_RE = re.compile("[œæøđł]")


@lru_cache(maxsize=65536)  # a run asks again and again for the same thousands of titles
def normalize_title(title: str) -> str:
    """Return ``title`` as MediaWiki compares titles.

    NFC, bidi marks dropped, ``_`` read as a space, runs of whitespace (including no-break
    spaces) collapsed to one space, surrounding whitespace stripped, first letter upper-cased
    (``$wgCapitalLinks``). A first letter whose upper case is several letters (``ß``) is kept
    as it is, as MediaWiki does. Idempotent.
    """
    text = unicodedata.normalize("NFC", title).translate(_INVISIBLE).replace("_", " ")
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        return ""
    first = text[0].upper()
    if len(first) != 1:
        first = text[0]
    text = first + text[1:]
    # a title read from a wiki is normal already: the cache then keeps one string, not two
    return title if text == title else text


def title_key(title: str) -> str:
    """The key two titles are compared by; the same as :func:`normalize_title`."""
    return normalize_title(title)


@lru_cache(maxsize=4096)  # a few dozen names, compared for every parameter of every page
def param_key(name: str) -> str:
    """The key of a template parameter name, for reading and writing a call alike.

    NFC, comments dropped, ``_`` read as a space, whitespace runs collapsed and stripped, first
    letter case-insensitive: ``code_postal``, ``Code postal`` and `` code  postal`` are one
    parameter. Accents and apostrophes count (``d'`` and ``d’`` differ). MediaWiki itself is
    stricter; pages written by hand mix these spellings, and a mapping names each parameter once.
    """
    text = unicodedata.normalize("NFC", _COMMENT.sub("", name)).replace("_", " ")
    text = " ".join(text.split())
    return text[:1].lower() + text[1:]


@lru_cache(maxsize=1024)
def template_key(name: str) -> str:
    """The key of a template name: a title without ``Modèle:``/``Template:`` (comments dropped).

    The form is the title as MediaWiki stores it (``tiers-Lieux`` -> ``Tiers-Lieux``), fit to be
    shown.
    """
    text = unicodedata.normalize("NFC", _COMMENT.sub("", name))
    return normalize_title(_TEMPLATE_NS.sub("", text, count=1))


def heading_key(title: str) -> str:
    """The key of a section heading: NFC, comments dropped, whitespace runs collapsed."""
    return " ".join(unicodedata.normalize("NFC", _COMMENT.sub("", title)).split())


def namespace_key(name: str) -> str:
    """The key of a namespace name: case-insensitive, ``_`` = space."""
    return unicodedata.normalize("NFC", name).replace("_", " ").strip().casefold()


def title_from_url_path(path: str) -> str:
    """The title named by the part of an article URL's path that follows the article prefix.

    Percent-escapes are decoded as UTF-8 (a ``+`` stays a ``+``: that is only a space in a
    query string), then the title is normalised.
    """
    return normalize_title(unquote(path, encoding="utf-8", errors="replace"))


def wikilink_target(target: str) -> str:
    """The target text of ``[[target]]`` as MediaWiki's parser reads it, before the title's
    own normalisation: ``%XX`` escapes decoded as UTF-8 (``[[Le%20WIP]]``, a URL's tail pasted
    into a link; a lone ``%`` stays, and escapes that are not UTF-8 are left as written), then
    character references (``&amp;``, ``&#39;``, ``&eacute;``, each with its ``;``; ``&copy``
    without one stays). Checked against MediaWiki 1.39's ``action=parse`` links:
    ``[[D%26amp%3B]]`` names "D&", ``[[Caf&eacute;]]`` "Café", ``[[A%20%]]`` "A %".
    """
    if "%" in target and _PERCENT.search(target):
        try:
            target = unquote(target, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            pass
    if "&" in target:
        target = _CHAR_REF.sub(lambda m: html.unescape(m.group(0)), target)
    return target


def without_comments(value: str) -> str:
    """``value`` without its HTML comments, as MediaWiki passes a template parameter to the
    template (an unclosed ``<!--`` hides the rest): ``29900 <!-- à vérifier -->`` is
    ``29900 ``, and ``<!-- la ville -->``, a page template's hint, is empty."""
    return _COMMENT.sub("", value) if "<!--" in value else value


def url_title(title: str) -> str:
    """The title as MediaWiki writes it in a URL (``wfUrlencode`` of the DB key).

    Spaces become ``_``; ``;@$!*(),/~:`` stay readable; every other character outside
    ``[A-Za-z0-9_.-]`` is percent-encoded as UTF-8, ``'`` and ``’`` included
    (``L'Établi`` -> ``L%27%C3%89tabli``).
    """
    return quote(normalize_title(title).replace(" ", "_"), safe=_URL_SAFE)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The audit's duplicate key: case, accents, ligatures and punctuation folded.

    ``fold("Le WIP") == fold("Le Wip") == fold("le-wip") == "le wip"``;
    ``fold("L’Établi") == fold("l'etabli") == "l etabli"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        lowered = decomposed.lower()
    else:
        if _BEYOND_LATIN_MARKS.search(decomposed) is None:  # a regex, not a loop in Python
            bare = _LATIN_MARKS.sub("", decomposed)
        else:
            bare = "".join(c for c in decomposed if not unicodedata.combining(c))
        lowered = bare.casefold()
        if _LIGATURE_RE.search(lowered):
            lowered = lowered.translate(_LIGATURES)
    return _NOT_ALNUM.sub(" ", lowered).strip(" ")
