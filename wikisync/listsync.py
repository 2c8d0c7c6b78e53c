"""List sync: read every page of a configured list, plan with the pure planner, write.

The reading half (:func:`read_list`, :func:`parse_page`, the guards :func:`check_removals` and
:func:`check_additions`) is shared with the audit, ``check`` and ``new``/``import``; the
planner is :func:`wikisync.planner.plan_list`; :func:`new_text` turns a page's plan into its
new text (every written entry read back). The executor is :mod:`wikisync.listgroup` (a list
alone is a group of one):

- at most one edit per page per run, bot-flagged, with a summary such as
  ``wikisync: +2 −1 (Tiers Lieux intéressés)``;
- an edit conflict (someone edited between our read and our write) re-reads the page and
  re-plans, a bounded number of times, and never clobbers;
- the merge base in the state advances page by page, as each save is confirmed
  (:class:`_Journal`), so a run killed at any point leaves a base that matches each page.

The parser (:mod:`wikisync.wikitext`) is imported by the functions that read or write a page's
section, not with this module: a run whose lists did not change reads no page and never loads
it (issue 16).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from wikisync.app import App
from wikisync.config import Config, ListConfig
from wikisync.errors import (
    ConcurrentEditError,
    ListStopped,
    PageMissingError,
    SectionMissingError,
    WikiError,
    WikisyncError,
)
from wikisync.i18n import _
from wikisync.lists import (
    LinkContext,
    as_read,
    format_entry,
    is_furniture,
    link_target,
    render_entry,
    to_list_entry,
)
from wikisync.mapping import Mapping as KindMapping
from wikisync.mapping import load_mappings
from wikisync.model import Link, ListEntry, Page, RawEntry
from wikisync.planner import ListPlan, PagePlan, plan_list
from wikisync.records import at_once
from wikisync.settle import settle_plan
from wikisync.state import ListBase, PendingSave, State
from wikisync.titles import fold, normalize_title

if TYPE_CHECKING:
    from wikisync import wikitext

log = logging.getLogger(__name__)

MAX_REPLANS = 3


def link_context(config: Config, mappings: Mapping[str, KindMapping] | None = None
                 ) -> LinkContext:
    """The configured wikis as links see them (article URLs, interwiki prefixes) and which
    titles are one lieu (the mappings' ``same:`` pairs). Without ``mappings``, those of the
    config's mappings folder, when it exists."""
    if mappings is None:
        folder = Path(config.mappings_dir)
        mappings = load_mappings(folder, set(config.wikis)) if folder.is_dir() else {}
    return LinkContext.from_data(
        {
            name: {
                "article_urls": list(wiki.article_urls),
                # the config maps other wiki -> prefix; links need prefix -> other wiki
                "interwiki": {prefix: other for other, prefix in wiki.interwiki.items()},
            }
            for name, wiki in config.wikis.items()
        },
        [pair for mapping in mappings.values() for pair in mapping.same],
    )


@dataclass
class ListPage:
    """One page of a list as read: the page, its section's raw entries and their keys.

    ``raw`` and ``entries`` hold the entries that are synced, in page order; ``positions``
    their numbers among all the section's entries (what :func:`wikitext.edit_list` counts).
    Entries that point at one of the list's own pages (a section of it included), and lines
    of category tags or files alone, are page furniture: left out (:func:`is_furniture`).
    """

    wiki: str
    page: Page
    section: str
    raw: list[RawEntry]
    entries: list[ListEntry]
    positions: list[int] = field(default_factory=list)
    listing: wikitext.ListSection | None = None
    #: the spans of the page text that other lists of the config read (a configured list's
    #: sub-section "Parent / Child"): the guards do not search them for this list's lieux
    others: tuple[tuple[int, int], ...] = ()


@dataclass
class ListRead:
    name: str
    pages: dict[str, ListPage]
    plan: ListPlan
    ctx: LinkContext | None = None  # how the pages were read (with their redirects)


def read_pages(app: App, lst: ListConfig,
               cache: dict[tuple[str, str], Page] | None = None) -> dict[str, Page]:
    """The list's page on each wiki (one request per wiki); missing page -> PageMissingError.

    ``cache`` holds pages already read in this run (lists that share a page read it once).
    """
    def read(wiki: str) -> Page:
        title = lst.pages[wiki].title
        if cache is not None and (wiki, title) in cache:
            return cache[(wiki, title)]
        page = app.site(wiki).read([title])[title]
        if cache is not None:
            cache[(wiki, title)] = page
        return page

    pages = {}
    for wiki, page in at_once(list(lst.pages), read).items():  # the wikis read at once
        ref = lst.pages[wiki]
        if not page.exists:
            raise PageMissingError(
                wiki, _("list %(name)r: page %(title)r does not exist") % {
                    "name": lst.name, "title": ref.title},
                _("create the page with the section, or fix the title in the config"),
            )
        pages[wiki] = page
    return pages


def parse_page(lst: ListConfig, wiki: str, page: Page, ctx: LinkContext) -> ListPage:
    from wikisync import wikitext

    section = lst.pages[wiki].section
    try:
        listing = wikitext.read_list(page.text, section)
    except wikitext.SectionNotFound as exc:
        raise SectionMissingError(
            wiki, _("list %(name)r: page %(title)r has no section %(section)r") % {
                "name": lst.name, "title": page.title, "section": section},
            exc.hint or "add the section heading to the page, or fix the section in the config",
        ) from None
    except wikitext.WikitextError as exc:  # a line, or the section, it cannot read safely
        raise _unreadable(wiki, lst.name, page.title, exc) from None
    own_pages = {normalize_title(ref.title) for ref in lst.pages.values()}
    read = [as_read(r, wiki, ctx) for r in listing.entries]  # as the entries' keys read them
    kept = [
        (i, r, e) for i, r in enumerate(read)
        if (e := to_list_entry(r, wiki, ctx)).key not in own_pages and not is_furniture(r)
    ]
    return ListPage(wiki, page, section, [r for _i, r, _e in kept], [e for _i, _r, e in kept],
                    [i for i, _r, _e in kept], listing)


def read_list(app: App, lst: ListConfig, state: State | None,
              cache: dict[tuple[str, str], Page] | None = None,
              parsed: Mapping[tuple[str, str], ListPage] | None = None) -> ListRead:
    """Read and plan one list against the state's merge base (nothing is written); ``cache``
    as in :func:`read_pages`; ``parsed``: (list, wiki) -> its page as :func:`parse_page` read
    it already (used when it is the page read now)."""
    return _read_and_plan(app, lst, state.list_base(lst.name) if state is not None else None,
                          cache, parsed)


def _read_and_plan(app: App, lst: ListConfig, base: ListBase | None,
                   cache: dict[tuple[str, str], Page] | None = None,
                   parsed: Mapping[tuple[str, str], ListPage] | None = None) -> ListRead:
    ctx = app.links
    texts = read_pages(app, lst, cache)
    pages = {}
    for wiki, page in texts.items():
        done = (parsed or {}).get((lst.name, wiki))  # parsed from this very page, or not used
        pages[wiki] = done if done is not None and done.page is page else parse_page(
            lst, wiki, page, ctx)
    found = follow_redirects(app, pages, ctx)
    if found:  # read again, each redirect standing for the page it leads to
        ctx = replace(ctx, redirects=found)
        pages = {wiki: parse_page(lst, wiki, page, ctx) for wiki, page in texts.items()}
    for wiki, lp in pages.items():
        lp.others = other_lists_spans(app.config, lst, wiki, lp.page)
    plan = plan_list(
        {wiki: lp.entries for wiki, lp in pages.items()},
        # a key synced before a same: pair named its lieu is that lieu's key now
        {(k := ctx.same.key(None, key)): replace(e, key=k) for key, e in base.entries.items()}
        if base is not None else None,
        base.added_differently if base is not None else None,
    )
    plan = settle_plan(lst.name, plan, lst.conflict_resolution, app.resolve)
    read = ListRead(lst.name, pages, plan, ctx)
    check_removals(read, ctx)
    check_additions(read, ctx)
    return read


def _unreadable(wiki: str, name: str, title: str, exc: WikisyncError) -> ListStopped:
    """The stop of list ``name`` for what the reader refuses on its page ``title``."""
    return ListStopped(wiki, _("list %(name)r, page %(title)r: %(message)s") % {
        "name": name, "title": title, "message": exc.message}, exc.hint)


def follow_redirects(app: App, pages: Mapping[str, ListPage], ctx: LinkContext
                     ) -> dict[tuple[str, str], str]:
    """(wiki, title) -> target of the entries' link targets that are redirects: one batched
    request per wiki whose pages' entries link to it."""
    asked: dict[str, set[str]] = {}
    for lp in pages.values():
        for raw in lp.raw:
            target = link_target(raw.link, lp.wiki, ctx)
            if target is not None:
                asked.setdefault(target[0], set()).add(target[1])
    wikis = [wiki for wiki in asked if wiki in app.config.wikis]
    answers = at_once(wikis, lambda wiki: app.site(wiki).redirects(sorted(asked[wiki])))
    return {(wiki, title): goes_to for wiki, redirects in answers.items()
            for title, goes_to in redirects.items()}


def check_removals(read: ListRead, ctx: LinkContext) -> None:
    """Stop the list when a removal is planned for an entry that still stands on the page it
    left (its link or name is still in the section): the reader did not understand a line,
    and nothing a person wrote is removed because of that."""
    removed = {key for plan in read.plan.pages.values() for key in plan.remove}
    for key in sorted(removed):
        for wiki, lp in read.pages.items():
            found = standing_in_section(lp, key, ctx)
            if found is not None:
                raise ListStopped(
                    wiki,
                    _("list %(name)r: %(key)r is no longer an entry of %(title)r but still "
                      "stands in its section, line %(number)s: %(found)r; this list is not "
                      "synced (nothing written)") % {
                        "name": read.name, "key": key, "title": lp.page.title,
                        "number": found[0], "found": found[1]},
                    _("write the entry as a bullet line of the section (or remove it from "
                      "the section altogether), then run again"),
                )


def check_additions(read: ListRead, ctx: LinkContext) -> None:
    """Stop the list when an entry is to be added to a page whose section already names its
    lieu outside the entries read there (a table cell, a ``;`` or ``:`` line, an ``<li>``, a
    sub-bullet, a template, another entry's annotation): the reader did not understand a
    line, and nothing a person wrote is duplicated, nor prose copied as lieux, because of that.
    The counterpart of :func:`check_removals`, with its search. Then, stop it when an entry
    to add has a near namesake among the page's entries (:func:`near_namesake`), and when an
    entry must be added to a page whose section is bounded by a heading inside a container
    (see :func:`wikitext.check_appendable`)."""
    from wikisync import wikitext

    for wiki, plan in read.plan.pages.items():
        lp = read.pages[wiki]
        namesake = near_namesake(lp, plan)
        if namesake is not None:
            entry, number, line = namesake
            raise ListStopped(
                wiki,
                _("list %(name)r: %(key)r is to be added to %(title)r, whose section has an "
                  "entry whose title differs from it only by case, accents, apostrophes or "
                  "punctuation, line %(number)s: %(found)r; this list is not synced (nothing "
                  "written)") % {
                    "name": read.name, "key": entry.key, "title": lp.page.title,
                    "number": number, "found": line},
                _("if they are one lieu, name its title on each wiki in one item of the "
                  "mapping's same: list (or make both links name the same page); if they are "
                  "two, tell their titles apart; then run again"),
            )
        for entry in plan.add:
            found = standing_in_section(lp, entry.key, ctx)
            if found is not None:
                raise ListStopped(
                    wiki,
                    _("list %(name)r: %(key)r is to be added to %(title)r, whose section "
                      "already names it outside its entries, line %(number)s: %(found)r; "
                      "this list is not synced (nothing written)") % {
                        "name": read.name, "key": entry.key, "title": lp.page.title,
                        "number": found[0], "found": found[1]},
                    _("write it there as a bullet line of the section (%(bullet)s), or "
                      "remove it from the section, then run again") % {
                        "bullet": _bullet_of(entry, wiki, ctx)},
                )
    for wiki, plan in read.plan.pages.items():
        lp = read.pages[wiki]
        if plan.add and lp.listing is not None:
            try:
                wikitext.check_appendable(lp.page.text, lp.listing)
            except wikitext.ListLineError as exc:
                raise _unreadable(wiki, read.name, lp.page.title, exc) from None


def near_namesake(lp: ListPage, plan: PagePlan) -> tuple[ListEntry, int, str] | None:
    """The first entry ``plan`` adds to ``lp`` whose key folds (:func:`titles.fold`: case,
    accents, apostrophes, punctuation) to the key of an entry the page keeps, with that
    entry's page line number and line; else None.

    ``[[L'Atelier]]`` on one wiki and ``[[L’Atelier]]`` on the other are two keys (two
    titles, for MediaWiki), and a sync would write each on the other page: the same place
    twice on each. An entry the plan removes from the page does not count: a link renamed on
    one wiki (``L’Atelier`` to ``L'Atelier``) travels as a removal and an addition.
    """
    if not plan.add or lp.listing is None:
        return None
    leaving = set(plan.remove)
    kept: dict[str, int] = {}
    for i, entry in enumerate(lp.entries):
        folded = fold(entry.key)
        if folded and entry.key not in leaving:
            kept.setdefault(folded, i)
    for entry in plan.add:
        folded = fold(entry.key)
        i = kept.get(folded) if folded else None  # nothing to fold: no likeness
        if i is None or lp.entries[i].key == entry.key:
            continue
        start = lp.listing.spans[lp.positions[i]][0]
        line = lp.raw[i].text.split("\n", 1)[0]
        return entry, lp.page.text.count("\n", 0, start) + 1, line[:120]
    return None


def _bullet_of(entry: ListEntry, wiki: str, ctx: LinkContext) -> str:
    """The simplest bullet line naming ``entry``'s lieu on ``wiki`` (for a hint)."""
    title = ctx.same.title_on(wiki, entry.key)
    return f"* [[{title}]]" if entry.linked else f"* {title}"


def other_lists_spans(config: Config, lst: ListConfig, wiki: str, page: Page
                       ) -> tuple[tuple[int, int], ...]:
    """The spans of ``page`` that the config's other lists read on ``wiki`` (sub-sections
    included), for the guards to leave out (:attr:`ListPage.others`: whoever searches a parsed
    page with :func:`standing_in_section` sets them first)."""
    from wikisync import wikitext

    spans = []
    for other in config.lists.values():
        ref = other.pages.get(wiki)
        if other.name == lst.name or ref is None or ref.title != page.title:
            continue
        try:
            listing = wikitext.read_list(page.text, ref.section)
        except wikitext.WikitextError:
            continue  # that list's own read says what is wrong
        spans.append((listing.start, listing.section_end))
    return tuple(spans)


def standing_in_section(lp: ListPage, key: str, ctx: LinkContext) -> tuple[int, str] | None:
    """(page line number, line) where ``key`` stands in the page's section although no entry
    read there has it, else None. The sub-sections another configured list reads are not
    searched: a lieu listed there is that list's."""
    if lp.listing is None or any(e.key == key for e in lp.entries):
        return None
    text = lp.page.text
    for start, end in lp.others:  # blanked, line breaks kept (the line numbers stay right)
        if lp.listing.start < start < lp.listing.section_end:
            text = text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]
    found = mentions(text[lp.listing.start:lp.listing.section_end], key, lp.wiki, ctx)
    if found is None:
        return None
    return text.count("\n", 0, lp.listing.start) + found[0], found[1][:120]


