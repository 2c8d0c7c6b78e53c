"""Record field sync: a mapping's ``sync`` fields kept equal on every wiki that has the record.

Records match across wikis by title (normalised). Each field follows the same three-way rules as
list entries (:func:`wikisync.planner.plan_fields`). One edit per page, through the wikitext
module's surgical field edit; the field's base in the state advances only for pages confirmed
written (or that needed nothing).

Cheap when nothing changed: after a first full read of each kind's category, a run only asks each
wiki for its recent changes since the last run (within the run's first request to that wiki, see
:func:`changes_since`) and reads just the records that changed, with their counterparts on the other
wikis. wikisync's own edits are left out by their revision ids (kept in the state), never by
account: a person who edits with the bot password's account is a person like any other. When the
recent changes no longer reach back to the last run, it reads everything again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from wikisync.app import App
from wikisync.errors import (
    ConcurrentEditError,
    EditConflictError,
    WikisyncError,
    WikitextError,
)
from wikisync.i18n import _
from wikisync.identity import Identity, record_identity
from wikisync.mapping import Mapping
from wikisync.model import Page, Record
from wikisync.planner import MISSING, Conflict, plan_fields
from wikisync.records import (
    plan_field_edit,
    read_records_of,
    record_from_page,
    unified_diff,
)
from wikisync.state import State
from wikisync.titles import normalize_title

log = logging.getLogger(__name__)

MAX_REPLANS = 3


@dataclass
class FieldChange:
    wiki: str
    title: str
    fields: dict[str, str | None]
    summary: str
    diff: str
    revid: int = 0


@dataclass
class FieldResult:
    kind: str
    changes: list[FieldChange] = field(default_factory=list)
    conflicts: list[tuple[str, Conflict]] = field(default_factory=list)  # (record, conflict)
    errors: list[WikisyncError] = field(default_factory=list)
    records_read: int = 0
    #: the conflicts that stand as at an earlier run (their id -> since when): said once
    conflicts_known: dict[str, str] = field(default_factory=dict)
    #: the records read this run (those changed since the last run, or all)
    records_seen: set[str] = field(default_factory=set)

    def looked_at(self, conflict_id: str) -> bool:
        """Whether this run read the record of the conflict ``conflict_id`` (an id of
        :func:`field_conflict_id`)."""
        return any(conflict_id.startswith(f"{record} / ") for record in self.records_seen)


def field_conflict_id(record: str, conflict: Conflict) -> str:
    """What names a field conflict from one run to the next: its record and field."""
    return f"{record} / {conflict.key}"


def sync_wikis(mapping: Mapping, app: App) -> list[str]:
    """The configured wikis that map at least one of the kind's ``sync`` fields."""
    return [
        w for w in mapping.wikis
        if w in app.config.wikis and any(mapping.wiki(w).param_for(f) for f in mapping.sync)
    ]


def changes_since(app: App, state: State) -> dict[str, str]:
    """wiki -> the earliest last run of the kinds whose fields this run syncs there: the run's
    first request to each wiki asks for the recent changes since then with the wiki's identity
    (:func:`wikisync.provenance.check_provenance`), and every kind takes its own from them."""
    since: dict[str, str] = {}
    try:
        mappings = list(app.mappings.values())
    except WikisyncError:  # reported where the fields are synced
        return since
    for mapping in mappings:
        wikis = sync_wikis(mapping, app)
        if len(wikis) < 2 or not mapping.sync:
            continue
        for wiki in wikis:
            last = state.last_run(f"fields:{mapping.kind}:{wiki}")
            if last is not None and last < since.get(wiki, "~"):
                since[wiki] = last
    return since


