"""Commands on records: ``show``, ``set``, ``new`` (``new-lieu``, ``new-project``), ``import``,
``export``. Each parses, calls the core (records, create, exchange), prints.

The core is imported inside each command, so that listing, help and Tab completion stay light
(see :mod:`wikisync.cli`)."""

from __future__ import annotations

import io
import json
import sys

import click

from wikisync.cli import Ctx, pass_ctx, ui
from wikisync.cli.options import complete_lists, complete_wikis, kind_argument, wiki_option
from wikisync.errors import EXIT_ATTENTION, EXIT_FAILED, InputError
from wikisync.i18n import N_, _, ngettext

set_option = click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
                          help=N_("a field's value (repeatable)"))
summary_option = click.option("--summary", metavar="TEXT",
                              help=N_("the edit summary (default: one that names what changes)"))


@click.command(help=N_(
    "The page's fields, as the mapping reads them.\n"
    "\n"
    "\b\n"
    "Example:\n"
    '  wikisync show lieu "Le WIP" --wiki movilab'))
@kind_argument
@click.argument("title")
@click.option("--wiki", required=True, metavar="W", shell_complete=complete_wikis,
              help=N_("the wiki to read"))
@click.option("--json", "as_json", is_flag=True, help=N_("one JSON document"))
@pass_ctx
def show(ctx: Ctx, kind: str, title: str, wiki: str, as_json: bool) -> None:
    from wikisync.records import read_record

    app = ctx.app
    mapping = app.mapping(kind)
    ctx.app.config.wiki(wiki)
    record = read_record(app.site(wiki), mapping, wiki, title)
    page = record.page
    if as_json:
        from wikisync.exchange import json_row

        fields = json_row({name: record.fields.get(name, "")
                           for name in mapping.mapped_fields(wiki)}, mapping)
        doc = {"kind": kind, "wiki": wiki, "title": record.title, "revid": page.revid,
               "timestamp": page.timestamp, "user": page.user,
               "url": app.config.wiki(wiki).page_url(record.title), "fields": fields}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    click.echo(_("%(wiki)s:%(title)s  (revision %(revid)s, %(timestamp)s, %(user)s)") % {
        "wiki": wiki, "title": record.title, "revid": page.revid, "timestamp": page.timestamp,
        "user": page.user})
    width = max((len(f) for f in mapping.mapped_fields(wiki)), default=0)
    for name in mapping.mapped_fields(wiki):
        click.echo(f"  {name:<{width}}  {record.fields.get(name, '')}")


@click.command("set", help=N_(
    "Change fields of an existing page: only those parameters change.\n"
    "\n"
    "At a terminal, shows the diff and asks before writing (--yes does not ask).\n"
    "\n"
    "\b\n"
    "Example:\n"
    '  wikisync set lieu "Le WIP" --wiki movilab --set code_postal=14460 --dry-run'))
@kind_argument
@click.argument("title")
@click.option("--wiki", required=True, metavar="W", shell_complete=complete_wikis,
              help=N_("the wiki to edit"))
@set_option
@click.option("--dry-run", is_flag=True, help=N_("print the diff, write nothing"))
@click.option("--yes", "-y", is_flag=True, help=N_("no confirmation at a terminal"))
@summary_option
@pass_ctx
def set_(ctx: Ctx, kind: str, title: str, wiki: str, assignments: tuple[str, ...],
         dry_run: bool, yes: bool, summary: str | None) -> None:
    from wikisync.records import (
        check_fields,
        edit_summary,
        parse_assignments,
        plan_field_edit,
        read_record,
        unified_diff,
    )

    if not assignments:
        raise InputError(_("nothing to set"), _("give at least one --set FIELD=VALUE"))
    app = ctx.app
    mapping = app.mapping(kind)
    app.config.wiki(wiki)
    if not dry_run:
        app.require_login([wiki])
    values = parse_assignments(assignments)
    check_fields(mapping, values)
    record = read_record(app.site(wiki), mapping, wiki, title)
    page = record.page
    text = plan_field_edit(mapping, wiki, page, values)
    if text == page.text:
        ui.say(_("%(wiki)s:%(title)s: already up to date") % {"wiki": wiki, "title": page.title},
               ctx.quiet)
        return
    diff = unified_diff(page.title, page.text, text, wiki)
    if dry_run:
        ui.preview(diff, err=False)
        return
    if ui.is_interactive(yes):
        ui.preview(diff)
        if not ui.confirm(_("Write this change to %(wiki)s:%(title)s?")
                          % {"wiki": wiki, "title": page.title}):
            ui.nothing_written()
    summary = summary or edit_summary(mapping, wiki, values)
    saved = app.site(wiki).save(page, text, summary)
    click.echo(_("changed %(wiki)s:%(title)s (revision %(revid)s)")
               % {"wiki": wiki, "title": page.title, "revid": saved.revid})


