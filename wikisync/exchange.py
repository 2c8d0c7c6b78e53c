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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import yaml

from wikisync import create
from wikisync.app import App
from wikisync.errors import EXIT_OK, EXIT_USAGE, InputError, WikisyncError
from wikisync.i18n import _
from wikisync.identity import record_identity
from wikisync.mapping import Mapping, split_list, validate_record
from wikisync.model import Page, Record
from wikisync.records import at_once, check_fields, read_records, why_unreadable
from wikisync.titles import normalize_title

log = logging.getLogger(__name__)


#: Columns of ``export`` that say where a row was read, not what the record holds: ``import``
#: reads them without complaint and merges the rows of one title (one per wiki) into one record.
EXPORT_COLUMNS = ("title", "wiki", "record", "last_edit", "revid", "url", "kind")


def decode(data: bytes, path: Path) -> str:
    """The text of a file as spreadsheets save it: UTF-8 (with or without BOM), UTF-16 with a
    BOM, else Windows-1252 (Latin-1 with the quotes and the euro sign), as French Excel and
    LibreOffice do by default."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    log.info(_("%(path)s is not UTF-8: read as Windows-1252 (Latin-1)") % {"path": path})
    return text


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV file (header = field names), a YAML list of mappings or a JSON list of
    objects (``export --format json``). Rows of ``export`` (one per record per wiki) come back
    one per record."""
    path = Path(path)
    try:
        text = decode(path.read_bytes(), path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(_("cannot read %(path)s: %(error)s") % {"path": path, "error": exc},
                         _("save the file as CSV UTF-8 (or CSV Windows-1252)")) from None
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        return _merge_export_rows(_structured_rows(path, text))
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for row in reader:
        if None in row:
            raise InputError(_("%(path)s: line %(line_num)s has more cells than the header") % {
                "path": path, "line_num": reader.line_num})
        rows.append({k.strip(): (v or "") for k, v in row.items() if k is not None})
    return _merge_export_rows(rows)


def _structured_rows(path: Path, text: str) -> list[dict[str, str]]:
    """Rows of a YAML or JSON list of objects; lists are joined with ", ", null is empty."""
    what = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        data = json.loads(text) if what == "JSON" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(_("%(path)s: not valid %(what)s: %(error)s") % {
            "path": path, "what": what, "error": exc}) from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(_("%(path)s: expected a %(what)s list of FIELD: VALUE mappings") % {
            "path": path, "what": what})

    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)

    return [{str(k): cell(v) for k, v in row.items()} for row in data]


