"""What was last synced, kept in SQLite, and the lock that keeps one wikisync per state.

The state holds, per list, the entries as last synced (the merge base) and the revision of each
list page when it was last synced; per record field, the value last synced; per wiki, the server
time of the last run (for reading recent changes) and the revisions wikisync saved (a recent
change is a person's unless its revision is one of these: never told apart by account). It is
written in transactions, so a crash at any point leaves either the old or the new state; and it
only ever advances for what was written and confirmed (the caller decides what that is: list
sync stores a base after each page it writes, see ``listsync._base_after``).

The file and its folder are readable by their owner only.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from wikisync.errors import EXIT_USAGE, LockedError, WikisyncError
from wikisync.i18n import _
from wikisync.model import ListEntry

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS list_entry (
    list TEXT NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL, label TEXT,
    annotation TEXT NOT NULL, children TEXT NOT NULL, lead TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (list, key));
CREATE TABLE IF NOT EXISTS list_synced (list TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS list_page (
    list TEXT NOT NULL, wiki TEXT NOT NULL, title TEXT NOT NULL, revid INTEGER NOT NULL,
    PRIMARY KEY (list, wiki));
CREATE TABLE IF NOT EXISTS field_value (
    kind TEXT NOT NULL, record TEXT NOT NULL, field TEXT NOT NULL, value TEXT,
    PRIMARY KEY (kind, record, field));
CREATE TABLE IF NOT EXISTS wiki_run (wiki TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS own_revision (
    wiki TEXT NOT NULL, revid INTEGER NOT NULL, at TEXT NOT NULL, PRIMARY KEY (wiki, revid));
CREATE TABLE IF NOT EXISTS list_pending (
    list TEXT PRIMARY KEY, wiki TEXT NOT NULL, title TEXT NOT NULL, parent INTEGER NOT NULL,
    sha1 TEXT NOT NULL, entries TEXT NOT NULL);
"""
#: What brings a state of version N - 1 to version N.
MIGRATIONS = {
    2: "ALTER TABLE list_entry ADD COLUMN lead TEXT NOT NULL DEFAULT ''",  # text before a link
    3: "CREATE TABLE own_revision (wiki TEXT NOT NULL, revid INTEGER NOT NULL,"
       " at TEXT NOT NULL, PRIMARY KEY (wiki, revid))",  # revisions wikisync saved
    4: "CREATE TABLE list_pending (list TEXT PRIMARY KEY, wiki TEXT NOT NULL,"
       " title TEXT NOT NULL, parent INTEGER NOT NULL, sha1 TEXT NOT NULL,"
       " entries TEXT NOT NULL)",  # the list page being saved, and the base once it is
}
OWN_REVISIONS_DAYS = 90  # as long as MediaWiki keeps its recent changes


