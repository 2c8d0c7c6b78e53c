"""Lists planned one by one and written in one edit per page: the executor of list sync.

A page may hold several configured lists (two sections of "AMI Fabriques de Territoires", each
kept in step with another wiki). :func:`sync_lists_sharing_pages` syncs such a group so that a
run makes at most one edit per page, whatever the number of lists it holds:

1. every page of the group is read once (one request per page);
2. each list is planned against its own merge base (:func:`wikisync.listsync._read_and_plan`,
   with its guards: empty list, removals of entries still standing);
3. each page's new text is the lists' edits applied one after the other, each to its own
   section (sections never overlap: a list is its section's own text);
4. one save per page, with a summary naming every list it changes
   (``wikisync: +1 (Tiers Lieux intéressés); −1 (Fabriques)``); each list's journal hears of it
   before and after, so a killed run leaves every list a base that matches its pages;
5. an edit conflict re-reads and re-plans the whole group, a bounded number of times.

A list whose planning fails (a missing section, a line it cannot read) is reported as failed
and left out; the others of the group are still written. A list alone is a group of one
(:func:`wikisync.listsync.sync_list`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from wikisync.app import App
from wikisync.config import ListConfig
from wikisync.errors import ConcurrentEditError, EditConflictError, WikisyncError
from wikisync.i18n import _
from wikisync.listsync import (
    MAX_REPLANS,
    ListRead,
    ListResult,
    PageChange,
    _base_now,
    _empty_guard,
    _Journal,
    _read_and_plan,
    _report_concurrent,
    _unchanged_since_last_run,
    edit_summary,
    entry_sources,
    new_text,
    page_existence,
    parse_page,
)
from wikisync.model import Page
from wikisync.records import unified_diff
from wikisync.state import State

log = logging.getLogger(__name__)

PageKey = tuple[str, str]  # (wiki, title)


def groups_sharing_pages(lists: list[ListConfig]) -> list[list[ListConfig]]:
    """The lists in groups that share at least one page (transitively), in config order."""
    groups: list[list[ListConfig]] = []
    pages: list[set[PageKey]] = []
    for lst in lists:
        mine = {(wiki, ref.title) for wiki, ref in lst.pages.items()}
        touching = [i for i, owned in enumerate(pages) if owned & mine]
        merged_lists = [lst]
        merged_pages = set(mine)
        for i in reversed(touching):
            merged_lists = groups.pop(i) + merged_lists
            merged_pages |= pages.pop(i)
        groups.append(merged_lists)
        pages.append(merged_pages)
    order = {lst.name: n for n, lst in enumerate(lists)}
    groups = [sorted(g, key=lambda lst: order[lst.name]) for g in groups]
    return sorted(groups, key=lambda g: order[g[0].name])


@dataclass
class _Planned:
    lst: ListConfig
    read: ListRead
    base: object
    result: ListResult


def sync_lists_sharing_pages(
    app: App, lists: list[ListConfig], state: State, *, dry_run: bool, allow_empty: bool,
    before_write: Callable[[], None] = lambda: None,
) -> list[ListResult]:
    """Sync a group of lists that share pages, one edit per page (see the module docstring)."""
    results = {lst.name: ListResult(lst.name) for lst in lists}
    bases = {}
    live = []
    for lst in lists:
        try:
            bases[lst.name] = _base_now(app, lst, state, dry_run, results[lst.name])
            if _unchanged_since_last_run(app, lst, bases[lst.name]):
                results[lst.name].skipped = True
                continue
        except WikisyncError as exc:
            results[lst.name].error = exc
            continue
        live.append(lst)
    for attempt in range(1, MAX_REPLANS + 1):
        planned = _plan_all(app, live, bases, results, allow_empty)
        try:
            _write_all(app, planned, state, dry_run, before_write)
        except EditConflictError as exc:
            log.warning(_("%(error)s; re-reading and re-planning (attempt %(attempt)d)")
                        % {"error": exc, "attempt": attempt})
            for p in planned:
                p.result.changes = [c for c in p.result.changes if c.revid]
                if not dry_run:  # the pages confirmed written so far are in the state's base
                    bases[p.lst.name] = state.list_base(p.lst.name) or bases[p.lst.name]
            continue
        return [results[lst.name] for lst in lists]
    raise EditConflictError(
        next(iter(lists[0].pages)),
        _("lists %(lists)s: the pages kept changing while syncing")
        % {"lists": ", ".join(repr(lst.name) for lst in lists)},
        _("someone is editing the lists right now; the next run will finish the sync"),
    )


def _plan_all(app: App, lists: list[ListConfig], bases: dict, results: dict[str, ListResult],
              allow_empty: bool) -> list[_Planned]:
    """Read every page once and plan each list; a list that cannot be planned is failed."""
    cache: dict[PageKey, Page] = {}
    planned = []
    for lst in lists:
        result = results[lst.name]
        result.error = None
        try:
            read = _read_and_plan(app, lst, bases[lst.name], cache)
            _empty_guard(lst, read, bases[lst.name], allow_empty)
        except WikisyncError as exc:
            log.debug("list %s failed", lst.name, exc_info=True)
            result.error = exc
            continue
        result.conflicts = list(read.plan.conflicts)
        result.duplicates = list(read.plan.duplicates)
        planned.append(_Planned(lst, read, bases[lst.name], result))
    return planned


def _write_all(app: App, planned: list[_Planned], state: State, dry_run: bool,
               before_write: Callable[[], None]) -> None:
    """Apply every list's plan page by page, then save each changed page once."""
    ctx = app.links
    keys = sorted({e.key for p in planned for plan in p.read.plan.pages.values()
                   for e in (*plan.add, *plan.change)})
    has_page = page_existence(app, keys)
    texts: dict[PageKey, str] = {}
    originals: dict[PageKey, Page] = {}
    parts: dict[PageKey, list[tuple[_Planned, str]]] = {}  # who changes the page, and how
    for p in planned:
        sources = entry_sources(p.read)
        for wiki, plan in p.read.plan.pages.items():
            if plan.is_empty:
                continue
            lp = p.read.pages[wiki]
            key = (wiki, lp.page.title)
            originals.setdefault(key, lp.page)
            current = texts.get(key, lp.page.text)
            read_ctx = p.read.ctx or ctx
            on_current = parse_page(p.lst, wiki, replace(lp.page, text=current), read_ctx)
            texts[key] = new_text(on_current, plan, has_page, read_ctx, sources)
            parts.setdefault(key, []).append((p, edit_summary(plan, lp.section)))
    changed = {k: t for k, t in texts.items() if t != originals[k].text}
    if changed and not dry_run:
        before_write()
    journals = {p.lst.name: _Journal(state, p.lst.name, p.read, p.base, dry_run)
                for p in planned}
    final: dict[PageKey, int] = {}  # the page's revision once the run is done with it
    for key, text in texts.items():
        wiki, title = key
        page = originals[key]
        who = parts[key]
        if key not in changed:
            for p, _summary in who:
                journals[p.lst.name].unchanged(wiki)
            continue
        summary = "wikisync: " + "; ".join(s.removeprefix("wikisync: ") for _p, s in who)
        change = PageChange(wiki, title, summary, unified_diff(title, page.text, text, wiki))
        owner = who[0][0].result
        owner.changes.append(change)
        if dry_run:
            continue
        for p, _summary in who:
            journals[p.lst.name].saving(wiki, text)
        try:
            saved = app.site(wiki).save(page, text, summary)
        except WikisyncError as exc:
            for p, _summary in who:
                journals[p.lst.name].failed()
            if isinstance(exc, ConcurrentEditError):
                _report_concurrent(owner, change, exc)
            raise
        change.revid = final[key] = saved.revid
        for p, _summary in who:
            journals[p.lst.name].saved(wiki)
    if dry_run:
        return
    for p in planned:
        revs = {} if p.read.plan.conflicts else {
            w: (lp.page.title, final.get((w, lp.page.title), lp.page.revid))
            for w, lp in p.read.pages.items()
        }
        state.save_list(p.lst.name, p.read.plan.new_base, revs)