def _merge_export_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows without the columns of :data:`EXPORT_COLUMNS`; when a ``wiki`` column says the
    rows come from ``export``, the rows of one title become one (a field's first non-empty
    value wins)."""
    if not rows or not any(c in rows[0] for c in EXPORT_COLUMNS):
        return rows
    from_export = "wiki" in rows[0] and "title" in rows[0]
    merged: dict[str, dict[str, str]] = {}
    result = []
    for row in rows:
        fields = {k: v for k, v in row.items() if k not in EXPORT_COLUMNS}
        title = row.get("title", "").strip()
        if not from_export or not title:
            result.append(fields)
            continue
        if title not in merged:
            merged[title] = fields
            result.append(fields)
            continue
        kept = merged[title]
        for name, value in fields.items():
            if value.strip() and not kept.get(name, "").strip():
                kept[name] = value
    return result


@dataclass
class ImportPlan:
    creations: list[create.Creation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # titles existing on every target
    invalid: list[str] = field(default_factory=list)  # "row N: problem"

    partial: list[str] = field(default_factory=list)  # "title: on wiki" existing elsewhere
    #: records that exist on every target with exactly the file's fields (a run stopped after
    #: creating them, before its list edits): added to the lists they are missing from
    repair: list[create.Creation] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_USAGE if self.invalid else EXIT_OK

    def report_lines(self, skips: bool = True) -> list[str]:
        """One line per row: invalid, skipped (unless ``skips`` is false: ``-q``), created."""
        lines = [_("invalid %(problem)s") % {"problem": msg} for msg in self.invalid]
        if skips:
            lines += [_("skip %(title)s (exists already)") % {"title": title}
                      for title in self.skipped]
            lines += [_("skip %(note)s") % {"note": note} for note in self.partial]
        for creation in self.creations:
            wikis = ", ".join(p.wiki for p in creation.pages if not p.done)
            lines.append(_("create %(title)s on %(wikis)s") % {
                "title": creation.title, "wikis": wikis})
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
                _("unknown column(s) for kind %(kind)r: %(unknown)s") % {
                    "kind": mapping.kind, "unknown": ', '.join(unknown)},
                _("known fields: %(fields)s") % {"fields": ', '.join(mapping.fields)},
            )
    candidates: list[tuple[int, str, dict[str, str]]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        fields = {k: v.strip() for k, v in row.items() if v and v.strip()}
        problems = []
        title = ""
        try:
            title = mapping.title_for(fields)
        except WikisyncError as exc:
            problems.append(exc.message)
        if title and title in seen:
            problems.append(_("%(title)r appears twice in the file") % {"title": title})
        if problems:
            plan.invalid.append(_("row %(number)d: %(problems)s")
                                % {"number": number, "problems": "; ".join(problems)})
            continue
        seen.add(title)
        candidates.append((number, title, fields))
    existing = _existing(app, mapping, [t for _, t, _ in candidates], wikis) \
        if candidates else {}
    for number, title, fields in candidates:
        # A record that exists everywhere is skipped as it is (an export of wikis whose pages
        # the audit would fault imports back); the others are checked for the wikis that
        # would receive a page.
        lacking = [w for w in wikis if not existing[w][title].exists]
        if not lacking:
            plan.skipped.append(title)
            if all(create.holds_fields(mapping, w, existing[w][title], fields) for w in wikis):
                plan.repair.append(create.Creation(mapping.kind, title, fields, [
                    create.PagePlan(w, existing[w][title].title, "", existing[w][title])
                    for w in wikis]))
            continue
        problems = _row_problems(mapping, fields, lacking)
        if problems:
            plan.invalid.append(_("row %(number)d (%(title)s): %(problems)s")
                                % {"number": number, "title": title,
                                   "problems": "; ".join(problems)})
            continue
        _plan_row(app, mapping, title, fields, wikis, existing, plan)
    plan.invalid.sort(key=lambda line: int(line.split()[1].rstrip(":")))
    return plan


def _row_problems(mapping: Mapping, fields: dict[str, str], wikis: list[str]) -> list[str]:
    """The problems of a row's fields for ``wikis``: unknown fields, and the values of the
    fields those wikis map (a field they do not map is not written there)."""
    mapped = {f for w in wikis for f in mapping.mapped_fields(w)}
    try:
        check_fields(mapping, {k: v for k, v in fields.items()
                               if k in mapped or k not in mapping.fields})
    except InputError as exc:
        return [exc.message]
    missing = create.missing_required(mapping, fields, wikis)
    problems = [_("missing required field %(name)s") % {"name": name} for name in missing]
    problems += [str(p) for w in wikis for p in validate_record(mapping, fields, w)
                 if p.code != "missing-field" and p.field in mapping.mapped_fields(w)]
    return sorted(set(problems))


def _existing(app: App, mapping: Mapping, titles: list[str], wikis: list[str]
              ) -> dict[str, dict[str, Page]]:
    """``{wiki: {title: page}}``: each record's page on each wiki, read under that wiki's own
    title of the record (the mapping's ``same:``), one batched read per wiki."""
    same = record_identity(mapping.same, [], list(app.config.wikis))
    found = {}
    for wiki in wikis:
        own = {t: same.title_on(wiki, same.key(None, t)) for t in titles}
        pages = app.site(wiki).read(sorted(set(own.values())))
        found[wiki] = {t: pages[own[t]] for t in titles}
    return found


def _plan_row(app, mapping, title, fields, wikis, existing, plan: ImportPlan) -> None:
    pages = []
    for wiki in wikis:
        try:
            text = create.render_page(app, mapping, wiki, fields)
        except WikisyncError as exc:
            plan.invalid.append(_("%(title)s: %(problem)s")
                                % {"title": title, "problem": exc.message})
            return
        current = existing[wiki][title]
        page = create.PagePlan(wiki, current.title, text)
        if current.exists:
            if not create.holds_fields(mapping, wiki, current, fields):
                if all(existing[w][title].exists for w in wikis):
                    plan.skipped.append(title)
                else:
                    missing = ", ".join(w for w in wikis if not existing[w][title].exists)
                    plan.partial.append(
                        _("%(title)s (exists on %(wiki)s with other content; to create it on "
                          "%(missing)s too, use `wikisync new %(kind)s ... --wiki WIKI`)")
                        % {"title": title, "wiki": wiki, "missing": missing,
                           "kind": mapping.kind}
                    )
                return
            page.existing = current
        pages.append(page)
    if all(p.done for p in pages):
        plan.skipped.append(title)
        return
    plan.creations.append(create.Creation(mapping.kind, title, fields, pages))


def execute_import(app: App, mapping: Mapping, plan: ImportPlan, summary: str | None = None,
                   step: Callable[[create.Creation], None] | None = None) -> create.Outcome:
    """Create every planned page, then add the new records to the lists (one edit per page).

    ``step`` is called after each record's pages are created (the CLI moves a progress bar)."""
    outcome = create.Outcome()
    summary = summary or f"wikisync: import ({mapping.kind})"
    items = plan.creations
    for creation in items:
        done = create.execute(app, [creation], summary)
        outcome.created += done.created
        outcome.skipped += done.skipped
        if step is not None:
            step(creation)
    create.write_list_additions(
        app, create.plan_list_additions(app, mapping, items + plan.repair), outcome)
    return outcome


# --------------------------------------------------------------------------- export


def export_rows(app: App, mapping: Mapping, wikis: list[str],
                skipped: list[tuple[str, str, str]] | None = None) -> list[dict[str, str]]:
    """One row per record of ``wikis`` (read at once), in wiki then category order.

    ``record`` is the record key (:class:`wikisync.identity.Identity`): the rows of one lieu,
    titled differently on two wikis (the mapping's ``same:``), share it. A page of the kind's
    category without one readable call of the kind's template has no row;
    it is appended to ``skipped`` as ``(wiki, title, why)``.

    Each row is built as its page is read, while the next batch is on its way, and its page
    dropped; only the record keys wait for every page, since a page read last may name a
    counterpart (built after the last answer, 2,000 rows took 40 ms).
    """
    def read_one(wiki: str) -> tuple[list[dict[str, str] | tuple[str, str]], list[Record]]:
        """The wiki's rows (``(title, why)`` for a page without a row), and its records
        whose page names counterparts (they make the identity)."""
        rows: list[dict[str, str] | tuple[str, str]] = []
        named: list[Record] = []
        for item in read_records(app.site(wiki), mapping, wiki):
            if not isinstance(item, Record):
                rows.append((item.title, why_unreadable(mapping, wiki, item)))
                continue
            if item.same:
                named.append(item)
            page = item.page
            row = {"title": item.title, "wiki": wiki, "record": normalize_title(item.title),
                   "last_edit": page.timestamp, "revid": str(page.revid)}
            row.update({name: item.fields.get(name, "") for name in mapping.fields})
            rows.append(row)
        return rows, named

    read = at_once(wikis, read_one)
    same = record_identity(mapping.same, [r for _rows, named in read.values() for r in named],
                           list(app.config.wikis))
    rows = []
    for wiki, (items, _named) in read.items():
        for item in items:
            if isinstance(item, tuple):
                if skipped is not None:
                    skipped.append((wiki, *item))
                continue
            if same.groups:  # else every key is the normal title, set above
                item["record"] = same.key(wiki, item["title"])
            rows.append(item)
    return rows


def write_rows(rows: list[dict[str, str]], mapping: Mapping, fmt: str, out: IO[str]) -> None:
    columns = ["title", "wiki", "record", "last_edit", "revid", *mapping.fields]
    if fmt == "json":
        typed = [json_row(row, mapping) for row in rows]
        out.write(json.dumps(typed, ensure_ascii=False, indent=2) + "\n")
        return
    # csv.writer, not DictWriter: the same lines in half the time (DictWriter checks each
    # row's keys against the columns; these rows are built with exactly them)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)


def json_row(row: dict[str, str], mapping: Mapping) -> dict[str, object]:
    """A row as JSON values: ``revid`` an integer, a ``list`` field an array of its items, an
    absent or empty field ``null``; ``import`` reads such a row back unchanged."""
    typed: dict[str, object] = {}
    for name, value in row.items():
        spec = mapping.fields.get(name)
        if name == "revid":
            typed[name] = int(value) if str(value).isdigit() else None
        elif not str(value).strip():
            typed[name] = None
        elif spec is not None and spec.type == "list":
            typed[name] = split_list(value)
        else:
            typed[name] = value
    return typed
