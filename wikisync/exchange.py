"""Files in and out: ``import KIND FILE`` (CSV or YAML rows) and ``export KIND``.

Import follows the rules of ``new``: every row is validated and rendered before anything is
written; existing records are skipped; the new records are added to their lists in one edit per
list page, after the pages exist (so that links are right).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import click
import yaml

from wikisync import create
from wikisync.app import App
from wikisync.errors import EXIT_OK, EXIT_USAGE, InputError, WikisyncError
from wikisync.mapping import Mapping, validate_record
from wikisync.model import Record
from wikisync.records import check_fields, read_records_of, why_unreadable

log = logging.getLogger(__name__)


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV file (header = field names) or a YAML list of mappings."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InputError(f"{path}: expected a YAML list of FIELD: VALUE mappings")
        return [{str(k): "" if v is None else str(v) for k, v in row.items()} for row in data]
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = []
    for row in reader:
        if None in row:
            raise InputError(f"{path}: line {reader.line_num} has more cells than the header")
        rows.append({k.strip(): (v or "") for k, v in row.items() if k is not None})
    return rows


@dataclass
class ImportPlan:
    creations: list[create.Creation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # titles existing on every target
    invalid: list[str] = field(default_factory=list)  # "row N: problem"

    partial: list[str] = field(default_factory=list)  # "title: on wiki" existing elsewhere

    @property
    def exit_code(self) -> int:
        return EXIT_USAGE if self.invalid else EXIT_OK

    def report_lines(self) -> list[str]:
        lines = [f"invalid {msg}" for msg in self.invalid]
        lines += [f"skip {title} (exists already)" for title in self.skipped]
        lines += [f"skip {note}" for note in self.partial]
        for creation in self.creations:
            wikis = ", ".join(p.wiki for p in creation.pages if not p.done)
            lines.append(f"create {creation.title} on {wikis}")
        return lines


def plan_import(
    app: App, mapping: Mapping, rows: list[dict[str, str]], wikis: list[str]
) -> ImportPlan:
    """Validate and render every row, check existence in batches; nothing is written."""
    plan = ImportPlan()
    if rows:
        unknown = [c for c in rows[0] if c not in mapping.fields]
        if unknown:
            raise InputError(
                f"unknown column(s) for kind {mapping.kind!r}: {', '.join(unknown)}",
                f"known fields: {', '.join(mapping.fields)}",
            )
    candidates: list[tuple[str, dict[str, str]]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        fields = {k: v.strip() for k, v in row.items() if v and v.strip()}
        problems = _row_problems(mapping, fields, wikis)
        title = ""
        if not problems:
            try:
                title = mapping.title_for(fields)
            except WikisyncError as exc:
                problems.append(exc.message)
        if title and title in seen:
            problems.append(f"{title!r} appears twice in the file")
        if problems:
            plan.invalid.append(f"row {number}: {'; '.join(problems)}")
            continue
        seen.add(title)
        candidates.append((title, fields))
    existing = {w: app.site(w).read([t for t, _ in candidates]) for w in wikis} if candidates \
        else {}
    for title, fields in candidates:
        _plan_row(app, mapping, title, fields, wikis, existing, plan)
    return plan


def _row_problems(mapping: Mapping, fields: dict[str, str], wikis: list[str]) -> list[str]:
    try:
        check_fields(mapping, fields)
    except InputError as exc:
        return [exc.message]
    missing = create.missing_required(mapping, fields, wikis)
    problems = [f"missing required field {name}" for name in missing]
    problems += [str(p) for w in wikis for p in validate_record(mapping, fields, w)
                 if p.code != "missing-field"]
    return sorted(set(problems))


def _plan_row(app, mapping, title, fields, wikis, existing, plan: ImportPlan) -> None:
    pages = []
    for wiki in wikis:
        try:
            text = create.render_page(app, mapping, wiki, fields)
        except WikisyncError as exc:
            plan.invalid.append(f"{title}: {exc.message}")
            return
        page = create.PagePlan(wiki, title, text)
        current = existing[wiki][title]
        if current.exists:
            if not create.holds_fields(mapping, wiki, current, fields):
                if all(existing[w][title].exists for w in wikis):
                    plan.skipped.append(title)
                else:
                    missing = ", ".join(w for w in wikis if not existing[w][title].exists)
                    plan.partial.append(
                        f"{title} (exists on {wiki} with other content; to create it on "
                        f"{missing} too, use `wikisync new {mapping.kind} ... --wiki WIKI`)"
                    )
                return
            page.existing = current
        pages.append(page)
    if all(p.done for p in pages):
        plan.skipped.append(title)
        return
    plan.creations.append(create.Creation(mapping.kind, title, fields, pages))


def execute_import(app: App, mapping: Mapping, plan: ImportPlan, progress: bool,
                   summary: str | None = None) -> create.Outcome:
    """Create every planned page, then add the new records to the lists (one edit per page)."""
    outcome = create.Outcome()
    summary = summary or f"wikisync: import ({mapping.kind})"
    items = plan.creations
    with click.progressbar(items, label="creating", file=sys.stderr if progress else io.StringIO(),
                           show_pos=True) as bar:
        for creation in bar:
            done = create.execute(app, [creation], summary)
            outcome.created += done.created
            outcome.skipped += done.skipped
    create.write_list_additions(app, create.plan_list_additions(app, mapping, items), outcome)
    return outcome


# --------------------------------------------------------------------------- export


def export_rows(app: App, mapping: Mapping, wikis: list[str],
                skipped: list[tuple[str, str, str]] | None = None) -> list[dict[str, str]]:
    """One row per record of ``wikis`` (read at once), in wiki then category order.

    A page of the kind's category without one readable call of the kind's template has no row;
    it is appended to ``skipped`` as ``(wiki, title, why)``.
    """
    rows = []
    for wiki, items in read_records_of(app.site, mapping, wikis).items():
        for item in items:
            if not isinstance(item, Record):
                if skipped is not None:
                    skipped.append((wiki, item.title, why_unreadable(mapping, wiki, item)))
                continue
            page = item.page
            row = {"title": item.title, "wiki": wiki, "last_edit": page.timestamp,
                   "revid": str(page.revid)}
            row.update({name: item.fields.get(name, "") for name in mapping.fields})
            rows.append(row)
    return rows


def write_rows(rows: list[dict[str, str]], mapping: Mapping, fmt: str, out: IO[str]) -> None:
    columns = ["title", "wiki", "last_edit", "revid", *mapping.fields]
    if fmt == "json":
        out.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