def _new_options(func):
    for option in reversed([
        set_option,
        wiki_option,
        click.option("--list", "lists", multiple=True, metavar="L", shell_complete=complete_lists,
                     help=N_("add to this list only (repeatable; default: every list of the "
                             "kind)")),
        click.option("--dry-run", is_flag=True,
                     help=N_("show what would be written, write nothing")),
        click.option("--yes", "-y", is_flag=True, help=N_("no prompt, no confirmation")),
        summary_option,
    ]):
        func = option(func)
    return func


def _prompt(mapping, name: str) -> str:
    """Ask for one field until the answer is valid; Enter skips an optional field."""
    from wikisync.mapping import describe_rule
    from wikisync.records import check_fields

    spec = mapping.fields[name]
    words = {"label": spec.label or name, "name": name, "rule": describe_rule(spec)}
    question = (_("%(label)s [%(name)s; %(rule)s]") if spec.required
                else _("%(label)s [%(name)s; %(rule)s; Enter to skip]")) % words
    while True:
        value = click.prompt(question, default="", show_default=False, err=True).strip()
        if not value and spec.required:
            click.echo(_("  %(name)s is required") % {"name": name}, err=True)
            continue
        try:
            check_fields(mapping, {name: value})
        except InputError as exc:
            click.echo(f"  {exc}", err=True)
            continue
        return value


class _TerminalDialog:
    """The person at the terminal, as :func:`wikisync.create.new_record` talks to them."""

    def __init__(self, ctx: Ctx, dry_run: bool, interactive: bool) -> None:
        self.ctx = ctx
        self.dry_run = dry_run
        self.interactive = interactive

    def note(self, message: str) -> None:
        ui.say(message, self.ctx.quiet)

    def ask(self, mapping, name: str) -> str:
        return _prompt(mapping, name)

    def show(self, creation) -> None:
        """The pages and list edits, shown at once (through the pager when longer than the
        terminal): a dry run's result on stdout; otherwise on the terminal (stderr), where the
        question is asked, and -q leaves it out when nothing is asked."""
        from wikisync.records import unified_diff

        if not (self.dry_run or self.interactive or not self.ctx.quiet):
            return
        colour = ui.colour_on(sys.stdout if self.dry_run else sys.stderr)
        parts = []
        for page in creation.pages:
            heading = (_("=== %(wiki)s:%(title)s (exists already (created by an earlier run))")
                       if page.done else _("=== %(wiki)s:%(title)s (new page)"))
            parts.append(heading % {"wiki": page.wiki, "title": page.title} + "\n"
                         + ("" if page.done else page.text))
        for add in creation.lists:
            parts.append(_("=== list %(list)s on %(wiki)s:%(title)s") % {
                "list": add.list_name, "wiki": add.wiki, "title": add.page.title} + "\n"
                + ui.colour_diff(unified_diff(add.page.title, add.page.text, add.new_text,
                                              add.wiki), colour))
        ui.preview("".join(part if part.endswith("\n") else part + "\n" for part in parts),
                   diff=False, err=not self.dry_run)

    def confirm(self, creation) -> bool:
        return ui.confirm(_("Write these pages?"))


