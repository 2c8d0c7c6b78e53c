"""Domain objects shared by the whole package.

Glossary
--------
Wiki
    A MediaWiki site named in the config (``fabmob``, ``movilab``, ...). The network side is
    :class:`wikisync.site.Site`; anything that implements :class:`WikiAPI` can stand in for it.
Page
    One revision of a wiki page as read: title, text, revision id, timestamp, last author.
Mapping
    What a kind of structured page (``lieu``, ``projet``) is, field by field, and how each wiki
    writes it (template, parameter names, category, page template).
Record
    The fields of one structured page on one wiki, read through its mapping.
Link
    The first link of a list line: internal ``[[T]]``, interwiki ``[[p:T]]``, external
    ``[url label]`` or none (plain text).
RawEntry
    A list item exactly as written on a page: its text, bullet, first link and sub-bullets.
ListEntry
    A list item in wiki-independent form: the lieu's key (a normalised title) and what follows it.
Plan
    What a sync will do: per page, the entries to add, remove and change, and the conflicts.
Conflict
    A change that cannot be merged without overwriting a person's edit.
Finding
    One thing an audit tells maintainers to look at.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

LinkKind = Literal["internal", "interwiki", "external", "plain"]


@dataclass(frozen=True)
class Page:
    """One revision of a page. ``revid == 0`` and ``exists is False`` for a missing page."""

    title: str
    text: str = ""
    revid: int = 0
    timestamp: str = ""  # ISO 8601, UTC, as MediaWiki gives it ("2024-01-31T12:00:00Z")
    user: str = ""
    exists: bool = True
    starttimestamp: str = ""  # the server's time when the page was read (for edit safety)
    pageid: int = 0  # MediaWiki's page id (0: unknown); a re-created page gets a new one


@dataclass(frozen=True)
class Link:
    kind: LinkKind
    target: str = ""  # title for internal/interwiki, URL for external, "" for plain
    label: str | None = None  # text shown, when it differs from the target
    prefix: str | None = None  # interwiki prefix
    bracketed: bool = field(default=True, compare=False)  # False for a bare URL


@dataclass(frozen=True)
class RawEntry:
    """A list item as it stands on a page, with the exact text it occupies."""

    text: str  # exact source, first line and sub-bullet lines, each with its newline
    bullet: str  # the bullet characters of the first line: "*", "#", ...
    link: Link  # first link on the first line, or Link("plain") when none
    name: str  # for plain entries: the text up to the first separator, stripped
    rest: str  # what follows the link (or the name) on the first line, as written
    children: tuple[str, ...] = ()  # sub-bullet lines, as written, without newline
    lead: str = ""  # between the bullet's space and the link ("'''", "Le "), as written
    head: str = ""  # the template the link stands in, as written ("{{lang|fr|[[X]]}}"), if any


@dataclass(frozen=True)
class ListEntry:
    """A list item in wiki-independent form. ``key`` is a normalised title."""

    key: str
    label: str | None = None
    annotation: str = ""  # the rest of the first line after the link or name
    children: tuple[str, ...] = ()
    lead: str = ""  # text before the link: formatting (``'''``) or words (``Le ``)
    #: The lieu was named by a link (kept a link where no wiki has its page: a red link).
    linked: bool = field(default=False, compare=False)

    @property
    def value(self) -> tuple[str | None, str, tuple[str, ...], str]:
        """What a three-way merge compares: everything but the key."""
        return (self.label, self.annotation, self.children, self.lead)


@dataclass(frozen=True)
class Record:
    kind: str
    wiki: str
    title: str
    fields: dict[str, str] = field(default_factory=dict)
    page: Page | None = None
    #: the record's title on other wikis, as its page names it (the mapping's ``counterparts``)
    same: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    code: str
    wiki: str
    title: str
    field: str | None = None
    detail: str = ""
    kind: str | None = None  # the kind audited when this was found (set by ``run_audit``)
    #: ``detail`` in English, for the terminal, JSON and CSV; ``detail`` itself is French, the
    #: wikis' language, for the published report. None: the same words in both.
    detail_en: str | None = None


class WikiAPI(Protocol):
    """What the rest of wikisync needs from a wiki. ``Site`` implements it over the network;
    :class:`wikisync.memwiki.MemoryWiki` in memory."""

    name: str

    def read(self, titles: list[str]) -> dict[str, Page]:
        """The latest revision of each title with content (batched); missing: exists=False."""

    def revisions(self, titles: list[str]) -> dict[str, Page]:
        """The latest revision id and timestamp of each title, without content (batched)."""

    def category_pages(self, category: str) -> Iterator[Page]:
        """Every page in a category, with its content and last revision, batched."""

    def begin_category_read(self, category: str, *, whole: bool = False) -> None:
        """Start what the next ``category_pages(category)`` does first (with ``whole``: its
        first batch too), in the background."""

    def prepare_login(self) -> None:
        """Load, in the calling thread, what a login would need, while the reads begun ahead
        are out (nothing when this wiki will not log in)."""

    def recent_titles(
        self, since: str, skip: Collection[int] = ()
    ) -> tuple[set[str] | None, str]:
        """Titles changed since ``since`` by a revision not in ``skip``, and the server's time;
        None when too old to tell."""

    def now(self) -> str:
        """The server's time (ISO) when this run first asked."""

    def save(self, page: Page, text: str, summary: str, *, create: bool = False) -> Page:
        """Write ``text`` on top of ``page`` (as read); refuse to clobber a concurrent edit."""
