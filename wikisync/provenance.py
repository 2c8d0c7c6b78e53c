"""The wikis are the source of truth; the state is a cache of what was last synced.

- :func:`check_provenance` compares the wikis and list pages a run works on with those the
  state was made against: each wiki's siteinfo identity (server, site name, wiki id) and each
  list page's page id and latest revision. A state made against other wikis, a list page deleted
  and re-created, or a wiki restored to an older copy is never used to plan a removal: the run
  stops before anything is written (:class:`StateError`, exit 2) and says what differs.
- :func:`base_from_history` rebuilds a list's merge base when the state has none (a lost state,
  a new machine, a job with no volume): the list as it stood on every page when wikisync last
  saved one of them. So a removal made since then is still a removal, not an entry to bring
  back, and a state can be deleted at any time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

from wikisync.app import App
from wikisync.config import ListConfig
from wikisync.errors import WikiError, WikisyncError
from wikisync.i18n import _
from wikisync.model import ListEntry, Page
from wikisync.site import HistoryEntry
from wikisync.state import ListBase, State, StateError
from wikisync.titles import normalize_title

log = logging.getLogger(__name__)

IDENTITY = ("server", "sitename", "wikiid")
#: the summaries of wikisync's list edits: ``wikisync: +2 −1 (Section)`` (not its put-backs)
LIST_SUMMARY = re.compile(r"^wikisync: [+\u2212~]\d")


def check_provenance(app: App, lists: Iterable[ListConfig], wikis: Iterable[str], state: State,
                     *, record: bool, since: Mapping[str, str] | None = None) -> None:
    """Raise StateError when the state was made against other wikis or list pages; else, with
    ``record``, remember what it is made against now. A wiki that cannot be read is left to
    fail where it is used (the other wikis' lists go on).

    ``since`` (wiki -> ISO time) asks, in the same request to each wiki, for its recent changes
    since then, which the field sync then reads from the Site: an idle run is one request per
    wiki."""
    lists = list(lists)
    known = state.identities()
    found: dict[str, dict] = {}
    problems: list[str] = []
    for wiki in wikis:
        site = app.site(wiki)
        titles = [lst.pages[wiki].title for lst in lists if wiki in lst.pages]
        try:
            general, latest = site.identity(titles, (since or {}).get(wiki))
        except WikiError as exc:
            log.debug("%s: what the state was made against is not checked: %s", wiki, exc)
            continue
        identity = {k: str(general.get(k, "")) for k in IDENTITY}
        then = known.get(f"wiki:{wiki}")
        if then is not None and then != identity:
            problems.append(_("wiki %(wiki)s: the state was made against %(then)s; the "
                              "config points at %(now)s") % {
                "wiki": wiki, "then": _describe(then), "now": _describe(identity)})
        found[f"wiki:{wiki}"] = identity
        for lst in lists:
            ref = lst.pages.get(wiki)
            page = latest.get(ref.title) if ref is not None else None
            if page is None or not page.exists:
                continue  # a missing page fails its list (exit 1)
            key = f"page:{lst.name}:{wiki}"
            then = known.get(key)
            base = state.list_base(lst.name)
            if then is not None and base is not None and wiki in base.page_revs:
                # the revision the list page had when last synced (after wikisync's save)
                then = {**then, "revid": max(then.get("revid", 0), base.page_revs[wiki])}
            problem = _page_problem(then, page)
            if problem:
                problems.append(_("list %(name)r, %(wiki)s:%(title)s: %(problem)s") % {
                    "name": lst.name, "wiki": wiki, "title": page.title, "problem": problem})
            found[key] = {"title": page.title, "pageid": page.pageid, "revid": page.revid}
            app.first_look[(wiki, ref.title)] = page.revid
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise StateError(
            _("the state %(path)s was made against other wikis or pages; it is not used and "
              "nothing was written:\n%(lines)s") % {"path": state.path, "lines": lines},
            _("if the config names the right wikis and pages, start afresh: move the state "
              "away (mv %(path)s %(path)s.old) and run again; the merge base is then rebuilt "
              "from the list pages' histories. Else fix api_url or the list pages in the "
              "config") % {"path": state.path},
        )
    if record and found:
        state.save_identities(found)


def _page_problem(then: dict | None, page: Page) -> str | None:
    if then is None or normalize_title(then["title"]) != normalize_title(page.title):
        return None  # never seen (or the config now names another page): nothing to compare
    if then.get("pageid") and page.pageid and then["pageid"] != page.pageid:
        return (f"page id {page.pageid}, the state knew page id {then['pageid']} "
                f"(deleted and re-created?)")
    if page.revid < then.get("revid", 0):
        return (f"latest revision {page.revid} is older than revision {then['revid']} the "
                f"state saw (the wiki re-installed or restored from a backup?)")
    return None


def _describe(identity: dict) -> str:
    return ", ".join(f"{k} {identity.get(k)!r}" for k in IDENTITY if identity.get(k))


# --------------------------------------------------------------------------- lost state


def base_from_history(app: App, lst: ListConfig, state: State) -> ListBase | None:
    """The list's merge base rebuilt from its pages' histories, or None when wikisync never
    saved any of them (a first run: the union of the pages).

    wikisync's last list edit on any of the pages (found by the revision ids the state
    records, else by its edit summary ``wikisync: ...`` and its account) marks when the list
    was last synced. The base is what every page held at that moment: an entry every page had,
    with the same text. An entry only some pages had then is left out, so it is added where it
    is missing rather than removed where it is (a partial run never causes a removal).
    """
    from wikisync.listsync import parse_page

    histories: dict[str, list[HistoryEntry]] = {}
    mine: dict[str, set[int]] = {}  # wiki -> wikisync's revisions in the history read
    last: tuple[str, str, int] | None = None  # (timestamp, wiki, revid)
    for wiki, ref in lst.pages.items():
        histories[wiki] = app.site(wiki).history(ref.title)
        username = app.config.wiki(wiki).username
        account = username.split("@", 1)[0] if username else None
        own = state.own_revisions(wiki)
        mine[wiki] = {r.revid for r in histories[wiki] if _is_ours(r, own, account)}
        ours = next((r for r in histories[wiki] if r.revid in mine[wiki]), None)
        if ours is not None and (last is None or ours.timestamp > last[0]):
            last = (ours.timestamp, wiki, ours.revid)
    if last is None:
        return None
    when = last[0]
    at: dict[str, int] = {}
    for wiki, history in histories.items():
        # what the page held when that run ended: a person's edit in the very second of its
        # last save came after what the run read (timestamps count seconds)
        rev = next((r for r in history if r.timestamp < when
                    or (r.timestamp == when and r.revid in mine[wiki])), None)
        if rev is None:  # the page did not exist then (or its history is longer than read)
            log.info(_("list %(list)s: no merge base from history (%(wiki)s had no revision "
                       "at %(when)s)") % {"list": lst.name, "wiki": wiki, "when": when})
            return None
        at[wiki] = rev.revid
    ctx = app.links
    lists: dict[str, list[ListEntry]] = {}
    for wiki, revid in at.items():
        text = app.site(wiki).texts([revid]).get(revid, "")
        try:
            lists[wiki] = parse_page(lst, wiki, Page(lst.pages[wiki].title, text, revid),
                                     ctx).entries
        except WikisyncError:  # no such section then, or a line it could not read
            lists[wiki] = []
    _when, source_wiki, source_rev = last
    entries = {
        e.key: e for e in lists[source_wiki]
        if all(any(o == e for o in other) for other in lists.values())
    }
    log.info(_("list %(list)s: no merge base in the state; rebuilt from the pages' histories "
               "as of wikisync's revision %(revid)d on %(wiki)s (%(when)s): %(revisions)s; "
               "%(count)d entries")
             % {"list": lst.name, "revid": source_rev, "wiki": source_wiki, "when": when,
                "revisions": ", ".join(_("%(wiki)s revision %(revid)d") % {"wiki": w, "revid": r}
                                       for w, r in at.items()),
                "count": len(entries)})
    return ListBase(entries, {})


def _is_ours(rev: HistoryEntry, own: set[int], account: str | None) -> bool:
    if rev.revid in own:
        return True
    if not LIST_SUMMARY.match(rev.comment):
        return False
    return account is None or _user(rev.user) == _user(account)


def _user(name: str) -> str:
    return normalize_title(name).casefold()