_WIKILINK_TARGET = re.compile(r"\[\[([^\[\]|{}<>]*)")
_WIKILINK = re.compile(r"\[\[([^\[\]|{}<>]*)(?:\|[^\[\]]*)?\]\]")
_URL = re.compile(r"(?:https?:)?//[^\s\[\]|<>{}]+", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


def mentions(section: str, key: str, wiki: str, ctx: LinkContext) -> tuple[int, str] | None:
    """(line number in ``section``, line) of the first line outside comments that links to
    ``key`` or names it (or any wiki's title of its record) as a word, else None. The words
    of a link to another page do not name it (``[[La Cantine Numérique]]`` does not name La
    Cantine)."""
    visible = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), section)
    names = {key, *(ctx.same.title_on(other, key) for other in ctx.names())}
    # a name without a letter or digit (the key of an empty bullet) is no word: it would
    # match every line
    word = re.compile("|".join(r"(?<!\w)" + re.escape(n.casefold()) + r"(?!\w)"
                               for n in sorted(names) if any(c.isalnum() for c in n))
                      or r"(?!)")
    def lieu(target: str) -> str | None:
        found = link_target(Link("internal", target.strip()), wiki, ctx)
        return ctx.same.key(*ctx.followed(found)) if found else None

    def other_page(link: re.Match) -> str:
        return link.group(0) if lieu(link.group(1)) == key else " "

    for number, line in enumerate(visible.split("\n"), start=1):
        titles = [lieu(t) for t in _WIKILINK_TARGET.findall(line)]
        found = [ctx.locate_url(url if "://" in url else "https:" + url)
                 for url in _URL.findall(line)]
        titles += [ctx.same.key(*target) for target in found if target]
        plain = " ".join(_WIKILINK.sub(other_page, line).replace("_", " ").split()).casefold()
        if key in titles or word.search(plain):
            return number, line.strip()
    return None