def _records_by_key(
    app: App, mapping: Mapping, wikis: list[str], state: State, scope: str
) -> tuple[dict[str, dict[str, Record]], dict[str, str]]:
    """record key -> wiki -> Record, for every record worth looking at, and each wiki's server
    time. A record titled differently on two wikis (the mapping's ``same:``) is one key."""
    changed, now = _changed_titles(app, wikis, state, scope)
    order = list(app.config.wikis)
    records: list[Record] = []
    if changed is None:  # first run, or the recent changes do not reach back: read everything
        records = [item for items in read_records_of(app.site, mapping, wikis).values()
                   for item in items if isinstance(item, Record)]
    elif changed:
        same = Identity.from_pairs(mapping.same, order)
        wanted = {wiki: changed | {same.title_on(wiki, same.key(None, t)) for t in changed}
                  for wiki in wikis}  # each changed title, and each wiki's title of its record
        records = _read_titles(app, mapping, wanted)
        named = {w: {r.same[w] for r in records if w in r.same} - wanted[w] for w in wikis}
        records += _read_titles(app, mapping, named)  # the titles their pages name elsewhere
    same = record_identity(mapping.same, records, order)
    found: dict[str, dict[str, Record]] = {}
    for record in records:
        found.setdefault(same.key(record.wiki, record.title), {})[record.wiki] = record
    return found, now


def _read_titles(app: App, mapping: Mapping, titles: dict[str, set[str]]) -> list[Record]:
    """The records of ``{wiki: titles}`` (one batched read per wiki that has titles)."""
    records = []
    for wiki, wanted in titles.items():
        if not wanted:
            continue
        for page in app.site(wiki).read(sorted(wanted)).values():
            record = _as_record(mapping, wiki, page)
            if record is not None:
                records.append(record)
    return records


def _as_record(mapping: Mapping, wiki: str, page: Page) -> Record | None:
    if not page.exists:
        return None
    try:
        return record_from_page(mapping, wiki, page)
    except WikitextError:
        return None


def _changed_titles(
    app: App, wikis: list[str], state: State, scope: str
) -> tuple[set[str] | None, dict[str, str]]:
    """Titles changed on any wiki since the last run, or None when everything must be read."""
    titles: set[str] = set()
    now: dict[str, str] = {}
    full = False
    for wiki in wikis:
        site = app.site(wiki)
        since = state.last_run(f"{scope}:{wiki}")
        if since is None:
            full = True
            now[wiki] = site.now()
            continue
        own = state.own_revisions(wiki) | set(site.saved_revids)
        changed, server_now = site.recent_titles(since, skip=own)
        if changed is None:
            full = True
            now[wiki] = site.now()
            continue
        now[wiki] = server_now
        titles |= {normalize_title(t) for t in changed}
    return (None if full else titles), now


def sync_kind(
    app: App, mapping: Mapping, state: State, *, dry_run: bool,
    before_write: Callable[[], None] = lambda: None,
) -> FieldResult:
    """Three-way merge of every ``sync`` field of every record of ``mapping`` on 2+ wikis.

    ``before_write`` runs before the first save (the run's check that it can write
    everywhere; it raises when it cannot, and nothing is written)."""
    result = FieldResult(mapping.kind)
    wikis = sync_wikis(mapping, app)
    if len(wikis) < 2 or not mapping.sync:
        return result
    scope = f"fields:{mapping.kind}"
    records, now = _records_by_key(app, mapping, wikis, state, scope)
    result.records_read = sum(len(r) for r in records.values())
    result.records_seen = set(records)
    bases = state.field_bases(mapping.kind)
    confirmed: dict[tuple[str, str], str | None] = {}
    for key, by_wiki in records.items():
        if len(by_wiki) < 2:
            continue
        new_bases = _sync_record(app, mapping, key, by_wiki, bases, dry_run, result,
                                 before_write)
        if new_bases is not None:
            confirmed.update({(key, f): v for f, v in new_bases.items()})
    if not dry_run:
        state.save_fields(mapping.kind, confirmed)
        if not result.errors:
            for wiki, at in now.items():
                if at:
                    state.save_run(f"{scope}:{wiki}", at)
    return result


