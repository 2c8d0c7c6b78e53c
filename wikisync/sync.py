"""``wikisync sync``: every configured list, then every kind's ``sync`` fields, under the lock.

A failing list (unreachable wiki, missing page or section, empty-list guard) does not stop the
others; the run's exit code says what happened: 1 if anything failed, else 3 if a conflict needs
a person, else 0. Before its first save, a run checks that it can write on every wiki it may
write (:class:`wikisync.check.WriteCheck`): when it cannot, it writes nowhere. A run with nothing
to write never logs in.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field

from wikisync.app import App
from wikisync.check import WriteCheck
from wikisync.config import ListConfig
from wikisync.errors import EXIT_ATTENTION, EXIT_FAILED, EXIT_OK, WikisyncError
from wikisync.fieldsync import FieldResult, changes_since, field_conflict_id, sync_kind
from wikisync.listgroup import groups_sharing_pages, sync_lists_sharing_pages
from wikisync.listsync import ListResult
from wikisync.provenance import check_provenance
from wikisync.settle import remember_conflicts
from wikisync.state import Lock, State

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    lists: list[ListResult] = field(default_factory=list)
    fields: list[FieldResult] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return any(r.error for r in self.lists) or any(r.errors for r in self.fields)

    @property
    def conflicts(self) -> int:
        return sum(len(r.conflicts) for r in self.lists) + sum(
            len(r.conflicts) for r in self.fields
        )

    @property
    def exit_code(self) -> int:
        if self.failed:
            return EXIT_FAILED
        return EXIT_ATTENTION if self.conflicts else EXIT_OK


def run_sync(
    app: App, list_names: tuple[str, ...] = (), *, dry_run: bool = False,
    allow_empty: bool = False, fields: bool = True,
) -> SyncReport:
    """Sync the named lists (all when none) and, unless ``--list`` narrows it, record fields."""
    lists = [app.config.list_named(n) for n in list_names] or list(app.config.lists.values())
    fields = fields and not list_names
    pages = _pages_written(app, lists, fields)
    app.config.check_passwords(pages)  # a config problem is exit 2, before any request
    report = SyncReport(dry_run=dry_run)
    ready = WriteCheck(app, pages)
    with contextlib.nullcontext() if dry_run else Lock(app.config.state_dir):
        state = State(app.config.state_dir, readonly=dry_run)
        try:
            # a state made against other wikis or pages is never used (exit 2); the same
            # request to each wiki asks for the recent changes the field sync needs
            check_provenance(app, lists, list(pages), state, record=not dry_run,
                             since=changes_since(app, state) if fields else None)
            for group in groups_sharing_pages(lists):
                try:  # lists that share a page are written in one edit per page
                    report.lists.extend(sync_lists_sharing_pages(
                        app, group, state, dry_run=dry_run, allow_empty=allow_empty,
                        before_write=ready))
                except WikisyncError as exc:
                    log.debug("lists %s failed", [lst.name for lst in group], exc_info=True)
                    report.lists.extend(ListResult(lst.name, error=exc) for lst in group)
            if not dry_run:  # a conflict is reported when it appears or changes
                for result in report.lists:
                    if result.error is None and not result.skipped:
                        result.conflicts_known = remember_conflicts(
                            state, result.name, {c.key: c for c in result.conflicts}, _now())
                        result.conflicts_since = min(result.conflicts_known.values(),
                                                     default=None)
            if fields:
                for mapping in app.mappings.values():
                    try:
                        fres = sync_kind(app, mapping, state, dry_run=dry_run,
                                         before_write=ready)
                    except WikisyncError as exc:
                        fres = FieldResult(mapping.kind, errors=[exc])
                    if not dry_run and not fres.errors:
                        fres.conflicts_known = remember_conflicts(
                            state, f"fields:{mapping.kind}",
                            {field_conflict_id(r, c): c for r, c in fres.conflicts}, _now(),
                            looked_at=fres.looked_at)
                    report.fields.append(fres)
        finally:
            if not dry_run:
                for name, site in app.sites.items():
                    if site.saved_revids:
                        state.save_own_revisions(name, site.saved_revids)
            state.close()
    return report


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _pages_written(app: App, lists: list[ListConfig], fields: bool) -> dict[str, list[str]]:
    """wiki -> the list pages a run may write there; with record fields, every wiki."""
    pages: dict[str, list[str]] = {name: [] for name in app.config.wikis} if fields else {}
    for lst in lists:
        for wiki, ref in lst.pages.items():
            pages.setdefault(wiki, []).append(ref.title)
    return pages