# --------------------------------------------------------------------------- writing


def page_existence(app: App, keys: list[str]) -> Callable[[str, str], bool]:
    """``has_page(wiki, title)`` for each wiki's own title of every key (the mappings' ``same:``
    pairs), from one batched metadata read per wiki."""
    same = app.links.same

    def ask(wiki: str) -> dict[str, bool]:
        # the wiki's own titles; those the redirects' read of this run saw are not asked again
        return app.site(wiki).exists(sorted({same.title_on(wiki, key) for key in keys}))

    answers = at_once(list(app.config.wikis), ask) if keys else {}
    known = {(wiki, normalize_title(title)): exists
             for wiki, found in answers.items() for title, exists in found.items()}

    def has_page(wiki: str, key: str) -> bool:
        return known.get((wiki, normalize_title(key)), False)

    return has_page


def new_text(
    lp: ListPage, plan: PagePlan, has_page: Callable[[str, str], bool], ctx: LinkContext,
    sources: Mapping[str, RawEntry] | None = None,
) -> str:
    """The page's text once ``plan`` is applied; only the section's entries change.

    A changed entry keeps what this page wrote where the change does not touch it (its link,
    its lead, its sub-lines). Every written entry is read back before it is used; one that does
    not read back as itself is copied as written on the page it comes from (``sources``, by
    key), else the list stops.
    """
    from wikisync import wikitext

    sources = sources or {}
    by_key: dict[str, list[int]] = {}
    for index, entry in enumerate(lp.entries):
        by_key.setdefault(normalize_title(entry.key), []).append(index)
    bullet = lp.raw[0].bullet if lp.raw else "*"
    remove = set()
    for key in plan.remove:
        found = by_key.get(key, [])
        if len(found) > 1:  # the planner holds such a removal (a conflict): never two lines
            raise ListStopped(
                lp.wiki, _("page %(title)r lists %(key)r more than once; removing it would "
                           "remove these lines too: %(lines)s") % {
                    "title": lp.page.title, "key": key,
                    "lines": "; ".join(repr(lp.raw[i].text.split("\n", 1)[0]) for i in found)},
                _("keep one line for this lieu on the page, then run again"),
            )
        remove.update(lp.positions[i] for i in found)
    replace = {}
    for entry in plan.change:  # a change rewrites the first entry with that key
        index = by_key[entry.key][0]
        replace[lp.positions[index]] = _changed(lp, index, entry, has_page, ctx, sources)
    append = [_rendered(entry, lp.wiki, has_page, ctx, bullet, sources) for entry in plan.add]
    return wikitext.edit_list(lp.page.text, lp.section, remove, replace, append)


