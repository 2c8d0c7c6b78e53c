"""Creating records: ``new KIND NAME`` (the use case :func:`new_record`) and ``import KIND
FILE`` (:mod:`wikisync.exchange`).

A creation is planned completely before anything is written: every page is rendered from its
page template and proven to read back to exactly the intended fields, every target wiki is asked
whether the title exists. Then pages are created with ``createonly`` and the record is added to
the lists of its kind (one edit per list page).

Reruns complete, never duplicate: when every target page exists already the creation is refused
(exit 2, nothing written); when only some exist *and hold exactly the fields this creation would
write* (a previous run stopped halfway), the missing pages and list entries are added.
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass, field
from typing import Protocol

from wikisync import render
from wikisync.app import App
from wikisync.config import ListConfig
from wikisync.errors import InputError, PageExistsError, WikisyncError, WikitextError
from wikisync.i18n import _
from wikisync.identity import Identity
from wikisync.lists import LinkContext
from wikisync.listsync import (
    ListPage,
    near_namesake,
    new_text,
    other_lists_spans,
    page_existence,
    parse_page,
    read_pages,
    standing_in_section,
)
from wikisync.mapping import Mapping
from wikisync.model import ListEntry, Page
from wikisync.planner import PagePlan as ListPagePlan
from wikisync.records import check_fields, parse_assignments, record_from_page
from wikisync.titles import normalize_title

log = logging.getLogger(__name__)


@dataclass
class PagePlan:
    wiki: str
    title: str
    text: str
    existing: Page | None = None  # set when a previous run created it already

    @property
    def done(self) -> bool:
        return self.existing is not None


@dataclass
class ListAddition:
    list_name: str
    wiki: str
    page: Page
    new_text: str
    section: str
    count: int = 1  # entries added


@dataclass
class Creation:
    kind: str
    title: str
    fields: dict[str, str]
    pages: list[PagePlan]
    lists: list[ListAddition] = field(default_factory=list)


@dataclass
class Outcome:
    created: list[tuple[str, str, int]] = field(default_factory=list)  # wiki, title, revid
    listed: list[tuple[str, str, str]] = field(default_factory=list)  # list, wiki, page title
    skipped: list[tuple[str, str]] = field(default_factory=list)  # wiki, title (already there)


def fields_for(mapping: Mapping, name: str, values: dict[str, str]) -> dict[str, str]:
    """The record's fields: ``values`` plus NAME in the field the title is made of."""
    fields = dict(values)
    title_fields = [f for f in mapping.fields if "{" + f + "}" in mapping.title_format]
    if len(title_fields) == 1 and mapping.title_format == "{" + title_fields[0] + "}":
        fields.setdefault(title_fields[0], name)
    return fields


def missing_required(mapping: Mapping, fields: dict[str, str], wikis: list[str]) -> list[str]:
    mapped = {f for w in wikis for f in mapping.mapped_fields(w)}
    return [
        name for name, spec in mapping.fields.items()
        if spec.required and name in mapped and not fields.get(name, "").strip()
    ]


def prompt_order(mapping: Mapping, fields: dict[str, str], wikis: list[str]) -> list[str]:
    """The fields to ask for: every field the target wikis map that has no value yet, the
    required ones first, each group in the mapping's order."""
    mapped = {f for w in wikis for f in mapping.mapped_fields(w)}
    todo = [name for name in mapping.fields
            if name in mapped and not fields.get(name, "").strip()]
    return sorted(todo, key=lambda name: not mapping.fields[name].required)


def existing_on(app: App, title: str, wikis: list[str]) -> list[str]:
    """The wikis among ``wikis`` that have a page ``title`` already (one read per wiki)."""
    return [w for w in wikis if app.site(w).read([title])[title].exists]