def run_new(ctx: Ctx, kind: str, name: str, assignments, wikis, lists, dry_run, yes,
            summary: str | None = None) -> None:
    from wikisync import create

    request = create.NewRequest(kind, name, tuple(assignments), tuple(wikis), tuple(lists),
                                dry_run, summary)
    dialog = _TerminalDialog(ctx, dry_run, ui.is_interactive(yes))
    result = create.new_record(ctx.app, request, dialog)
    if result.declined:
        ui.nothing_written()
    outcome = result.outcome
    if outcome is None:
        return
    for wiki, title, rev in outcome.created:
        click.echo(_("created %(wiki)s:%(title)s (revision %(revid)s)")
                   % {"wiki": wiki, "title": title, "revid": rev})
    for wiki, title in outcome.skipped:
        click.echo(_("kept %(wiki)s:%(title)s (exists already, with these fields)")
                   % {"wiki": wiki, "title": title})
    for list_name, wiki, title in outcome.listed:
        click.echo(_("added to list %(list)s on %(wiki)s:%(title)s")
                   % {"list": list_name, "wiki": wiki, "title": title})


@click.command("new", help=N_(
    "Create a record's pages from the page templates, then add it to its lists.\n"
    "\n"
    "\b\n"
    "Example:\n"
    '  wikisync new lieu "La Myne" --set ville=Villeurbanne --yes'))
@kind_argument
@click.argument("name")
@_new_options
@pass_ctx
def new(ctx: Ctx, kind: str, name: str, assignments, wikis, lists, dry_run, yes,
        summary) -> None:
    run_new(ctx, kind, name, assignments, wikis, lists, dry_run, yes, summary)


@click.command("new-lieu", help=N_(
    "Create a tiers-lieu's pages (kind `lieu`) and add it to the lists.\n"
    "\n"
    "\b\n"
    "Example:\n"
    '  wikisync new-lieu "La Myne" --set ville=Villeurbanne --set code_postal=69100'))
@click.argument("name")
@_new_options
@pass_ctx
def new_lieu(ctx: Ctx, name: str, assignments, wikis, lists, dry_run, yes, summary) -> None:
    run_new(ctx, "lieu", name, assignments, wikis, lists, dry_run, yes, summary)


@click.command("new-project", help=N_(
    "Create a project's pages (kind `projet`).\n"
    "\n"
    "\b\n"
    "Example:\n"
    '  wikisync new-project "Vélo-école" --set description_courte="Apprendre le vélo" --yes'))
@click.argument("name")
@_new_options
@pass_ctx
def new_project(ctx: Ctx, name: str, assignments, wikis, lists, dry_run, yes,
                summary) -> None:
    run_new(ctx, "projet", name, assignments, wikis, lists, dry_run, yes, summary)


@click.command("import", help=N_(
    "Create the records of a CSV or YAML file that don't exist yet (existing: skipped).\n"
    "\n"
    "\b\n"
    "Example:\n"
    "  wikisync import lieu examples/fabriques-de-territoire.csv --dry-run"))