def entry_sources(read: ListRead) -> dict[str, RawEntry]:
    """key -> the entry as written on the first page (config order) that holds the value the
    plan spreads, for entries that must be copied as written."""
    wanted = {e.key: e for plan in read.plan.pages.values() for e in (*plan.add, *plan.change)}
    sources: dict[str, RawEntry] = {}
    for lp in read.pages.values():
        for raw, entry in zip(lp.raw, lp.entries, strict=True):
            if entry.key not in sources and wanted.get(entry.key) == entry:
                sources[entry.key] = raw
    return sources


def _changed(lp: ListPage, index: int, entry: ListEntry, has_page: Callable[[str, str], bool],
             ctx: LinkContext, sources: Mapping[str, RawEntry]) -> str:
    """The text of this page's entry ``index`` changed to ``entry``."""
    raw, old = lp.raw[index], lp.entries[index]
    if (entry.label, entry.lead) != (old.label, old.lead):
        return _rendered(entry, lp.wiki, has_page, ctx, raw.bullet, sources)
    first = raw.text.split("\n", 1)[0]
    kept = first[: len(first) - len(raw.rest)] if raw.rest else first.rstrip()
    if entry.children == old.children:
        lines = [kept + entry.annotation, *raw.children]
    else:
        rendered = format_entry(raw.bullet, "", "", entry.children).split("\n")[1:-1]
        lines = [kept + entry.annotation, *rendered]
    text = "".join(line + "\n" for line in lines)
    return text if _reads_back(text, entry, lp.wiki, ctx) else _rendered(
        entry, lp.wiki, has_page, ctx, raw.bullet, sources)