def render_page(app: App, mapping: Mapping, wiki: str, fields: dict[str, str]) -> str:
    wmap = mapping.wiki(wiki)
    if not wmap.page_template:
        raise InputError(_("mapping %(kind)r has no page_template for %(wiki)s") % {
            "kind": mapping.kind, "wiki": wiki})
    template = (app.config.templates_dir / wmap.page_template).read_text(encoding="utf-8")
    return render.render_and_verify(
        template, fields, list(mapping.fields), list(wmap.template_names), dict(wmap.params)
    )


def plan_creation(
    app: App, mapping: Mapping, name: str, fields: dict[str, str], wikis: list[str],
    list_names: tuple[str, ...] = (),
) -> Creation:
    """Render, verify and check existence; raises before anything is written."""
    check_fields(mapping, fields)
    title = mapping.title_for(fields)
    same = Identity.from_pairs(mapping.same, list(app.config.wikis))
    pages = [PagePlan(w, same.title_on(w, same.key(None, title)),  # each wiki's own title
                      render_page(app, mapping, w, fields)) for w in wikis]
    _check_existing(app, mapping, pages, fields)
    creation = Creation(mapping.kind, title, fields, pages)
    creation.lists = plan_list_additions(app, mapping, [creation], list_names)
    if all(p.done for p in pages) and not creation.lists:
        where = ", ".join(f"{p.wiki}:{p.title}" for p in pages)
        raise PageExistsError(
            _("%(where)s already exist(s) and are on their lists; nothing was written") % {
                "where": where},
            _("use `wikisync set` to change fields of an existing page"),
        )
    return creation


def _check_existing(
    app: App, mapping: Mapping, pages: list[PagePlan], fields: dict[str, str]
) -> None:
    existing = {}
    for plan in pages:
        page = app.site(plan.wiki).read([plan.title])[plan.title]
        if page.exists:
            existing[plan.wiki] = page
    if not existing:
        return
    for plan in pages:
        page = existing.get(plan.wiki)
        if page is None:
            continue
        if not holds_fields(mapping, plan.wiki, page, fields):
            raise PageExistsError(
                _("%(wiki)s:%(title)s already exists with other content; nothing was written")
                % {"wiki": plan.wiki, "title": plan.title},
                _("choose another name, or create only on the other wiki(s) with --wiki"),
            )
        plan.existing = page


def holds_fields(mapping: Mapping, wiki: str, page: Page, fields: dict[str, str]) -> bool:
    """Whether ``page`` holds exactly the mapped fields a creation would write."""
    try:
        record = record_from_page(mapping, wiki, page)
    except WikitextError:
        return False
    wanted = {k: v.strip() for k, v in fields.items()
              if v.strip() and k in mapping.mapped_fields(wiki)}
    have = {k: v for k, v in record.fields.items() if v}
    return all(have.get(k) == v for k, v in wanted.items())


def plan_list_additions(
    app: App, mapping: Mapping, creations: list[Creation], list_names: tuple[str, ...] = ()
) -> list[ListAddition]:
    """One edit per list page adding every created record not yet on it.

    A record whose lieu the page's section already names outside its entries (a table cell,
    a ``;`` line, another entry's text: a layout the list reader does not read) is not added
    there: a second line would duplicate what a person wrote. Nor is one whose title differs
    from an entry's only by case, accents, apostrophes or punctuation (``L’Atelier`` where
    ``[[L'Atelier]]`` stands): likely the same place. A warning names the line."""
    lists = _lists_for(app, mapping.kind, list_names)
    if not lists:
        return []
    ctx = app.links
    planned = {(p.wiki, normalize_title(p.title)) for c in creations for p in c.pages}
    keys_of = {c.title: ctx.same.key(None, c.title) for c in creations}  # record keys
    exists = page_existence(app, list(keys_of.values()))

    def has_page(wiki: str, title: str) -> bool:  # title: the wiki's own title of a record
        return (wiki, normalize_title(title)) in planned or exists(wiki, title)

    additions = []
    for lst in lists:
        for wiki, page in read_pages(app, lst).items():
            lp = parse_page(lst, wiki, page, ctx)
            lp.others = other_lists_spans(app.config, lst, wiki, page)
            keys = {e.key for e in lp.entries}
            entries = []
            for c in creations:
                key = keys_of[c.title]
                if key in keys or _named_outside_entries(lst, lp, key, ctx):
                    continue
                entry = ListEntry(key, annotation=annotation(lst, c.fields), linked=True)
                if not _near_namesake_warned(lst, lp, entry):
                    entries.append(entry)
            if entries:
                new = new_text(lp, ListPagePlan(add=tuple(entries)), has_page, ctx)
                additions.append(
                    ListAddition(lst.name, wiki, page, new, lp.section, len(entries))
                )
    return additions


