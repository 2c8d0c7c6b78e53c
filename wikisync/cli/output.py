"""Rendering results for people (text) and programs (JSON). No logic about what to do."""

from __future__ import annotations

import difflib
import sys
from typing import Any

import click

from wikisync.cli import ui
from wikisync.fieldsync import field_conflict_id
from wikisync.i18n import _, ngettext
from wikisync.lists import CONTINUATION
from wikisync.model import ListEntry
from wikisync.planner import Conflict
from wikisync.sync import SyncReport


def _entry_text(entry: ListEntry | None) -> str:
    if entry is None:
        return _("(absent)")
    label = f" [{entry.label}]" if entry.label else ""
    kids = "".join(f" / {c}" for c in entry.children)
    return f"{entry.lead}{entry.key}{label}{entry.annotation}{kids}"


def _value_text(value: Any) -> str:
    if isinstance(value, ListEntry) or value is None:
        return _entry_text(value)
    return repr(value)


def _entry_lines(entry: ListEntry | None) -> list[str]:
    """An entry as lines to compare: its first line, then each sub-line."""
    if entry is None:
        return []
    label = f" [{entry.label}]" if entry.label else ""
    first = f"{entry.lead}{entry.key}{label}{entry.annotation}"
    return [first, *(c.removeprefix(CONTINUATION) for c in entry.children)]


def conflict_lines(heading: str, conflict: Conflict) -> list[str]:
    """A conflict in full: ``heading`` (which names it), what was last synced, each page's
    version, and how to settle it."""
    lines = [heading]
    is_entry = isinstance(conflict.base, ListEntry) or any(
        isinstance(v, ListEntry) for v in conflict.values.values())
    if not is_entry:
        lines.append(_("    last synced: %(value)s") % {"value": _value_text(conflict.base)})
        for page, value in conflict.values.items():
            lines.append(_("    on %(page)s: %(value)s") % {"page": page,
                                                             "value": _value_text(value)})
    else:  # a diff of each page's version against the entry as last synced
        base = _entry_lines(conflict.base)
        lines.append(_("    last synced: %(value)s")
                     % {"value": base[0] if base else _("(absent)")})
        for page, value in conflict.values.items():
            if value is None:
                lines.append(_("    on %(page)s: (removed)") % {"page": page})
                continue
            if value == conflict.base:
                lines.append(_("    on %(page)s: unchanged") % {"page": page})
                continue
            lines.append(_("    on %(page)s:") % {"page": page})
            diff = difflib.unified_diff(base, _entry_lines(value), lineterm="", n=1)
            lines.extend(f"      {d}" for d in list(diff)[2:])
    lines.append(_("    to resolve: make the pages agree by hand (or remove the entry "
                   "everywhere); the next sync takes it from there"))
    return lines


def _echo_conflict(lines: list[str], colour: bool) -> None:
    heading, *rest = lines
    click.echo(click.style(heading, fg="yellow", bold=True) if colour else heading, color=colour)
    for line in rest:
        click.echo(line)


def _failed(message: str, hint: str | None = None) -> None:
    ui.error(message)
    if hint:
        click.echo(_("  hint: %(hint)s") % {"hint": hint}, err=True)


def _print_change(change, dry_run: bool, colour: bool) -> None:
    values = {"page": f"{change.wiki}:{change.title}", "summary": change.summary,
              "revid": change.revid}
    if dry_run:
        click.echo(_("would change %(page)s: %(summary)s") % values)
        click.echo(ui.colour_diff(change.diff, colour), nl=False, color=colour)
    elif change.revid:
        click.echo(_("changed %(page)s: %(summary)s (revision %(revid)s)") % values)
    else:
        click.echo(_("changed %(page)s: %(summary)s") % values)