def _rendered(entry: ListEntry, wiki: str, has_page: Callable[[str, str], bool],
              ctx: LinkContext, bullet: str, sources: Mapping[str, RawEntry]) -> str:
    """``entry`` as written on ``wiki``, proved to read back as itself.

    An entry that is plain text where it comes from, for a lieu no wiki has a page of, is
    copied as written when that reads back as the same entry: a person's words are never made
    a (red) link."""
    source = sources.get(entry.key)
    copied = None
    if source is not None:
        copied = bullet + source.text[len(source.bullet):]
        copied = copied if copied.endswith("\n") else copied + "\n"
        if (not entry.linked and not _has_a_page(entry, has_page, ctx)
                and _reads_back(copied, entry, wiki, ctx)):
            return copied
    text = render_entry(entry, wiki, has_page, ctx, bullet)
    if _reads_back(text, entry, wiki, ctx):
        return text
    if copied is not None and _reads_back(copied, entry, wiki, ctx, keys_only=True):
        return copied
    raise ListStopped(
        wiki, _("cannot write the entry %(key)r so that it reads back as itself: %(text)r") % {
            "key": entry.key, "text": text},
        _("write the entry on this wiki by hand (or simplify it on the other), then run again"),
    )


def _has_a_page(entry: ListEntry, has_page: Callable[[str, str], bool],
                ctx: LinkContext) -> bool:
    """Whether some configured wiki has a page of ``entry``'s lieu."""
    return any(has_page(wiki, ctx.same.title_on(wiki, entry.key)) for wiki in ctx.names())