def _named_outside_entries(lst: ListConfig, lp: ListPage, key: str, ctx: LinkContext
                           ) -> bool:
    """Whether ``key`` stands in the list page's section outside its entries (warned)."""
    found = standing_in_section(lp, key, ctx)
    if found is not None:
        log.warning(_("%(wiki)s: %(key)r is not added to list %(name)r: page %(title)r already "
                      "names it outside its entries, line %(number)s: %(line)r; write it "
                      "there as a bullet line of the section by hand") % {
                          "wiki": lp.wiki, "key": key, "name": lst.name, "title": lp.page.title,
                          "number": found[0], "line": found[1]})
    return found is not None


def _near_namesake_warned(lst: ListConfig, lp: ListPage, entry: ListEntry) -> bool:
    """Whether the list page has an entry whose title differs from ``entry``'s only by case,
    accents, apostrophes or punctuation (warned: see :func:`listsync.near_namesake`)."""
    found = near_namesake(lp, ListPagePlan(add=(entry,)))
    if found is not None:
        log.warning(_("%(wiki)s: %(key)r is not added to list %(name)r: page %(title)r has an "
                      "entry whose title differs from it only by case, accents, apostrophes "
                      "or punctuation, line %(number)s: %(line)r; if they are one lieu, name "
                      "both titles in the mapping's same: list, or add the entry by hand") % {
                          "wiki": lp.wiki, "key": entry.key, "name": lst.name,
                          "title": lp.page.title, "number": found[1], "line": found[2]})
    return found is not None


def annotation(lst: ListConfig, fields: dict[str, str]) -> str:
    """The rest of a new entry's line, from the list's ``entry`` (``" – {ville}"`` -> ``" –
    Caen"``); "" when it names a field the record leaves empty, or names no field."""
    template = lst.annotation
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    values = {name: " ".join((fields.get(name) or "").split()) for name in names}
    if not names or not all(values.values()):
        return ""
    return template.format(**values)


def _lists_for(app: App, kind: str, names: tuple[str, ...]) -> list[ListConfig]:
    if names:
        lists = [app.config.list_named(n) for n in names]
        wrong = [lst.name for lst in lists if lst.kind != kind]
        if wrong:
            raise InputError(_("list(s) %(wrong)s are not lists of kind %(kind)r") % {
                "wrong": ', '.join(wrong), "kind": kind})
        return lists
    return list(app.config.lists_of_kind(kind))


def execute(app: App, creations: list[Creation], summary: str) -> Outcome:
    """Create the pages, then edit the lists. On failure, say what was done and how to finish."""
    outcome = Outcome()
    try:
        for creation in creations:
            for plan in creation.pages:
                if plan.done:
                    outcome.skipped.append((plan.wiki, plan.title))
                    continue
                saved = app.site(plan.wiki).save(
                    Page(plan.title, exists=False), plan.text, summary, create=True
                )
                outcome.created.append((plan.wiki, plan.title, saved.revid))
        write_list_additions(app, [a for c in creations for a in c.lists], outcome)
    except WikisyncError as exc:
        done = [_("created %(wiki)s:%(title)s (revision %(revid)s)")
                % {"wiki": w, "title": t, "revid": r} for w, t, r in outcome.created]
        done += [_("added to list %(list)s on %(wiki)s:%(title)s")
                 % {"list": n, "wiki": w, "title": t} for n, w, t in outcome.listed]
        exc.message = _("%(message)s\nDone before the failure: %(done)s.") % {
            "message": exc.message, "done": "; ".join(done) or _("nothing")}
        exc.args = (exc.message,)
        again = _("run the same command again: it completes what is missing without "
                  "duplicating anything")
        exc.hint = f"{exc.hint}; {again}" if exc.hint else again
        raise
    return outcome