class StateError(WikisyncError):
    """The state file is unreadable, from an unknown version, or made against other wikis:
    nothing was written."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class ListBase:
    entries: dict[str, ListEntry]  # key -> entry, in order
    page_revs: dict[str, int]  # wiki -> revid of the list page when last synced
    #: key -> the pages that held it, for each entry added differently on several pages at a
    #: run before (a conflict still pending: the key has no base entry)
    added_differently: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PendingSave:
    """A list page about to be saved: on top of revision ``parent``, a text whose SHA-1 is
    ``sha1``; ``entries`` is the list's merge base once that save is known to have landed.

    Kept until the save is confirmed, so that a run killed between a save and its record lets
    the next run find out (from the page's history) whether the save landed."""

    wiki: str
    title: str
    parent: int
    sha1: str
    entries: dict[str, ListEntry]


class State:
    """The SQLite state in ``folder/state.sqlite``."""

    def __init__(self, folder: Path, *, readonly: bool = False) -> None:
        self.folder = Path(folder)
        self.path = self.folder / "state.sqlite"
        self._lead = "lead"  # what list_base reads as an entry's lead
        try:
            self._open(readonly)
        except sqlite3.DatabaseError as exc:
            raise StateError(
                _("the state file %(path)s cannot be read (%(error)s)") % {
                    "path": self.path, "error": exc},
                _("move it away (e.g. mv %(path)s %(path)s.broken) and run again: the next "
                  "sync rebuilds what it needs from the list pages' histories") % {
                    "path": self.path},
            ) from None

    def _open(self, readonly: bool) -> None:
        if readonly:  # --dry-run: read the state if there is one, never create or change it
            if self.path.exists():
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                          isolation_level=None)
                columns = {row[1] for row in self.db.execute("PRAGMA table_info(list_entry)")}
                if "lead" not in columns:  # schema 1, which only a real run upgrades
                    self._lead = "''"
            else:
                self.db = sqlite3.connect(":memory:", isolation_level=None)
                self.db.executescript(SCHEMA)
            return
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.folder, 0o700)
        fresh = not self.path.exists()
        if fresh:
            self.path.touch(mode=0o600)
        os.chmod(self.path, 0o600)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        row = self.db.execute(
            "SELECT value FROM meta WHERE key='schema_version'"
        ).fetchone() if self._has_table("meta") else None
        if row is None:
            self.db.executescript(SCHEMA)
            self.db.execute(
                "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            return
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise StateError(
                _("%(path)s was written by a newer wikisync (schema %(version)s)") % {
                    "path": self.path, "version": version},
                _("upgrade wikisync, or point state_dir at another folder"),
            )
        if version == SCHEMA_VERSION:
            return
        with self.transaction() as db:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                db.execute(MIGRATIONS[step])
                log.info(_("state: %(path)s upgraded to schema %(step)d")
                         % {"path": self.path, "step": step})
            db.execute("UPDATE meta SET value=? WHERE key='schema_version'",
                       (str(SCHEMA_VERSION),))

    def _has_table(self, name: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)
        ).fetchone() is not None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- lists ----------------------------------------------------------------------------

    def list_base(self, name: str) -> ListBase | None:
        """The list as last synced, or None if it never was (first run)."""
        synced = self.db.execute("SELECT at FROM list_synced WHERE list=?", (name,)).fetchone()
        if synced is None:
            return None
        rows = self.db.execute(
            f"SELECT key, label, annotation, children, {self._lead} FROM list_entry"
            " WHERE list=? ORDER BY position",
            (name,),
        ).fetchall()
        entries = {
            key: ListEntry(key, label, annotation, tuple(json.loads(children)), lead)
            for key, label, annotation, children, lead in rows
        }
        revs = dict(
            self.db.execute("SELECT wiki, revid FROM list_page WHERE list=?", (name,)).fetchall()
        )
        pending = (self.note(f"conflicts:{name}") or {}).get("conflicts", [])
        added = {c["key"]: frozenset(p for p, line in c.get("pages", {}).items() if line)
                 for c in pending if c.get("base") is None and c.get("key")}
        return ListBase(entries, revs, added)

    def save_list(
        self, name: str, entries: Mapping[str, ListEntry], pages: Mapping[str, tuple[str, int]]
    ) -> None:
        """Store the merge base and each page's (title, revid), in one transaction; a pending
        save of the list is settled by it."""
        with self.transaction() as db:
            db.execute("DELETE FROM list_entry WHERE list=?", (name,))
            db.execute("DELETE FROM list_pending WHERE list=?", (name,))
            db.executemany(
                "INSERT INTO list_entry (list, position, key, label, annotation, children, lead)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (name, i, e.key, e.label, e.annotation, json.dumps(list(e.children)), e.lead)
                    for i, e in enumerate(entries.values())
                ],
            )
            db.execute(
                "INSERT OR REPLACE INTO list_synced VALUES (?, ?)", (name, _now()),
            )
            db.execute("DELETE FROM list_page WHERE list=?", (name,))
            db.executemany(
                "INSERT INTO list_page VALUES (?, ?, ?, ?)",
                [(name, wiki, title, revid) for wiki, (title, revid) in pages.items()],
            )

    def pending_save(self, name: str) -> PendingSave | None:
        """The list page save that a killed run left unconfirmed, if any."""
        if not self._has_table("list_pending"):  # a read-only state of an older schema
            return None
        row = self.db.execute(
            "SELECT wiki, title, parent, sha1, entries FROM list_pending WHERE list=?", (name,)
        ).fetchone()
        if row is None:
            return None
        wiki, title, parent, sha1, entries = row
        return PendingSave(wiki, title, parent, sha1, {
            key: ListEntry(key, label, annotation, tuple(children), lead)
            for key, label, annotation, children, lead in json.loads(entries)
        })

    def set_pending_save(self, name: str, pending: PendingSave | None) -> None:
        """Record the list page about to be saved (None: no save is pending any more)."""
        with self.transaction() as db:
            db.execute("DELETE FROM list_pending WHERE list=?", (name,))
            if pending is not None:
                entries = [[e.key, e.label, e.annotation, list(e.children), e.lead]
                           for e in pending.entries.values()]
                db.execute(
                    "INSERT INTO list_pending VALUES (?, ?, ?, ?, ?, ?)",
                    (name, pending.wiki, pending.title, pending.parent, pending.sha1,
                     json.dumps(entries)),
                )

    # -- record fields --------------------------------------------------------------------

    def field_bases(self, kind: str) -> dict[tuple[str, str], str | None]:
        rows = self.db.execute(
            "SELECT record, field, value FROM field_value WHERE kind=?", (kind,)
        ).fetchall()
        return {(record, field): value for record, field, value in rows}

    def save_fields(self, kind: str, values: Mapping[tuple[str, str], str | None]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO field_value VALUES (?, ?, ?, ?)",
                [(kind, record, field, value) for (record, field), value in values.items()],
            )

    # -- runs -----------------------------------------------------------------------------

    def last_run(self, wiki: str) -> str | None:
        row = self.db.execute("SELECT at FROM wiki_run WHERE wiki=?", (wiki,)).fetchone()
        return row[0] if row else None

    def save_run(self, wiki: str, at: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO wiki_run VALUES (?, ?)", (wiki, at))


    # -- wikisync's own revisions --------------------------------------------------------

    def own_revisions(self, wiki: str) -> set[int]:
        """The revisions wikisync saved on ``wiki`` (the last 90 days): the recent changes
        that are not a person's."""
        if not self._has_table("own_revision"):  # a read-only state of an older schema
            return set()
        rows = self.db.execute("SELECT revid FROM own_revision WHERE wiki=?", (wiki,))
        return {revid for (revid,) in rows}

    def save_own_revisions(self, wiki: str, revids: Iterable[int]) -> None:
        """Remember revisions wikisync saved, and forget those too old to matter."""
        oldest = time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - OWN_REVISIONS_DAYS * 86400)
        )
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO own_revision VALUES (?, ?, ?)",
                           [(wiki, revid, _now()) for revid in revids])
            db.execute("DELETE FROM own_revision WHERE at < ?", (oldest,))


    # -- what the state was made against -------------------------------------------------

    def identities(self) -> dict[str, dict]:
        """What the state was made against, by key: ``wiki:NAME`` -> the wiki's siteinfo
        identity; ``page:LIST:WIKI`` -> the list page's title, page id and latest revision."""
        rows = self.db.execute(
            "SELECT key, value FROM meta WHERE key LIKE 'wiki:%' OR key LIKE 'page:%'")
        return {key: json.loads(value) for key, value in rows}

    def note(self, key: str) -> dict | None:
        """A small JSON document the state keeps under ``key`` (e.g. a list's pending
        conflicts), or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_note(self, key: str, value: dict | None) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM meta WHERE key=?", (key,))
            if value is not None:
                db.execute("INSERT INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def synced_at(self, name: str) -> str | None:
        """When the list was last synced (UTC), or None."""
        row = self.db.execute("SELECT at FROM list_synced WHERE list=?", (name,)).fetchone()
        return row[0] if row else None

    def save_identities(self, found: Mapping[str, dict]) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           [(key, json.dumps(value, sort_keys=True))
                            for key, value in found.items()])


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Lock:
    """An exclusive lock on a state folder; the kernel frees it when its process dies.

    The lock file names its holder (pid, host, start time) so that a second run can say who
    holds it. A lock left by a dead process is simply taken over.
    """

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / "lock"
        self._fh = None

    def acquire(self, wait: float = 0.0) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "another process"
                    fh.close()
                    raise LockedError(
                        _("the state in %(parent)s is in use by %(holder)s") % {
                            "parent": self.path.parent, "holder": holder},
                        _("wait for that run to finish; if it hangs, stop that process"),
                    ) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"wikisync pid {os.getpid()} on {socket.gethostname()} since {_now()}\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.truncate(0)
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