def _reads_back(text: str, entry: ListEntry, wiki: str, ctx: LinkContext,
                keys_only: bool = False) -> bool:
    """Whether ``text`` (one entry) is valid wikitext that reads back as ``entry``."""
    from wikisync import wikitext

    try:
        raw = wikitext.read_entry(text)
    except wikitext.WikitextError:
        return False
    if raw is None:
        return False
    back = to_list_entry(raw, wiki, ctx)
    # a target holding markup is a person's text taken for a title ('' opens italics)
    if raw.link.kind != "plain" and any(c in raw.link.target
                                        for c in ("{{", "[[", "|", "<", "''")):
        return False
    return back.key == entry.key and (keys_only or back == entry)


def edit_summary(plan: PagePlan, section: str) -> str:
    parts = []
    if plan.add:
        parts.append(f"+{len(plan.add)}")
    if plan.remove:
        parts.append(f"\u2212{len(plan.remove)}")
    if plan.change:
        parts.append(f"~{len(plan.change)}")
    return f"wikisync: {' '.join(parts)} ({section})"


@dataclass
class PageChange:
    wiki: str
    title: str
    summary: str
    diff: str
    revid: int = 0  # the new revision, once written


@dataclass
class ListResult:
    name: str
    changes: list[PageChange] = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    error: WikisyncError | None = None
    skipped: bool = False  # nothing changed since the last run: not even read
    #: the conflicts that stand as at an earlier run (key -> since when): said once, not again
    conflicts_known: dict[str, str] = field(default_factory=dict)
    #: since when the oldest of them is pending
    conflicts_since: str | None = None