def write_list_additions(app: App, additions: list[ListAddition], outcome: Outcome) -> None:
    """One edit per list page, on top of the revision the additions were planned on."""
    for add in additions:
        summary = f"wikisync: +{add.count} ({add.section})"
        app.site(add.wiki).save(add.page, add.new_text, summary)
        outcome.listed.append((add.list_name, add.wiki, add.page.title))


# --------------------------------------------------------------------------- the use case `new`


@dataclass(frozen=True)
class NewRequest:
    """What ``wikisync new KIND NAME`` (``new-lieu``, ``new-project``) was asked to do."""

    kind: str
    name: str
    assignments: tuple[str, ...] = ()  # FIELD=VALUE, as given with --set
    wikis: tuple[str, ...] = ()  # empty: every wiki of the mapping
    lists: tuple[str, ...] = ()  # empty: every list of the kind
    dry_run: bool = False
    summary: str | None = None


class NewDialog(Protocol):
    """The person behind a ``new`` run, as the use case sees them: the CLI's terminal, or a
    test's script. ``interactive`` says whether questions can be asked at all."""

    interactive: bool

    def note(self, message: str) -> None:
        """Tell the person something (not a result)."""

    def ask(self, mapping: Mapping, name: str) -> str:
        """The value of field ``name``, valid for the mapping; "" skips it."""

    def show(self, creation: Creation) -> None:
        """Show the pages and list edits that will be (or, in a dry run, would be) written."""

    def confirm(self, creation: Creation) -> bool:
        """Whether to write ``creation`` (asked only when interactive)."""


@dataclass
class NewResult:
    creation: Creation
    outcome: Outcome | None = None  # None: nothing was written
    declined: bool = False  # the person answered no


def new_record(app: App, request: NewRequest, dialog: NewDialog) -> NewResult:
    """Plan a record's pages and list edits (asking the dialog for the fields not given when it
    is interactive), show them, and unless a dry run or a refusal, write them."""
    mapping = app.mapping(request.kind)
    targets = app.target_wikis(mapping, request.wikis)
    if not request.dry_run:
        app.require_login(targets)
    fields = fields_for(mapping, request.name, parse_assignments(request.assignments))
    check_fields(mapping, fields)
    missing = missing_required(mapping, fields, targets)
    interactive = dialog.interactive
    if missing and not interactive:
        raise InputError(
            _("missing required field(s): %(missing)s") % {"missing": ', '.join(missing)},
            _("give them with --set FIELD=VALUE (no terminal to ask on, or --yes was given)"),
        )
    if interactive:
        title = mapping.title_for(fields)
        there = existing_on(app, title, targets)
        if len(there) == len(targets) and missing:
            raise PageExistsError(
                _("%(title)s already exists on %(there)s; nothing was written") % {
                    "title": title, "there": ', '.join(there)},
                _("use `wikisync set` to change its fields"),
            )
        if len(there) < len(targets):  # else plan_creation completes a run stopped halfway
            if there:
                dialog.note(_("%(title)s exists already on %(there)s: it is kept if it holds "
                              "the fields you give") % {"title": title, "there": ", ".join(there)})
            for field_name in prompt_order(mapping, fields, targets):
                value = dialog.ask(mapping, field_name)
                if value:
                    fields[field_name] = value
    creation = plan_creation(app, mapping, request.name, fields, targets, request.lists)
    dialog.show(creation)
    if request.dry_run:
        return NewResult(creation)
    if interactive and not dialog.confirm(creation):
        return NewResult(creation, declined=True)
    outcome = execute(app, [creation],
                      request.summary or f"wikisync: création de la fiche ({request.kind})")
    return NewResult(creation, outcome)