def print_sync(report: SyncReport, verbose: int = 0, quiet: bool = False) -> None:
    """One line per page changed; new conflicts in full; errors. Quiet otherwise.

    A conflict is printed in full the first time it appears (or when it changes); while it
    stands as it was, a line says it is still pending. ``quiet`` (``-q``, for cron) prints only
    errors and new conflicts: nothing on a run where all went well or where only the conflicts
    reported already remain (a dry run still prints its diffs, which are what was asked for)."""
    colour = ui.colour_on(sys.stdout)
    show_changes = report.dry_run or not quiet
    for result in report.lists:
        if result.error is not None:
            _failed(_("FAILED list %(list)s: %(error)s")
                    % {"list": result.name, "error": result.error}, result.error.hint)
            continue
        for change in result.changes if show_changes else ():
            _print_change(change, report.dry_run, colour)
        known = [c for c in result.conflicts if c.key in result.conflicts_known]
        if known and not quiet:  # told already: said once
            keys = ", ".join(repr(c.key) for c in known)
            click.echo(ngettext(
                "list %(list)s: %(count)d conflict still pending since %(since)s, unchanged: "
                "%(keys)s (wikisync status shows it; wikisync resolve %(list)s KEY --take WIKI "
                "settles it)",
                "list %(list)s: %(count)d conflicts still pending since %(since)s, unchanged: "
                "%(keys)s (wikisync status shows them; wikisync resolve %(list)s KEY --take WIKI "
                "settles one)", len(known)) % {
                    "list": result.name, "count": len(known), "keys": keys,
                    "since": result.conflicts_since})
        for conflict in result.conflicts:
            if conflict.key not in result.conflicts_known:
                heading = _("CONFLICT list %(list)s: %(key)r (%(kind)s)") % {
                    "list": result.name, "key": conflict.key, "kind": conflict.kind}
                _echo_conflict(conflict_lines(heading, conflict), colour)
        for dup in result.duplicates if not quiet else ():
            click.echo(_("note: %(key)r is listed more than once on %(page)s; only the first "
                         "is synced") % {"key": dup.key, "page": dup.page})
        if verbose and not result.changes:
            state = (_("list %(list)s: unchanged since last run") if result.skipped
                     else _("list %(list)s: in step"))
            click.echo(state % {"list": result.name}, err=True)
    for fres in report.fields:
        for err in fres.errors:
            _failed(_("FAILED %(kind)s: %(error)s") % {"kind": fres.kind, "error": err})
        for change in fres.changes if show_changes else ():
            _print_change(change, report.dry_run, colour)
        known = [(r, c) for r, c in fres.conflicts
                 if field_conflict_id(r, c) in fres.conflicts_known]
        if known and not quiet:
            click.echo(ngettext(
                "%(kind)s: %(count)d field conflict still pending, unchanged: %(which)s",
                "%(kind)s: %(count)d field conflicts still pending, unchanged: %(which)s",
                len(known)) % {"kind": fres.kind, "count": len(known),
                               "which": ", ".join(field_conflict_id(r, c) for r, c in known)})
        for record, conflict in fres.conflicts:
            if field_conflict_id(record, conflict) not in fres.conflicts_known:
                heading = _("CONFLICT %(kind)s %(record)r field: %(key)r (%(conflict)s)") % {
                    "kind": fres.kind, "record": record, "key": conflict.key,
                    "conflict": conflict.kind}
                _echo_conflict(conflict_lines(heading, conflict), colour)


def _entry_json(entry: ListEntry | None) -> dict | None:
    if entry is None:
        return None
    return {"key": entry.key, "label": entry.label, "annotation": entry.annotation,
            "children": list(entry.children), "lead": entry.lead}


def _conflict_json(conflict: Conflict) -> dict:
    conv = _entry_json if isinstance(conflict.base, ListEntry) or any(
        isinstance(v, ListEntry) for v in conflict.values.values()) else (lambda v: v)
    return {"key": conflict.key, "kind": conflict.kind, "base": conv(conflict.base),
            "values": {str(k): conv(v) for k, v in conflict.values.items()}}


def sync_json(report: SyncReport) -> dict:
    return {
        "dry_run": report.dry_run,
        "exit_code": report.exit_code,
        "lists": [
            {
                "name": r.name,
                "skipped_unchanged": r.skipped,
                "error": str(r.error) if r.error else None,
                "changes": [{"wiki": c.wiki, "title": c.title, "summary": c.summary,
                             "revid": c.revid or None, "diff": c.diff} for c in r.changes],
                "conflicts": [_conflict_json(c) for c in r.conflicts],
                "conflicts_pending_since": r.conflicts_since,
            }
            for r in report.lists
        ],
        "fields": [
            {
                "kind": f.kind,
                "errors": [str(e) for e in f.errors],
                "changes": [{"wiki": c.wiki, "title": c.title, "fields": c.fields,
                             "revid": c.revid or None, "diff": c.diff} for c in f.changes],
                "conflicts": [{"record": rec, **_conflict_json(c)} for rec, c in f.conflicts],
            }
            for f in report.fields
        ],
    }