def _unchanged_since_last_run(app: App, lst: ListConfig, base: ListBase | None) -> bool:
    """Whether every page of the list still has the revision it had when last synced (one
    metadata request per page: a list has one page per wiki)."""
    if base is None or set(base.page_revs) != set(lst.pages):
        return False
    for wiki, ref in lst.pages.items():
        revid = app.first_look.pop((wiki, ref.title), None)  # read with the wiki's identity
        if revid is None:
            revid = app.site(wiki).revisions([ref.title])[ref.title].revid
        if revid != base.page_revs[wiki]:
            return False
    return True


def sync_list(
    app: App, lst: ListConfig, state: State, *, dry_run: bool, allow_empty: bool,
    before_write: Callable[[], None] = lambda: None,
) -> ListResult:
    """Make one list identical on all its pages; see the module docstring.

    A list alone is a group of one for :func:`wikisync.listgroup.sync_lists_sharing_pages`,
    which plans and writes every list (one code path). ``before_write`` runs once before the
    first page is saved (the run's check that it can write everywhere; it raises when it
    cannot). Raises the list's error, if any.
    """
    from wikisync.listgroup import sync_lists_sharing_pages  # it builds on this module

    [result] = sync_lists_sharing_pages(app, [lst], state, dry_run=dry_run,
                                        allow_empty=allow_empty, before_write=before_write)
    if result.error is not None:
        raise result.error
    return result


def _base_now(
    app: App, lst: ListConfig, state: State, dry_run: bool, result: ListResult
) -> ListBase | None:
    """The list's merge base, once a save that a killed run left unconfirmed is settled from
    the page's history (one request, only after such a kill):

    - the revision right after the one planned from holds exactly the text that run was
      saving: the save landed, and the base is the one it was to give;
    - that text landed later, on top of a person's edit made with the same account, and was
      never put back (killed in between): the person's text is put back now;
    - else the save did not land: the base stays.
    """
    base = state.list_base(lst.name)
    pending = state.pending_save(lst.name)
    if pending is None:
        if base is None:  # a lost state, or a list never synced: the wikis know
            from wikisync.provenance import base_from_history

            return base_from_history(app, lst, state)
        return base
    site = app.site(pending.wiki)
    later = site.revisions_after(pending.title, pending.parent)
    ours = next((r for r in later if r.sha1 == pending.sha1), None)
    landed = ours is not None and ours.parent == pending.parent
    log.info((_("list %(list)s: the last run was stopped while saving %(wiki)s:%(title)s; "
                "the save landed") if landed else
              _("list %(list)s: the last run was stopped while saving %(wiki)s:%(title)s; "
                "the save did not land as planned"))
             % {"list": lst.name, "wiki": pending.wiki, "title": pending.title})
    if dry_run:
        return (ListBase(pending.entries, {}, base.added_differently if base else {})
                if landed else base)
    if ours is not None and not landed:
        theirs = next((r for r in later if r.revid == ours.parent), None)
        after_ours = [r for r in later if r.revid > ours.revid]
        if theirs is not None and not any(r.sha1 == theirs.sha1 for r in after_ours):
            state.set_pending_save(lst.name, None)  # settled, whatever happens next
            try:
                site.put_back(Page(pending.title, revid=pending.parent), ours.revid)
            except ConcurrentEditError as done:
                result.changes += [PageChange(pending.wiki, pending.title, f"wikisync: {n}",
                                              "", r) for r, n in done.saved[1:]]
    if landed:
        state.save_list(lst.name, pending.entries, {})
    else:
        state.set_pending_save(lst.name, None)
    return state.list_base(lst.name)


