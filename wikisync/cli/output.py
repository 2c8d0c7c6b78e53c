"""Rendering results for people (text) and programs (JSON). No logic about what to do."""

from __future__ import annotations

import difflib
from typing import Any

import click

from wikisync.lists import CONTINUATION
from wikisync.model import ListEntry
from wikisync.planner import Conflict
from wikisync.sync import SyncReport


def _entry_text(entry: ListEntry | None) -> str:
    if entry is None:
        return "(absent)"
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


def conflict_lines(where: str, conflict: Conflict) -> list[str]:
    lines = [f"CONFLICT {where}: {conflict.key!r} ({conflict.kind})"]
    is_entry = isinstance(conflict.base, ListEntry) or any(
        isinstance(v, ListEntry) for v in conflict.values.values())
    if not is_entry:
        lines.append(f"    last synced: {_value_text(conflict.base)}")
        for page, value in conflict.values.items():
            lines.append(f"    on {page}: {_value_text(value)}")
    else:  # a diff of each page's version against the entry as last synced
        base = _entry_lines(conflict.base)
        lines.append("    last synced: " + (base[0] if base else "(absent)"))
        for page, value in conflict.values.items():
            if value is None:
                lines.append(f"    on {page}: (removed)")
                continue
            if value == conflict.base:
                lines.append(f"    on {page}: unchanged")
                continue
            lines.append(f"    on {page}:")
            diff = difflib.unified_diff(base, _entry_lines(value), lineterm="", n=1)
            lines.extend(f"      {d}" for d in list(diff)[2:])
    lines.append("    to resolve: make the pages agree by hand (or remove the entry everywhere);"
                 " the next sync takes it from there")
    return lines


def print_sync(report: SyncReport, verbose: int = 0, quiet: bool = False) -> None:
    """One line per page changed; conflicts with both versions; errors. Quiet otherwise.

    ``quiet`` (``-q``, for cron) leaves out what went well: only conflicts and errors are
    printed (a dry run still prints its diffs, which are what was asked for)."""
    verb = "would change" if report.dry_run else "changed"
    show_changes = report.dry_run or not quiet
    for result in report.lists:
        if result.error is not None:
            click.echo(f"FAILED list {result.name}: {result.error}", err=True)
            if result.error.hint:
                click.echo(f"  hint: {result.error.hint}", err=True)
            continue
        for change in result.changes if show_changes else ():
            rev = f" (revision {change.revid})" if change.revid else ""
            click.echo(f"{verb} {change.wiki}:{change.title}: {change.summary}{rev}")
            if report.dry_run:
                click.echo(change.diff, nl=False)
        if result.conflicts and result.conflicts_since:  # told already: said once
            keys = ", ".join(repr(c.key) for c in result.conflicts)
            click.echo(f"list {result.name}: {len(result.conflicts)} conflict(s) still pending "
                       f"since {result.conflicts_since}, unchanged: {keys} (wikisync status "
                       f"shows them; wikisync resolve {result.name} KEY --take WIKI settles one)")
        else:
            for conflict in result.conflicts:
                for line in conflict_lines(f"list {result.name}", conflict):
                    click.echo(line)
        for dup in result.duplicates if not quiet else ():
            click.echo(f"note: {dup.key!r} is listed more than once on {dup.page}; "
                       "only the first is synced")
        if verbose and not result.changes:
            state = "unchanged since last run" if result.skipped else "in step"
            click.echo(f"list {result.name}: {state}", err=True)
    for fres in report.fields:
        for err in fres.errors:
            click.echo(f"FAILED {fres.kind}: {err}", err=True)
        for change in fres.changes if show_changes else ():
            rev = f" (revision {change.revid})" if change.revid else ""
            click.echo(f"{verb} {change.wiki}:{change.title}: {change.summary}{rev}")
            if report.dry_run:
                click.echo(change.diff, nl=False)
        for record, conflict in fres.conflicts:
            for line in conflict_lines(f"{fres.kind} {record!r} field", conflict):
                click.echo(line)


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
