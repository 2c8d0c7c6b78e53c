"""An in-memory wiki that behaves like MediaWiki where wikisync cares: revisions, timestamps,
edit conflicts (refused, never merged), createonly/nocreate, trailing whitespace trimmed, and
recent changes. A real implementation of the interface Site offers, not a mock."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from wikisync.errors import EditConflictError, EditError, PageExistsError
from wikisync.model import Page
from wikisync.site import HistoryEntry, LaterRevision
from wikisync.siteinfo import TitleRules

_REDIRECT = re.compile(r"#(?:REDIRECT|REDIRECTION)\s*\[\[([^\]|#]+)", re.IGNORECASE)

SITEINFO = {
    "namespaces": {
        "0": {"id": 0, "name": "", "case": "first-letter"},
        "10": {"id": 10, "name": "Modèle", "canonical": "Template", "case": "first-letter"},
        "14": {"id": 14, "name": "Catégorie", "canonical": "Category", "case": "first-letter"},
    },
    "namespacealiases": [],
}


@dataclass
class FakeWiki:
    name: str
    username: str = "Bot@wikisync"
    pages: dict[str, list[Page]] = field(default_factory=dict)  # title -> revisions
    clock: int = 0
    changes: list[tuple[str, str, int]] = field(default_factory=list)  # (ts, title, revid)
    saved_revids: list[int] = field(default_factory=list)  # wikisync's edits (as Site keeps)
    counts: Counter = field(default_factory=Counter)
    categories: dict[str, set[str]] = field(default_factory=dict)
    summaries: dict[int, str] = field(default_factory=dict)  # revid -> edit summary

    # -- what tests use -------------------------------------------------------------------

    def _tick(self) -> str:
        self.clock += 1
        return f"2026-01-01T00:{self.clock // 60:02d}:{self.clock % 60:02d}Z"

    def put(self, title: str, text: str, user: str = "Contributrice") -> Page:
        """A person's edit (or the seed), without any conflict check."""
        title = self.titles().normalize(title)
        history = self.pages.setdefault(title, [])
        revid = sum(len(h) for h in self.pages.values()) + 1
        page = Page(title, text.rstrip(), revid, self._tick(), user)
        history.append(page)
        self.changes.append((page.timestamp, title, revid))
        return page

    def text(self, title: str) -> str:
        return self.pages[self.titles().normalize(title)][-1].text

    # -- the Site interface ---------------------------------------------------------------

    def titles(self) -> TitleRules:
        return TitleRules.from_siteinfo(SITEINFO)

    @property
    def account(self) -> str:
        return self.username.split("@")[0]

    def now(self) -> str:
        return self._tick()

    def _latest(self, title: str) -> Page:
        norm = self.titles().normalize(title)
        history = self.pages.get(norm)
        now = self._tick()
        if not history:
            return Page(norm, exists=False, starttimestamp=now)
        last = history[-1]
        return Page(last.title, last.text, last.revid, last.timestamp, last.user, True, now)

    def read(self, titles: list[str]) -> dict[str, Page]:
        self.counts["read"] += 1
        return {t: self._latest(t) for t in titles}

    def revisions(self, titles: list[str]) -> dict[str, Page]:
        self.counts["revisions"] += 1
        return {t: self._latest(t) for t in titles}

    def redirects(self, titles: list[str]) -> dict[str, str]:
        self.counts["redirects"] += 1
        found = {}
        for title in titles:
            page = self._latest(title)
            target = _REDIRECT.match(page.text) if page.exists else None
            if target:
                found[title] = target.group(1).strip()
        return found

    def category_pages(self, category: str):
        self.counts["category"] += 1
        for title in sorted(self.categories.get(category, ())):
            yield self._latest(title)

    def recent_titles(self, since: str, skip=()):
        self.counts["recent"] += 1
        titles = {t for ts, t, revid in self.changes if ts >= since and revid not in skip}
        return titles, self._tick()

    def revisions_after(self, title: str, revid: int, limit: int = 10) -> list[LaterRevision]:
        history = self.pages.get(self.titles().normalize(title), [])
        later = [p for p in history if p.revid > revid][:limit]
        parents = [revid] + [p.revid for p in later[:-1]]
        return [LaterRevision(p.revid, parent, hashlib.sha1(p.text.encode("utf-8")).hexdigest())
                for p, parent in zip(later, parents, strict=True)]

    def history(self, title: str, limit: int = 500) -> list[HistoryEntry]:
        self.counts["history"] += 1
        history = self.pages.get(self.titles().normalize(title), [])
        return [HistoryEntry(p.revid, p.timestamp, p.user, self.summaries.get(p.revid, ""))
                for p in reversed(history)][:limit]

    def texts(self, revids: list[int]) -> dict[int, str]:
        self.counts["texts"] += 1
        return {p.revid: p.text for h in self.pages.values() for p in h if p.revid in revids}

    def identity(self, titles: list[str], since: str | None = None
                 ) -> tuple[dict, dict[str, Page]]:
        self.counts["identity"] += 1  # ``since``: the recent changes come with it on a Site
        return self.siteinfo()["general"], {t: self._latest(t) for t in titles}

    def siteinfo(self) -> dict:
        return {"general": {"server": f"https://{self.name}.invalid", "sitename": self.name,
                            "wikiid": self.name}, **SITEINFO}

    def save(self, page: Page, text: str, summary: str, *, create: bool = False) -> Page:
        self.counts["edit"] += 1
        current = self._latest(page.title)
        if create and current.exists:
            raise PageExistsError(f"{self.name}: {page.title!r} already exists")
        if not create and not current.exists:
            raise EditError(self.name, f"{page.title!r} does not exist")
        if not create and current.revid != page.revid:
            raise EditConflictError(self.name, f"edit conflict on {page.title!r}")
        if current.exists and current.text == text.rstrip():
            return current
        saved = self.put(page.title, text, self.account)
        self.saved_revids.append(saved.revid)
        self.summaries[saved.revid] = summary
        return saved
