"""A wiki in memory: a real implementation of what :class:`wikisync.site.Site` offers, without
a network, for tests and for trying commands out (``App(config, wiki_factory=...)``).

It behaves like MediaWiki where wikisync cares:

- every save makes a revision (ids shared by the whole wiki, a page id per page, a re-created
  page gets a new one), with its user, summary and a timestamp from the wiki's own clock, which
  moves one second per request;
- trailing whitespace is trimmed on save, as MediaWiki's pre-save transform does;
- ``create=True`` is ``createonly`` (:class:`PageExistsError` on an existing page), otherwise
  ``nocreate`` (:class:`EditError` on a missing one); a save whose base revision is not the
  latest is an :class:`EditConflictError` (MediaWiki would sometimes merge; this wiki always
  refuses, which is the case wikisync must survive anyway); a save that changes nothing makes
  no revision;
- category members are the pages named in :attr:`MemoryWiki.categories`, the pages whose
  text holds a ``[[Catégorie:X]]`` link, and those that call a template which puts its pages
  in a category (:attr:`MemoryWiki.template_categories`, as the wiki's template pages do);
  redirects are ``#REDIRECT [[X]]`` (or
  ``#REDIRECTION``); titles follow a French wiki's namespaces and first-letter case;
- recent changes list edits, creations and deletions, and reach back 80 days of the wiki's
  clock; the server's time (:meth:`MemoryWiki.now`) is taken once per run;
- a wiki made unreachable (:attr:`MemoryWiki.unreachable`) fails every request with
  :class:`UnreachableError`; :attr:`MemoryWiki.protected` pages refuse edits.

Logging in is a no-op (counted). ``counts`` tells how many requests of each kind were made. One
object is one wiki and keeps its pages across runs; :meth:`MemoryWiki.new_run` forgets what a
run keeps (its time, its saved revisions), and :func:`memory_factory` calls it for each run.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from wikisync.errors import (
    ConcurrentEditError,
    EditConflictError,
    EditError,
    PageExistsError,
    PersonOverwrittenError,
    UnreachableError,
    WikiError,
)
from wikisync.model import Page
from wikisync.site import (
    CONTENT_BATCH,
    HIGH_BATCH,
    RECENT_CHANGES_DAYS,
    Deadline,
    HistoryEntry,
    LaterRevision,
    Rights,
    WriteAccess,
)
from wikisync.siteinfo import TitleRules

if TYPE_CHECKING:
    from wikisync.config import WikiConfig

_REDIRECT = re.compile(r"\s*#(?:REDIRECT|REDIRECTION)\s*\[\[([^\]|#]+)", re.IGNORECASE)
_TEMPLATE = re.compile(r"\{\{\s*([^{}|\n]+?)\s*[|}\n]")
_LINK = re.compile(r"\[\[([^\]|\[]+)(?:\|[^\]]*)?\]\]")
_ISO = "%Y-%m-%dT%H:%M:%SZ"

SITEINFO = {
    "namespaces": {
        "0": {"id": 0, "name": "", "case": "first-letter"},
        "2": {"id": 2, "name": "Utilisateur", "canonical": "User", "case": "first-letter"},
        "4": {"id": 4, "name": "Projet", "canonical": "Project", "case": "first-letter"},
        "6": {"id": 6, "name": "Fichier", "canonical": "File", "case": "first-letter"},
        "10": {"id": 10, "name": "Modèle", "canonical": "Template", "case": "first-letter"},
        "14": {"id": 14, "name": "Catégorie", "canonical": "Category", "case": "first-letter"},
    },
    "namespacealiases": [{"id": 6, "alias": "Image"}],
}

#: What the account may do, as a bot password with the grants wikisync needs gives it.
BOT_RIGHTS = ("read", "edit", "createpage", "bot", "apihighlimits", "writeapi")


@dataclass
class MemoryWiki:
    """One wiki in memory (see the module's docstring)."""

    name: str
    api_url: str = ""  # default: https://<name>.invalid/api.php (never reached)
    username: str | None = "Bot@wikisync"
    password: Callable[[], str | None] = field(default=lambda: None, repr=False)
    write_interval: float = 0.0
    deadline: Deadline = field(default_factory=lambda: Deadline(600))
    contact: str = "in memory"
    timeout: float = 30.0
    ca_bundle: str | None = None
    allow_insecure_http: bool = False

    #: title -> its revisions, oldest first
    pages: dict[str, list[Page]] = field(default_factory=dict)
    #: category name (with or without its namespace) -> titles of its members, beside the
    #: pages whose text links the category
    categories: dict[str, set[str]] = field(default_factory=dict)
    #: template name -> the category its calls put their page in (``{"Acteur": "Acteur"}``)
    template_categories: dict[str, str] = field(default_factory=dict)
    #: seconds since ``start`` on the wiki's clock
    clock: int = 0
    start: str = "2026-01-01T00:00:00Z"
    #: (timestamp, title, revision id or 0 for a deletion): what recent changes list
    changes: list[tuple[str, str, int]] = field(default_factory=list)
    summaries: dict[int, str] = field(default_factory=dict)  # revid -> edit summary
    rights_held: tuple[str, ...] = BOT_RIGHTS
    protected: dict[str, str] = field(default_factory=dict)  # title -> "edit=sysop"
    #: when set, every request fails: the wiki is down (the text says why)
    unreachable: str = ""
    counts: Counter = field(default_factory=Counter)  # requests made, by kind
    #: the revisions this run saved (as Site keeps them, for the state)
    saved_revids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.api_url:
            self.api_url = f"https://{self.name}.invalid/api.php"
        self._revid = max((p.revid for h in self.pages.values() for p in h), default=0)
        self._pageids: dict[str, int] = {}
        self._last_pageid = 0
        self._deleted: list[Page] = []
        self._now = ""
        self._logged_in = False

    # -- for tests: what people do on the wiki ----------------------------------------------

    def put(self, title: str, text: str, user: str = "Contributrice", summary: str = "") -> Page:
        """A person's edit (or the seed): saved as it comes, without any conflict check."""
        title = self._rules().normalize(title)
        if title not in self._pageids:
            self._last_pageid += 1
            self._pageids[title] = self._last_pageid
        self._revid += 1
        page = Page(title, text.rstrip(), self._revid, self._tick(), user,
                    pageid=self._pageids[title])
        self.pages.setdefault(title, []).append(page)
        self.changes.append((page.timestamp, title, page.revid))
        if summary:
            self.summaries[page.revid] = summary
        return page

    def delete(self, title: str) -> None:
        """A deletion: the page and its history go (a later save re-creates it, new page id)."""
        title = self._rules().normalize(title)
        self._deleted += self.pages.pop(title)
        del self._pageids[title]
        self.changes.append((self._tick(), title, 0))

    def text(self, title: str) -> str:
        """The latest text of an existing page."""
        return self.pages[self._rules().normalize(title)][-1].text

    def new_run(self) -> MemoryWiki:
        """Forget what a run keeps (its time, its saved revisions, its login): what a new
        :class:`~wikisync.site.Site` would not know. The pages stay."""
        self._now = ""
        self.saved_revids = []
        self._logged_in = False
        return self

    # -- the wiki's clock and rules --------------------------------------------------------

    def _time(self, seconds: int) -> str:
        return (datetime.strptime(self.start, _ISO) + timedelta(seconds=seconds)).strftime(_ISO)

    def _tick(self) -> str:
        self.clock += 1
        return self._time(self.clock)

    def _rules(self) -> TitleRules:
        return TitleRules.from_siteinfo(SITEINFO)

    def _request(self, kind: str) -> None:
        """One request to the wiki: counted, and refused when the wiki is down."""
        self.counts[kind] += 1
        if self.unreachable:
            raise UnreachableError(self.name, self.unreachable)

    def _latest(self, title: str, content: bool = True) -> Page:
        norm = self._rules().normalize(title)
        history = self.pages.get(norm)
        now = self._tick()
        if not history:
            return Page(norm, exists=False, starttimestamp=now)
        last = history[-1]
        return Page(last.title, last.text if content else "", last.revid, last.timestamp,
                    last.user, True, now, last.pageid)

    def _revision(self, revid: int) -> tuple[Page, int]:
        for page in (p for h in self.pages.values() for p in h):
            if page.revid == revid:
                older = [p.revid for p in self.pages[page.title] if p.revid < revid]
                return page, (older[-1] if older else 0)
        raise WikiError(self.name, f"no revision {revid}")

    # -- site info and login ----------------------------------------------------------------

    def _general(self) -> dict:
        parts = urlsplit(self.api_url)
        return {"server": f"{parts.scheme}://{parts.netloc}", "sitename": self.name,
                "wikiid": self.name, "generator": "MediaWiki 1.39.0 (in memory)",
                "lang": "fr", "articlepath": "/wiki/$1"}

    def siteinfo(self) -> dict:
        self._request("siteinfo")
        return {"general": self._general(), **SITEINFO}

    def login(self) -> None:
        """Nothing to log in to: counted, and refused when the wiki is down."""
        if not self._logged_in:
            self._request("login")
            self._logged_in = True

    def rights(self) -> Rights:
        self._request("rights")
        return Rights(user=self.account or "", groups=["*", "user", "bot"],
                      rights=list(self.rights_held), version="MediaWiki 1.39.0 (in memory)",
                      sitename=self.name)

    def write_access(self, titles: list[str]) -> WriteAccess:
        self.login()
        self._request("write_access")
        wanted = {self._rules().normalize(t) for t in titles}
        refused = {self._rules().normalize(t): why for t, why in self.protected.items()
                   if self._rules().normalize(t) in wanted}
        return WriteAccess(self.account or "", list(self.rights_held), refused=refused)

    @property
    def has_highlimits(self) -> bool:
        return self._logged_in and "apihighlimits" in self.rights_held

    @property
    def batch(self) -> int:
        return HIGH_BATCH if self.has_highlimits else CONTENT_BATCH

    def for_big_read(self) -> int:
        """As a Site: a wiki with a login in its config logs in before a big read."""
        if self.username and not self._logged_in:
            self.login()
        return self.batch

    @property
    def account(self) -> str | None:
        return self.username.split("@", 1)[0] if self.username else None

    def titles(self) -> TitleRules:
        self._request("siteinfo")
        return self._rules()

    def category_title(self, category: str) -> str:
        return self.titles().in_namespace(category, 14)

    # -- reads --------------------------------------------------------------------------

    def _batches(self, kind: str, titles: list[str], size: int = CONTENT_BATCH) -> list[str]:
        unique = list(dict.fromkeys(titles))
        for _ in range(0, len(unique), size):
            self._request(kind)
        return unique

    def read(self, titles: list[str]) -> dict[str, Page]:
        size = self.for_big_read() if len(set(titles)) > CONTENT_BATCH else self.batch
        return {t: self._latest(t) for t in self._batches("read", titles, size)}

    def revisions(self, titles: list[str]) -> dict[str, Page]:
        return {t: self._latest(t, content=False) for t in self._batches("revisions", titles)}

    def exists(self, titles: list[str]) -> dict[str, bool]:
        pages = self.revisions(titles)
        return {t: pages[t].exists for t in titles}

    def redirects(self, titles: list[str]) -> dict[str, str]:
        found = {}
        for title in self._batches("redirects", titles):
            page = self._latest(title)
            target = _REDIRECT.match(page.text) if page.exists else None
            if target:
                found[title] = self._rules().normalize(target.group(1))
        return found

    def begin_category_read(self, category: str, *, whole: bool = False,
                            namespace: int | None = 0) -> None:
        """Nothing to start ahead in memory: ``category_pages`` does it all."""

    def prepare_login(self) -> None:
        """No login code to load in memory."""

    def category_pages(self, category: str, namespace: int | None = 0) -> Iterator[Page]:
        self._request("category")
        rules = self._rules()
        name = rules.in_namespace(category, 14)
        members = {rules.normalize(t) for c, titles in self.categories.items()
                   if rules.in_namespace(c, 14) == name for t in titles}
        by_template = {rules.in_namespace(t, 10) for t, c in self.template_categories.items()
                       if rules.in_namespace(c, 14) == name}
        for title, history in self.pages.items():
            text = history[-1].text
            for target in _LINK.findall(text):
                if not target.strip().startswith(":") and rules.split(target)[0] == 14 \
                        and rules.normalize(target) == name:
                    members.add(title)
            if any(rules.in_namespace(t.strip(), 10) in by_template
                   for t in _TEMPLATE.findall(text)):
                members.add(title)
        for title in sorted(members):
            if title in self.pages and (namespace is None or rules.split(title)[0] == namespace):
                yield self._latest(title)

    def recent_titles(
        self, since: str, skip: Collection[int] = ()
    ) -> tuple[set[str] | None, str]:
        now = datetime.strptime(self._time(self.clock), _ISO).replace(tzinfo=UTC)
        try:
            then = datetime.strptime(since, _ISO).replace(tzinfo=UTC)
        except ValueError:
            return None, ""
        if (now - then).days > RECENT_CHANGES_DAYS:
            return None, ""
        self._request("recent")
        titles = {t for ts, t, revid in self.changes
                  if ts >= since and (not revid or revid not in skip)}
        return titles, self._tick()

    def now(self) -> str:
        if not self._now:
            self._request("now")
            self._now = self._tick()
        return self._now

    def revision(self, revid: int) -> tuple[Page, int]:
        self._request("revision")
        page, parent = self._revision(revid)
        return Page(page.title, page.text, page.revid, page.timestamp, page.user, True,
                    self._tick(), page.pageid), parent

    def revisions_after(self, title: str, revid: int, limit: int = 10) -> list[LaterRevision]:
        self._request("revisions_after")
        history = self.pages.get(self._rules().normalize(title), [])
        later = [p for p in history if p.revid > revid][:limit]
        parents = [revid] + [p.revid for p in later[:-1]]
        return [LaterRevision(p.revid, parent, hashlib.sha1(p.text.encode("utf-8")).hexdigest())
                for p, parent in zip(later, parents, strict=True)]

    def identity(self, titles: list[str], since: str | None = None
                 ) -> tuple[dict, dict[str, Page]]:
        self._request("identity")  # ``since``: a Site asks for the recent changes in it too
        return self._general(), {t: self._latest(t, content=False) for t in titles[:50]}

    def history(self, title: str, limit: int = 500) -> list[HistoryEntry]:
        self._request("history")
        history = self.pages.get(self._rules().normalize(title), [])
        return [HistoryEntry(p.revid, p.timestamp, p.user, self.summaries.get(p.revid, ""))
                for p in reversed(history)][:limit]

    def texts(self, revids: list[int]) -> dict[int, str]:
        self._batches("texts", [str(r) for r in revids])
        wanted = set(revids)
        return {p.revid: p.text for h in self.pages.values() for p in h if p.revid in wanted}

    def pre_save_transform(self, title: str, text: str) -> str:
        self._request("parse")
        return text.rstrip()

    # -- writes -------------------------------------------------------------------------

    def save(self, page: Page, text: str, summary: str, *, create: bool = False) -> Page:
        """Write ``text`` on top of ``page`` as read; refuse what MediaWiki (or Site's checks)
        would refuse (see the module's docstring)."""
        self.login()
        self._request("edit")
        current = self._latest(page.title)
        title = current.title
        if create and current.exists:
            raise PageExistsError(f"{self.name}: {title!r} already exists", "nothing was written")
        if not create and not current.exists:
            raise EditError(self.name, f"{title!r} does not exist (it may have been deleted)")
        if title in {self._rules().normalize(t) for t in self.protected}:
            raise EditError(self.name, f"the wiki refused to save {title!r}: protectedpage",
                            "the page is protected; ask an administrator or leave it out")
        if not create and current.revid != page.revid:
            raise EditConflictError(
                self.name, f"edit conflict on {title!r}: someone else edited it meanwhile",
                "nothing was overwritten; run the command again",
            )
        if current.exists and current.text == text.rstrip():
            return page
        saved = self.put(title, text, self.account or "", summary)
        self.saved_revids.append(saved.revid)
        return saved

    def put_back(self, planned: Page, ours: int) -> None:
        """As :meth:`wikisync.site.Site.put_back`: our revision ``ours`` replaced a person's
        edit made after ``planned`` was read; put theirs back if ours is still the latest.
        Raises ConcurrentEditError when done, else PersonOverwrittenError."""
        saved, parent = self.revision(ours)
        theirs, _ = self.revision(parent)
        latest = self.revisions([planned.title])[planned.title]
        if latest.revid != ours:
            raise PersonOverwrittenError(
                self.name,
                f"{planned.title!r}: wikisync's revision {ours} replaced revision "
                f"{theirs.revid} and could not put it back (the page changed since, revision "
                f"{latest.revid})",
                f"restore revision {theirs.revid} from the page's history by hand",
            )
        restored = self.save(saved, theirs.text,
                             f"wikisync: put back revision {theirs.revid} (replaced by "
                             f"wikisync's revision {ours}, saved without seeing it)")
        raise ConcurrentEditError(
            self.name, planned.title,
            f"{planned.title!r}: wikisync's revision {ours} replaced revision {theirs.revid}, "
            f"and revision {restored.revid} puts it back",
            ((ours, f"replaced revision {theirs.revid}, put back in {restored.revid}"),
             (restored.revid, f"puts back revision {theirs.revid}")),
        )


def memory_factory(wikis: Mapping[str, MemoryWiki]) -> Callable[[str, WikiConfig], MemoryWiki]:
    """A wiki factory for :class:`wikisync.app.App` (and the CLI's ``wiki_factory``): each run
    gets the in-memory wiki of that name, with the config's API URL and account, as a new run
    (see :meth:`MemoryWiki.new_run`); its pages outlive the run, as a real wiki's do."""

    def factory(name: str, config: WikiConfig) -> MemoryWiki:
        wiki = wikis[name]
        wiki.api_url = config.api_url
        wiki.username = config.username or wiki.username
        return wiki.new_run()

    return factory
