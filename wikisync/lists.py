"""List entries: from a page's :class:`RawEntry` to a wiki-independent :class:`ListEntry`, and back.

Pure functions, no I/O.

Glossary
--------
LinkContext
    What the configured wikis look like from a link's point of view: for each wiki, the URL
    prefixes of its articles and its interwiki map (prefix -> configured wiki).
key
    The lieu an entry names, as a normalised title (:func:`wikisync.titles.normalize_title`).
head
    What an entry shows before its annotation: a link to the lieu, or its name as plain text.
annotation
    What follows the head on the first line.
lead
    What stands before the head on the first line: formatting around the link (``'''`` in
    ``* '''[[La Myne]]''' – Villeurbanne``) or words (``Le `` in ``* Le [[WIP]] à Caen``).

Choices (documented because pages and the state depend on them)
----------------------------------------------------------------
- **Key.** The target of the first link that may name a lieu (:func:`is_article_link`: not a
  file, user, category, special page or SMW property such as ``[[Ville::Lyon]]``) when it names
  a page of a configured wiki: an internal link (``[[T]]``, ``[[:T]]``, ``[[T#section]]``), an
  interwiki link whose prefix this wiki's interwiki map names (``[[movilab:T]]``, whether the
  parser reports it as ``interwiki`` or as an internal link whose target starts with
  ``prefix:``), or an external link to an article URL of a configured wiki (``/wiki/T``,
  ``/index.php?title=T``, any listed host, percent-decoded). A link inside a template
  (``{{lang|fr|''[[X]]''}}``) names the lieu too; the template is then the entry's head, copied
  as written. Else the plain name, up to the first separator of :data:`SEPARATORS` or the first
  template, link, tag or comment after it, never cut inside one.
- **Foreign links.** An entry whose first link points elsewhere (an unconfigured site, an
  unknown interwiki prefix) is not a link to a lieu page: its key is the link's text up to the
  first separator (or the URL / interwiki target when it has no text), and its ``label`` holds
  the head *as written* (whitespace normalised), e.g. ``[https://lamyne.org La Myne]``. It is
  rendered back verbatim on every page, whatever wiki has a page of that name. Words before
  an outside link (not one to a configured wiki's article) name the entry instead, as a plain
  name: ``* Le Bocal [https://bocal.example.org site]`` and ``* Le Bocal
  http://bocal.example.org`` name Le Bocal, the link being part of the annotation.
- **Label.** Kept only when it differs from the key once both are normalised as titles.
- **Annotation.** ``rest`` with each run of whitespace collapsed to one space and trailing
  whitespace dropped; a leading run of whitespace is kept as *one* space, so that
  ``* [[A]] – x`` and ``*[[A]]  – x`` both give ``" – x"`` while ``* [[A]], x`` gives
  ``", x"``. It is written right after the head, as is.
- **Lead.** Whitespace normalised like the annotation, without the space after the bullet; a
  trailing run of whitespace is kept as one space (``"Le "``). The closing ``'''`` of a bold
  link belongs to the annotation, so lead + head + annotation give the line back as written.
  A plain entry has one only when its name is preceded by bold or italic quotes, inline tags
  (``<span style=..>``) or links that never name a lieu (``[[Fichier:Logo.png|20px]] ``);
  words before a plain name are part of the name.
- **Children.** Stored relative to the entry's bullet, whitespace normalised: under a ``*``
  entry, ``**  sous-point`` is stored as ``"* sous-point"``, so ``*``/``#`` lists compare equal.
  A line that does not start with the entry's bullet (``: contact : ...``, the line after one
  ending in ``<br>``) is kept whole, marked by :data:`CONTINUATION`.
- **Plain text** is written only for an entry that was plain text where it came from and that
  reads back as the same entry (no label, no lead but formatting, icons or tags, no separator in
  the key, an annotation that cannot merge into the name). An entry named by a link stays a
  link where no wiki has its page (a red link, which turns blue when the page is created); a
  plain one for a lieu no wiki has a page of is copied as written from the page it comes
  from (:func:`wikisync.listsync.new_text`), never made a link.
- **Separators** are found whatever blanks surround a dash: ``TETRIS\u00a0- x`` (a
  non-breaking space, as the visual editor saves it) or ``La Myne\t– x`` name TETRIS and La
  Myne, as ``TETRIS - x`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from wikisync.i18n import _

from .errors import ConfigError
from .identity import Identity
from .model import Link, ListEntry, RawEntry
from .titles import normalize_title, title_from_url_path, url_title, wikilink_target

__all__ = [
    "CONTINUATION",
    "OTHER_NAMESPACES",
    "SEPARATORS",
    "LinkContext",
    "WikiLinks",
    "article_urls_from_siteinfo",
    "format_entry",
    "guess_article_urls",
    "is_article_link",
    "link_target",
    "link_title",
    "normalize_annotation",
    "normalize_lead",
    "is_furniture",
    "render_entry",
    "render_head",
    "as_read",
    "split_name",
    "split_plain_entry",
    "to_list_entry",
]

#: What ends a plain entry's name, in the contract's words.
SEPARATORS: tuple[str, ...] = (" – ", " - ", ":", ",", "(")
#: The same, as found in text: the spaces around a dash may be any run of blanks (a
#: non-breaking space, as the visual editor saves it, or a tab), never a line break.
_SEPARATOR_RE = re.compile(r"[^\S\n]+[–-][^\S\n]+|[:,(]")

#: Namespace names (French, canonical and the usual aliases, folded) whose links never name a
#: lieu: a file used as an icon, a user, a category, a special page, a property...
OTHER_NAMESPACES: frozenset[str] = frozenset({
    "média", "media", "spécial", "special", "discussion", "talk", "utilisateur", "user",
    "utilisatrice", "discussion utilisateur", "discussion utilisatrice", "user talk", "projet",
    "project", "discussion projet", "project talk", "fichier", "file", "image",
    "discussion fichier", "file talk", "image talk", "mediawiki", "discussion mediawiki",
    "mediawiki talk", "modèle", "template", "discussion modèle", "template talk", "aide", "help",
    "discussion aide", "help talk", "catégorie", "category", "discussion catégorie",
    "category talk", "attribut", "property", "discussion attribut", "property talk", "concept",
    "formulaire", "form", "sujet", "topic",
})

HasPage = Callable[[str, str], bool]

#: Marks a child line kept whole rather than relative to the entry's bullet (no line can
#: otherwise start with a newline).
CONTINUATION = "\n"

_BULLETS = re.compile(r"^[*#:;]*")
#: Bold, italic or both, opening a plain entry's name: ``'''La Myne''' – Villeurbanne``.
_FORMAT_RUN = re.compile(r"('{5}|'{3}|'{2})(?!')")


# --------------------------------------------------------------------------- link context


@dataclass(frozen=True)
class WikiLinks:
    """How links reach one configured wiki and what it knows of the others."""

    name: str
    article_urls: tuple[str, ...] = ()  # "https://movilab.org/wiki/", "...index.php?title="
    interwiki: tuple[tuple[str, str], ...] = ()  # (prefix, lower-cased; wiki name), config order


@dataclass(frozen=True)
class LinkContext:
    """The configured wikis, as links see them. Wiki order is the config's order.

    ``same`` says which titles on which wikis are one lieu (the mappings' ``same:`` pairs): an
    entry's key is its lieu's record key, and each wiki's page links to its own title.
    """

    wikis: tuple[WikiLinks, ...] = ()
    same: Identity = field(default_factory=Identity)
    #: (wiki, title) of a redirect -> the title it leads to on that wiki (read per run).
    redirects: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def followed(self, target: tuple[str, str]) -> tuple[str, str]:
        """``(wiki, title)``, or where it redirects to on that wiki."""
        return target[0], self.redirects.get(target, target[1])

    @classmethod
    def from_data(cls, data: Mapping[str, Mapping[str, Any]],
                  same: Iterable[Mapping[str, str]] = ()) -> LinkContext:
        """Build from ``{wiki: {"article_urls": [...], "interwiki": {prefix: wiki}}}`` and the
        ``same:`` pairs ``[{wiki: title, ...}]``.

        Every problem is collected and raised at once as a :class:`ConfigError`.
        """
        problems: list[str] = []
        wikis = tuple(_wiki_links(name, spec, problems) for name, spec in data.items())
        names = {w.name for w in wikis}
        for wiki in wikis:
            for prefix, other in wiki.interwiki:
                if other not in names:
                    problems.append(_("wikis.%(name)s.interwiki.%(prefix)s: unknown wiki "
                                      "%(other)r") % {
                        "name": wiki.name, "prefix": prefix, "other": other})
        if problems:
            raise ConfigError(problems)
        return cls(wikis, Identity.from_pairs(same, [w.name for w in wikis]))

    def names(self) -> tuple[str, ...]:
        """The configured wiki names, in config order."""
        return tuple(w.name for w in self.wikis)

    def get(self, wiki: str) -> WikiLinks:
        """The links of ``wiki``; an unknown wiki has no URLs and no interwiki map."""
        for links in self.wikis:
            if links.name == wiki:
                return links
        return WikiLinks(wiki)

    def interwiki_wiki(self, wiki: str, prefix: str) -> str | None:
        """The configured wiki that ``prefix`` names on ``wiki``, if any (case-insensitive)."""
        wanted = prefix.strip().lower()
        for known, other in self.get(wiki).interwiki:
            if known == wanted:
                return other
        return None

    def prefix_for(self, wiki: str, other: str) -> str | None:
        """The first interwiki prefix ``wiki`` knows for ``other``, if any."""
        for prefix, target in self.get(wiki).interwiki:
            if target == other:
                return prefix
        return None

    def locate_url(self, url: str) -> tuple[str, str] | None:
        """``(wiki, title)`` when ``url`` is an article URL of a configured wiki, else None."""
        parts = urlsplit(url.strip())
        for links in self.wikis:
            for prefix in links.article_urls:
                title = _title_in_url(parts, prefix)
                if title:
                    return links.name, title
        return None

    def article_url(self, wiki: str, title: str) -> str | None:
        """The URL of ``title`` on ``wiki`` (its first article URL), or None if it has none."""
        urls = self.get(wiki).article_urls
        return urls[0] + url_title(title) if urls else None


def _wiki_links(name: str, spec: Mapping[str, Any], problems: list[str]) -> WikiLinks:
    """One :class:`WikiLinks` from plain data, appending problems instead of raising."""
    urls = tuple(spec.get("article_urls", ()) or ())
    for url in urls:
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            problems.append(_("wikis.%(name)s.article_urls: not an http(s) URL: %(url)r") % {
                "name": name, "url": url})
    interwiki = spec.get("interwiki", {}) or {}
    pairs = tuple((str(prefix).strip().lower(), str(other)) for prefix, other in interwiki.items())
    return WikiLinks(name, tuple(u for u in urls if isinstance(u, str)), pairs)


def _title_in_url(parts: Any, prefix: str) -> str:
    """The title ``parts`` (a split URL) names under the article URL ``prefix``, or ""."""
    base = urlsplit(prefix)
    if (parts.hostname or "").lower() != (base.hostname or "").lower():
        return ""
    if base.query.endswith("title="):  # ".../index.php?title="
        if parts.path != base.path:
            return ""
        values = parse_qs(parts.query).get("title", [])
        return normalize_title(values[0]) if values else ""
    if not base.path or not parts.path.startswith(base.path):
        return ""
    return title_from_url_path(parts.path[len(base.path):])


def guess_article_urls(api_url: str) -> tuple[str, ...]:
    """Likely article URL prefixes of a wiki from its API URL, for when siteinfo is not at hand.

    ``https://movilab.org/api.php`` -> ``/wiki/``, ``/index.php?title=`` and ``/index.php/``.
    """
    parts = urlsplit(api_url)
    script_dir = parts.path.rsplit("/", 1)[0]
    root = f"{parts.scheme}://{parts.netloc}"
    return (
        f"{root}/wiki/",
        f"{root}{script_dir}/index.php?title=",
        f"{root}{script_dir}/index.php/",
    )


def article_urls_from_siteinfo(server: str, articlepath: str, script: str) -> tuple[str, ...]:
    """Article URL prefixes from siteinfo's ``server``, ``articlepath`` and ``script``.

    A protocol-relative server (``//movilab.org``) is read as https. Only an article path that
    ends with ``$1`` gives a path prefix.
    """
    root = "https:" + server if server.startswith("//") else server
    urls = []
    if articlepath.endswith("$1"):
        urls.append(root + articlepath[:-2])
    urls.append(f"{root}{script}?title=")
    return tuple(dict.fromkeys(urls))


# --------------------------------------------------------------------------- reading


def _construct_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` a name is never cut inside: ``{{...}}``, ``[[...]]``, ``[url ...]``,
    a bare URL, ``<!--...-->`` and tag markup (``<span style="color:green">``, ``</span>``)."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        end = None
        if text.startswith("{{", i) or text.startswith("[[", i):
            end = _balanced_end(text, i, text[i] * 2, "}}" if text[i] == "{" else "]]")
        elif text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            end = n if close < 0 else close + 3
        elif text[i] == "[" and _EXTERNAL_START.match(text, i + 1):
            close = text.find("]", i)
            end = None if close < 0 else close + 1
        elif text[i] == "<":
            tag = _TAG_MARKUP.match(text, i)
            end = tag.end() if tag else None
        elif text[i] in "hHfF":
            url = _BARE_URL.match(text, i)
            end = url.end() if url else None
        if end is None:
            i += 1
        else:
            spans.append((i, end))
            i = end
    return spans


def _balanced_end(text: str, i: int, opening: str, closing: str) -> int | None:
    """End of the construct opened at ``i`` (nesting counted), or None if it never closes."""
    depth, k = 0, i
    while k < len(text):
        if text.startswith(opening, k):
            depth, k = depth + 1, k + 2
        elif text.startswith(closing, k):
            depth, k = depth - 1, k + 2
            if depth == 0:
                return k
        else:
            k += 1
    return None


_EXTERNAL_START = re.compile(r"(?:https?:)?//|mailto:", re.IGNORECASE)
#: A bare URL, as MediaWiki links it (up to the first blank).
_BARE_URL = re.compile(r"(?<![\w/])(?:https?|ftp)://[^\s<>\[\]{}|]+", re.IGNORECASE)
_TAG_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")


def split_name(text: str) -> tuple[str, str]:
    """Split a plain entry's text into its name (stripped) and what follows the name.

    ``"La Myne – Villeurbanne"`` -> ``("La Myne", " – Villeurbanne")``; a text that starts with
    a separator has no name: ``" (en projet)"`` -> ``("", "(en projet)")``. The name also ends
    where a template, link, tag or comment starts after it, and is never cut inside one
    (``Lieu {{site officiel|url=http://x}}`` names "Lieu"); a text that starts with one keeps
    it whole in the name.
    """
    spans = _construct_spans(text)
    cut = len(text)
    at = _find_outside(text, spans)
    if at >= 0:
        cut = at
    for start, _end in spans:
        if text[:start].strip() and start < cut:
            cut = start
            break
    name = text[:cut].strip()
    end = text.find(name) + len(name) if name else cut
    return name, text[end:]


def _find_outside(text: str, spans: list[tuple[int, int]]) -> int:
    """Where the first separator in ``text`` that is not inside one of ``spans`` starts,
    else -1."""
    found = _SEPARATOR_RE.search(text)
    while found is not None:
        inside = next((e for s, e in spans if s <= found.start() < e), None)
        if inside is None:
            return found.start()
        found = _SEPARATOR_RE.search(text, inside)
    return -1


def split_plain_entry(body: str) -> tuple[str, str, str]:
    """(name, rest, lead) of a plain entry's text after its bullet (see :func:`split_name`).

    The lead is what opens the line before the name: icons and other links that never name a
    lieu (``[[Fichier:Logo.png|20px]]``), bold or italic quotes, inline tags
    (``<span style="color:green">``). The name then runs up to a separator, a closing quote
    run or the next construct: ``'\'\'La Myne'\'\' – Villeurbanne`` names La Myne, as
    ``'\'\'[[La Myne]]'\'\'`` does. Words before a plain name are part of the name.
    """
    stripped = body.lstrip(" \t")
    lead_end = _lead_end(stripped)
    if lead_end:
        lead, inner = stripped[:lead_end], stripped[lead_end:]
        quotes = _FORMAT_RUN.search(inner)
        head_end = quotes.start() if quotes else len(inner)
        name, rest = split_name(inner[:head_end])
        if name and "''" not in name:
            return name, rest + inner[head_end:], lead
    name, rest = split_name(body)
    return name, rest, ""


def _lead_end(text: str) -> int:
    """Length of the lead that opens ``text`` (see :func:`split_plain_entry`)."""
    pos = 0
    while pos < len(text):
        run = _FORMAT_RUN.match(text, pos)
        if run is not None:
            pos = run.end()
            continue
        tag = _TAG_MARKUP.match(text, pos)
        if tag is not None and not tag.group(0).startswith("</"):
            pos = tag.end()
            continue
        if text.startswith("[[", pos):
            end = _balanced_end(text, pos, "[[", "]]")
            if end is not None and not is_article_link(_wikilink(text[pos:end])):
                pos = end
                while pos < len(text) and text[pos] in " \t":
                    pos += 1
                continue
        break
    return pos


def _wikilink(markup: str) -> Link:
    """The link ``[[target|label]]`` names, read just far enough to tell its namespace."""
    target = markup[2:-2].split("|", 1)[0].strip().removeprefix(":")
    prefix, sep, rest = target.partition(":")
    if sep and prefix.strip() and rest.strip():
        return Link("interwiki", target=rest.strip(), prefix=prefix.strip())
    return Link("internal", target=target)


def normalize_annotation(rest: str) -> str:
    """``rest`` with whitespace normalised (see the module docstring)."""
    collapsed = " ".join(rest.split())
    if not collapsed:
        return ""
    return " " + collapsed if rest[:1].isspace() else collapsed


def normalize_lead(lead: str) -> str:
    """``lead`` with whitespace normalised (see the module docstring)."""
    collapsed = " ".join(lead.split())
    if not collapsed:
        return ""
    return collapsed + " " if lead[-1:].isspace() else collapsed


def is_article_link(link: Link) -> bool:
    """Whether ``link`` may name a lieu: not an SMW annotation (``[[Ville::Lyon]]``), not a link
    into another namespace (``[[Fichier:Logo.png|20px]]``, ``[[Utilisateur:X|X]]``)."""
    if link.kind == "external":
        return True
    if link.kind not in ("internal", "interwiki") or "::" in link.target:
        return False
    if link.kind == "interwiki" and link.target.startswith(":"):  # [[Ville::Lyon]]
        return False
    prefix = link.prefix if link.kind == "interwiki" else link.target.partition(":")[0]
    if prefix is None or (link.kind == "internal" and ":" not in link.target):
        return True
    folded = " ".join(prefix.replace("_", " ").split()).casefold()
    return folded not in OTHER_NAMESPACES


def is_furniture(raw: RawEntry) -> bool:
    """Whether ``raw`` is page furniture rather than an entry: a link to a section of its own
    page (``[[#Contacts|voir les contacts]]``), or a line of links that never name a lieu
    (category tags, files) with no words of its own. Copied elsewhere, a category tag would put
    the other wiki's page in that category."""
    if raw.link.kind == "internal":
        return raw.link.target.strip().removeprefix(":").startswith("#")
    if raw.link.kind != "plain":
        return False
    text = raw.text.split("\n", 1)[0].removeprefix(raw.bullet)
    kept, pos, links = [], 0, 0
    for start, end in _construct_spans(text):
        markup = text[start:end]
        if markup.startswith("[[") and not is_article_link(_wikilink(markup)):
            kept.append(text[pos:start])
            pos, links = end, links + 1
    kept.append(text[pos:])
    return links > 0 and not "".join(kept).strip()


def link_title(link: Link, wiki: str, ctx: LinkContext) -> str | None:
    """The normalised title ``link`` (on ``wiki``) points to on a configured wiki, else None."""
    target = link_target(link, wiki, ctx)
    return target[1] if target else None


def link_target(link: Link, wiki: str, ctx: LinkContext) -> tuple[str, str] | None:
    """``(configured wiki, normalised title)`` that ``link`` (on ``wiki``) points to, else None."""
    if link.kind == "internal":
        target = wikilink_target(link.target).strip()
        target = target.removeprefix(":")
        prefix, sep, after = target.partition(":")
        other = ctx.interwiki_wiki(wiki, prefix) if sep else None
        title = _page_title(after if other else target)
        return (other or wiki, title) if title else None
    if link.kind == "interwiki":
        other = ctx.interwiki_wiki(wiki, link.prefix) if link.prefix is not None else None
        title = _page_title(wikilink_target(link.target)) if other else None
        return (other, title) if other and title else None
    if link.kind == "external":
        return ctx.locate_url(link.target)
    return None


def _page_title(target: str) -> str | None:
    """The page part of a link target (no fragment, no leading colon), normalised."""
    page = target.split("#", 1)[0].strip()
    page = page.removeprefix(":")
    title = normalize_title(page)
    return title or None


def to_list_entry(raw: RawEntry, wiki: str, ctx: LinkContext) -> ListEntry:
    """The wiki-independent form of an entry read on ``wiki``."""
    raw = as_read(raw, wiki, ctx)
    annotation = normalize_annotation(raw.rest)
    children = _relative_children(raw.bullet, raw.children)
    lead = normalize_lead(raw.lead)
    target = link_target(raw.link, wiki, ctx)
    if target is not None:
        title = target[1]
        label = " ".join(raw.head.split()) if raw.head else _label(raw.link.label, title)
        return ListEntry(ctx.same.key(*ctx.followed(target)), label, annotation, children, lead,
                         linked=True)
    if raw.link.kind == "plain":
        if raw.name.strip():
            shown = " ".join(raw.name.split())
            label = shown if _is_markup(shown) else None
            return ListEntry(ctx.same.key(None, raw.name), label, annotation, children, lead)
        # Text that starts with a separator ("(en projet) La Myne"): the whole line is the key.
        return ListEntry(normalize_title(_head_as_written(raw) + raw.rest), None, "", children)
    return ListEntry(_foreign_key(raw.link), _head_as_written(raw), annotation, children, lead,
                     linked=True)


def as_read(raw: RawEntry, wiki: str, ctx: LinkContext) -> RawEntry:
    """``raw`` as the lists read it on ``wiki``. An entry whose words stand before its first
    link, an outside one (not to a configured wiki's article), is a plain entry named by those
    words, the link being part of what follows the name: ``* Le Bocal
    [https://bocal.example.org site] – Caen`` and ``* Le Bocal http://bocal.example.org`` name
    Le Bocal. Any other entry is returned as it is (a link that opens the line, after icons or
    formatting only, still names it)."""
    if (raw.link.kind != "external" or raw.head or not raw.lead[_lead_end(raw.lead):].strip()
            or link_target(raw.link, wiki, ctx) is not None):
        return raw
    body = raw.text.split("\n", 1)[0].rstrip("\r").removeprefix(raw.bullet)
    name, rest, lead = split_plain_entry(body)
    if not name or _EXTERNAL_START.match(name):
        return raw
    return replace(raw, link=Link("plain"), name=name, rest=rest, lead=lead)


def _label(label: str | None, title: str) -> str | None:
    """The shown text, or None when it only repeats the title."""
    if label is None:
        return None
    shown = " ".join(label.split())
    return None if not shown or normalize_title(shown) == title else shown


def _foreign_key(link: Link) -> str:
    """Key of an entry whose first link points outside the configured wikis."""
    if link.label and link.label.strip():
        name, _ = split_name(link.label)
        if name:
            return normalize_title(name)
    if link.kind == "external":
        return link.target.strip()
    return normalize_title(link.target.split("#", 1)[0])


def _head_as_written(raw: RawEntry) -> str:
    """The first line of ``raw`` without bullet and annotation, whitespace normalised."""
    if raw.head:
        return " ".join(raw.head.split())
    line = raw.text.split("\n", 1)[0].rstrip("\r")
    body = line.removeprefix(raw.bullet)
    if raw.lead:
        body = body.lstrip(" \t").removeprefix(raw.lead)
    if raw.rest and body.endswith(raw.rest):
        body = body[: -len(raw.rest)]
    elif raw.rest:
        body = _link_markup(raw.link)
    return " ".join(body.split())


def _link_markup(link: Link) -> str:
    """Link markup rebuilt from its parts (used when the exact text is not at hand)."""
    if link.kind == "external":
        return f"[{link.target} {link.label}]" if link.label else f"[{link.target}]"
    target = f"{link.prefix}:{link.target}" if link.prefix else link.target
    return f"[[{target}|{link.label}]]" if link.label else f"[[{target}]]"


def _relative_children(bullet: str, lines: Iterable[str]) -> tuple[str, ...]:
    """Sub-bullet lines relative to the parent's bullet, whitespace normalised. A line that
    does not start with the parent's bullet (``: contact``, the line after a ``<br>``) is kept
    whole, marked by a leading newline (:data:`CONTINUATION`)."""
    children = []
    for line in lines:
        if not line.startswith(bullet):
            children.append(CONTINUATION + " ".join(line.split()))
            continue
        body = line.removeprefix(bullet)
        marks = _BULLETS.match(body)
        extra = marks.group(0) if marks else ""
        text = " ".join(body[len(extra):].split())
        children.append(f"{extra} {text}" if text else extra)
    return tuple(children)


# --------------------------------------------------------------------------- writing


def render_entry(
    entry: ListEntry,
    wiki: str,
    has_page: HasPage,
    ctx: LinkContext,
    bullet: str = "*",
) -> str:
    """The wikitext of ``entry`` on ``wiki``: first line and sub-bullet lines, each with ``\\n``.

    The link is chosen for the page it lands on: internal if ``wiki`` has the page; else
    interwiki if ``wiki`` knows a prefix for a wiki that has it; else an external link to the
    page on the first wiki (config order) that has it; else plain text (see the module
    docstring for when a red internal link is written instead).
    """
    head = render_head(entry, wiki, has_page, ctx)
    return format_entry(bullet, entry.lead + head, entry.annotation, entry.children)


def format_entry(bullet: str, head: str, annotation: str, children: Iterable[str]) -> str:
    """Build the lines of an entry. Kept minimal so it can later be ``wikitext.format_entry``."""
    lines = [f"{bullet} {head}{annotation}"]
    lines.extend(
        child.removeprefix(CONTINUATION) if child.startswith(CONTINUATION) else bullet + child
        for child in children
    )
    return "".join(line + "\n" for line in lines)


def render_head(entry: ListEntry, wiki: str, has_page: HasPage, ctx: LinkContext) -> str:
    """The link (or plain name) that starts ``entry``'s line on ``wiki``."""
    if entry.label is not None and _is_markup(entry.label):
        return entry.label
    title = ctx.same.title_on  # each wiki's own title of the entry's lieu
    own = title(wiki, entry.key)
    if has_page(wiki, own):
        return _internal_link(own, entry.label)
    holders = [other for other in ctx.names()
               if other != wiki and has_page(other, title(other, entry.key))]
    for other in holders:
        prefix, there = ctx.prefix_for(wiki, other), title(other, entry.key)
        if prefix:
            return f"[[{prefix}:{there}|{entry.label or there}]]"
    for other in holders:
        there = title(other, entry.key)
        url = ctx.article_url(other, there)
        if url:
            return f"[{url} {entry.label or there}]"
    if not entry.linked and _plain_reads_back(entry, own, ctx):
        return own
    return _internal_link(own, entry.label)


def _internal_link(key: str, label: str | None) -> str:
    """``[[key]]`` or ``[[key|label]]``, with a leading colon when the title holds a colon."""
    target = f":{key}" if ":" in key or key.startswith("/") else key
    return f"[[{target}|{label}]]" if label else f"[[{target}]]"


def _is_markup(label: str) -> bool:
    """Whether a label holds a foreign head as written (a link), not text to show."""
    return any(mark in label for mark in ("[", "://", "{{", "<"))


def _plain_reads_back(entry: ListEntry, name: str, ctx: LinkContext) -> bool:
    """Whether ``entry`` written as plain text (``name``, then its annotation) reads back as the
    same key and annotation.

    A lead reads back only when it is bold or italic (``'''La Myne''' – x``,
    ``''La Myne – x''``); words before a plain name would become part of it.
    """
    if entry.label is not None or "[" in name or "'" * 2 in name:
        return False
    read, rest, lead = split_plain_entry(entry.lead + name + entry.annotation)
    if lead != entry.lead:
        return False
    return ctx.same.key(None, read) == entry.key and normalize_annotation(rest) == entry.annotation