def _sync_record(
    app: App, mapping: Mapping, key: str, by_wiki: dict[str, Record],
    bases: dict[tuple[str, str], str | None], dry_run: bool, result: FieldResult,
    before_write: Callable[[], None],
) -> dict[str, str | None] | None:
    """Plan and write one record; its fields' new bases when every page is confirmed. A
    person's edit landing between the read and the write (kept or put back by the Site) makes
    it read the record again and plan again, a bounded number of times."""
    for attempt in range(1, MAX_REPLANS + 1):
        conflicts: list[tuple[str, Conflict]] = []
        edits, new_bases = _plan_record(mapping, key, by_wiki, bases, conflicts)
        if edits and not dry_run:
            before_write()
        try:
            ok = _write_record(app, mapping, by_wiki, edits, dry_run, result)
        except ConcurrentEditError as exc:
            log.warning(_("%(error)s; reading %(record)r again (attempt %(attempt)d)")
                        % {"error": exc, "record": key, "attempt": attempt})
            by_wiki = _read_again(app, mapping, by_wiki)
            continue
        result.conflicts += conflicts
        return new_bases if ok else None
    result.errors.append(EditConflictError(
        next(iter(by_wiki)), _("%(kind)s %(key)r: the pages kept changing while syncing") % {
            "kind": mapping.kind, "key": key},
        _("someone is editing the record right now; the next run will finish the sync"),
    ))
    return None


def _read_again(app: App, mapping: Mapping, by_wiki: dict[str, Record]) -> dict[str, Record]:
    """The record's pages read again (a page that no longer reads as a record is left out)."""
    again = {}
    for wiki, record in by_wiki.items():
        page = app.site(wiki).read([record.title])[record.title]
        fresh = _as_record(mapping, wiki, page)
        if fresh is not None:
            again[wiki] = fresh
    return again


def _plan_record(
    mapping: Mapping, key: str, by_wiki: dict[str, Record],
    bases: dict[tuple[str, str], str | None], conflicts: list[tuple[str, Conflict]],
) -> tuple[dict[str, dict[str, str | None]], dict[str, str | None]]:
    """Per wiki, the fields to change; and the new base of every field without conflict."""
    edits: dict[str, dict[str, str | None]] = {}
    new_bases: dict[str, str | None] = {}
    for name in mapping.sync:
        current = {
            w: (r.fields.get(name) or None) for w, r in by_wiki.items()
            if mapping.wiki(w).param_for(name)
        }
        if len(current) < 2:
            continue
        plan = plan_fields(current, bases.get((key, name), MISSING), name=name)
        if plan.conflict is not None:
            conflicts.append((key, plan.conflict))
            continue
        new_bases[name] = plan.new_base
        for wiki, value in plan.set.items():
            edits.setdefault(wiki, {})[name] = value
    return edits, new_bases


def _write_record(
    app: App, mapping: Mapping, by_wiki: dict[str, Record],
    edits: dict[str, dict[str, str | None]], dry_run: bool, result: FieldResult,
) -> bool:
    """Write each page's field changes; True when every page is confirmed (or dry run)."""
    ok = True
    for wiki, changes in edits.items():
        record = by_wiki[wiki]
        page = record.page
        assert page is not None
        values = {k: (v or "") for k, v in changes.items()}
        try:
            text = plan_field_edit(mapping, wiki, page, values)
        except WikisyncError as exc:
            result.errors.append(exc)
            ok = False
            continue
        summary = f"wikisync: {', '.join(sorted(changes))} ({mapping.kind})"
        change = FieldChange(wiki, page.title, changes, summary,
                             unified_diff(page.title, page.text, text, wiki))
        result.changes.append(change)
        if dry_run:
            continue
        try:
            change.revid = app.site(wiki).save(page, text, summary).revid
        except ConcurrentEditError as exc:  # every revision it made is reported once
            (change.revid, note), *more = exc.saved
            change.summary = f"{summary} ({note})"
            result.changes += [FieldChange(wiki, page.title, {}, f"wikisync: {n}", "", r)
                               for r, n in more]
            raise
        except EditConflictError as exc:
            log.warning(_("%(error)s; the next run will re-read it") % {"error": exc})
            result.errors.append(exc)
            ok = False
    return ok