@dataclass
class _Journal:
    """What the state learns while one plan of a list is written (nothing in a dry run):
    before each save, the base the list will have once that save lands; once it is confirmed,
    that base. So a run killed at any point leaves a base that matches what each page holds."""

    state: State
    name: str
    read: ListRead
    base: ListBase | None
    dry_run: bool
    done: set[str] = field(default_factory=set)

    def saving(self, wiki: str, text: str) -> None:
        if self.dry_run:
            return
        page = self.read.pages[wiki].page
        after = _base_after(self.read, self.base, self.done | {wiki})
        self.state.set_pending_save(self.name, PendingSave(
            wiki, page.title, page.revid, _sha1(text), after))

    def saved(self, wiki: str) -> None:
        self.done.add(wiki)
        if not self.dry_run:
            self.state.save_list(self.name, _base_after(self.read, self.base, self.done), {})

    def unchanged(self, wiki: str) -> None:
        self.done.add(wiki)

    def failed(self) -> None:
        if not self.dry_run:
            self.state.set_pending_save(self.name, None)


def _sha1(text: str) -> str:
    """The SHA-1 MediaWiki gives the revision that stores ``text`` (trailing blanks trimmed,
    as PHP's rtrim does)."""
    return hashlib.sha1(text.rstrip(" \t\n\r\0\x0b").encode("utf-8")).hexdigest()


def _base_after(
    read: ListRead, base: ListBase | None, written: set[str]
) -> dict[str, ListEntry]:
    """The merge base once the pages in ``written`` hold the plan and the others do not yet.

    A key takes its planned value as soon as no page still waits for a change of it, and keeps
    its old base value while one does. So a person's later edit of a written page is merged
    against what that page really holds (a removal of an entry the run had just copied there
    is a removal, not an entry to bring back), and the pages still waiting get the plan's
    changes on the next run.
    """
    waiting = {
        key
        for wiki, plan in read.plan.pages.items() if wiki not in written
        for key in (*(e.key for e in plan.add), *plan.remove, *(e.key for e in plan.change))
    }
    old = base.entries if base is not None else {}
    new = read.plan.new_base
    merged = {}
    for key in dict.fromkeys([*new, *old]):
        value = old.get(key) if key in waiting else new.get(key)
        if value is not None:
            merged[key] = value
    return merged


def _empty_guard(
    lst: ListConfig, read: ListRead, base: ListBase | None, allow_empty: bool
) -> None:
    if allow_empty or base is None or not base.entries:
        return
    for wiki, lp in read.pages.items():
        if not lp.entries:
            raise WikiError(
                wiki,
                _("list %(name)r: section %(section)r of %(title)r is empty while %(count)s "
                  "entries were synced last time; sync stopped") % {
                    "name": lst.name, "section": lp.section, "title": lp.page.title,
                    "count": len(base.entries)},
                _("if the list was emptied on purpose, run again with --allow-empty"),
            )


def _report_concurrent(result: ListResult, change: PageChange, exc: ConcurrentEditError) -> None:
    """Every revision a save made, merged or put back, is reported once."""
    (revid, note), *more = exc.saved
    change.revid = revid
    change.summary = f"{change.summary} ({note})"
    for revid, note in more:
        result.changes.append(PageChange(change.wiki, change.title, f"wikisync: {note}", "",
                                         revid))