@kind_argument
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@wiki_option
@click.option("--dry-run", is_flag=True, help=N_("show what would be created, write nothing"))
@click.option("--yes", "-y", is_flag=True, help=N_("no confirmation"))
@summary_option
@pass_ctx
def import_(ctx: Ctx, kind: str, file: str, wikis, dry_run: bool, yes: bool,
            summary: str | None) -> None:
    from wikisync import create, exchange
    from wikisync.records import unified_diff

    app = ctx.app
    mapping = app.mapping(kind)
    targets = app.target_wikis(mapping, wikis)
    if not dry_run:
        app.require_login(targets)
    rows = exchange.read_rows(file)
    plan = exchange.plan_import(app, mapping, rows, targets)
    for line in plan.report_lines(skips=not ctx.quiet):  # -q: what is done, not what is not
        click.echo(line)
    if plan.invalid:
        raise InputError(
            ngettext("%(count)d invalid row in %(file)s; nothing was written",
                     "%(count)d invalid rows in %(file)s; nothing was written",
                     len(plan.invalid)) % {"count": len(plan.invalid), "file": file},
            _("fix or remove those rows and run again"),
        )
    pages = sum(not p.done for c in plan.creations for p in c.pages)
    skipped = len(plan.skipped) + len(plan.partial)
    # records a stopped run created but did not list yet: added to the lists they miss
    unlisted = create.plan_list_additions(app, mapping, plan.repair) if plan.repair else []
    if not plan.creations and not unlisted:
        click.echo(_("nothing to create: %(count)d record(s) skipped") % {"count": skipped})
        raise SystemExit(plan.exit_code)
    creating = {"records": len(plan.creations), "pages": pages, "skipped": skipped}
    if dry_run:
        ui.preview("".join(
            _("=== list %(list)s on %(wiki)s:%(title)s") % {
                "list": add.list_name, "wiki": add.wiki, "title": add.page.title} + "\n"
            + unified_diff(add.page.title, add.page.text, add.new_text, add.wiki)
            for add in create.plan_list_additions(app, mapping, plan.creations + plan.repair)),
            err=False)
        click.echo(_("would create %(records)d record(s) (%(pages)d page(s)), "
                     "skip %(skipped)d record(s)") % creating)
        raise SystemExit(plan.exit_code)
    if ui.is_interactive(yes) and not ui.confirm(
            _("Create %(records)d record(s) (%(pages)d page(s))?") % creating):
        ui.nothing_written()
    bar_file = sys.stderr if sys.stderr.isatty() else io.StringIO()
    with click.progressbar(length=len(plan.creations), label=_("creating"), file=bar_file,
                           show_pos=True) as bar:
        outcome = exchange.execute_import(app, mapping, plan, summary=summary,
                                          step=lambda _creation: bar.update(1))
    click.echo(_("created %(pages)d page(s), skipped %(skipped)d existing record(s), "
                 "%(invalid)d invalid row(s), %(lists)d list page(s) edited") % {
        "pages": len(outcome.created), "skipped": skipped, "invalid": len(plan.invalid),
        "lists": len(outcome.listed)})
    raise SystemExit(plan.exit_code)


@click.command(help=N_(
    "Every record of a kind, one row per record per wiki: title, wiki, last edit, fields.\n"
    "\n"
    "\b\n"
    "Example:\n"
    "  wikisync export lieu --wiki movilab --format json > lieux.json"))
@kind_argument
@wiki_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
@pass_ctx
def export(ctx: Ctx, kind: str, wikis, fmt: str) -> None:
    app = ctx.app
    mapping = app.mapping(kind)
    targets = app.target_wikis(mapping, wikis)
    # the read starts (a big one logs in) while the export's code loads
    app.begin_reads([kind], targets)

    from wikisync import exchange
    from wikisync.errors import LoginError, UnreachableError

    skipped: list[tuple[str, str, str]] = []
    down: dict[str, str] = {}
    while True:  # a wiki that cannot be read is left out; the others are still exported
        try:
            rows = exchange.export_rows(app, mapping, targets, skipped)
            break
        except (UnreachableError, LoginError) as exc:
            if exc.wiki not in targets:
                raise
            down[exc.wiki] = str(exc)
            targets = [w for w in targets if w != exc.wiki]
            skipped.clear()
    exchange.write_rows(rows, mapping, fmt, sys.stdout)
    if skipped:
        click.echo(_("%(count)d page(s) of kind %(kind)r skipped (no single readable call "
                     "of its template):") % {"count": len(skipped), "kind": kind}, err=True)
        for wiki, title, why in skipped:
            click.echo(f"  {wiki}:{title}: {why}", err=True)
    for why in down.values():
        ui.error(_("error: export incomplete: %(why)s; the other wikis' records are exported")
                 % {"why": why})
    if down:
        raise SystemExit(EXIT_FAILED)
    if skipped:
        raise SystemExit(EXIT_ATTENTION)
