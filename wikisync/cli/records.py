"""Commands on records: ``show``, ``set``, ``new`` (``new-lieu``, ``new-project``), ``import``,
``export``. Each parses, calls the core (records, create, exchange), prints.

The core is imported inside each command, so that listing, help and Tab completion stay light
(see :mod:`wikisync.cli`)."""

from __future__ import annotations

import json
import sys

import click

from wikisync.cli import Ctx, pass_ctx, ui
from wikisync.cli.options import complete_lists, complete_wikis, kind_argument, wiki_option
from wikisync.errors import EXIT_ATTENTION, EXIT_FAILED, InputError, PageExistsError
from wikisync.i18n import _, ngettext

set_option = click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
                          help="a field's value (repeatable)")
summary_option = click.option("--summary", metavar="TEXT",
                              help="the edit summary (default: one that names what changes)")


@click.command()
@kind_argument
@click.argument("title")
@click.option("--wiki", required=True, metavar="W", shell_complete=complete_wikis,
              help="the wiki to read")
@click.option("--json", "as_json", is_flag=True, help="one JSON document")
@pass_ctx
def show(ctx: Ctx, kind: str, title: str, wiki: str, as_json: bool) -> None:
    """The page's fields, as the mapping reads them.

    \b
    Example:
      wikisync show lieu "Le WIP" --wiki movilab
    """
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


@click.command("set")
@kind_argument
@click.argument("title")
@click.option("--wiki", required=True, metavar="W", shell_complete=complete_wikis,
              help="the wiki to edit")
@set_option
@click.option("--dry-run", is_flag=True, help="print the diff, write nothing")
@click.option("--yes", "-y", is_flag=True, help="no confirmation at a terminal")
@summary_option
@pass_ctx
def set_(ctx: Ctx, kind: str, title: str, wiki: str, assignments: tuple[str, ...],
         dry_run: bool, yes: bool, summary: str | None) -> None:
    """Change fields of an existing page: only those parameters change.

    At a terminal, shows the diff and asks before writing (--yes does not ask).

    \b
    Example:
      wikisync set lieu "Le WIP" --wiki movilab --set code_postal=14460 --dry-run
    """
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
        _need_login(ctx, [wiki])
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


def _need_login(ctx: Ctx, wikis) -> None:
    """A command that will write says, before anything else, which wikis lack a login."""
    from wikisync.errors import ConfigError

    missing = [w for w in wikis if not ctx.app.config.wiki(w).username]
    if missing:
        raise ConfigError(
            [_("%(file)s: wikis.%(wiki)s: no username: this command writes to %(wiki)s")
             % {"file": ctx.app.config.path, "wiki": w} for w in missing],
            _("give each wiki written to a username and password_env (or password_file); "
              "--dry-run needs none"),
        )


def _new_options(func):
    for option in reversed([
        set_option,
        wiki_option,
        click.option("--list", "lists", multiple=True, metavar="L", shell_complete=complete_lists,
                     help="add to this list only (repeatable; default: every list of the kind)"),
        click.option("--dry-run", is_flag=True, help="show what would be written, write nothing"),
        click.option("--yes", "-y", is_flag=True, help="no prompt, no confirmation"),
        summary_option,
    ]):
        func = option(func)
    return func


def _prompt(mapping, name: str) -> str:
    """Ask for one field until the answer is valid; Enter skips an optional field."""
    from wikisync.mapping import describe_rule
    from wikisync.records import check_fields

    spec = mapping.fields[name]
    rule = describe_rule(spec)
    label = spec.label or name
    skip = "" if spec.required else "; Enter to skip"
    while True:
        value = click.prompt(f"{label} [{name}; {rule}{skip}]", default="",
                             show_default=False, err=True).strip()
        if not value and spec.required:
            click.echo(f"  {name} is required", err=True)
            continue
        try:
            check_fields(mapping, {name: value})
        except InputError as exc:
            click.echo(f"  {exc}", err=True)
            continue
        return value


def run_new(ctx: Ctx, kind: str, name: str, assignments, wikis, lists, dry_run, yes,
            summary: str | None = None) -> None:
    from wikisync import create
    from wikisync.records import check_fields, parse_assignments, unified_diff

    app = ctx.app
    mapping = app.mapping(kind)
    targets = create.target_wikis(app, mapping, wikis)
    if not dry_run:
        _need_login(ctx, targets)
    fields = create.fields_for(mapping, name, parse_assignments(assignments))
    check_fields(mapping, fields)
    missing = create.missing_required(mapping, fields, targets)
    interactive = ui.is_interactive(yes)
    if missing and not interactive:
        raise InputError(
            f"missing required field(s): {', '.join(missing)}",
            "give them with --set FIELD=VALUE (no terminal to ask on, or --yes was given)",
        )
    if interactive:
        title = mapping.title_for(fields)
        there = create.existing_on(app, title, targets)
        if len(there) == len(targets) and missing:
            raise PageExistsError(
                f"{title} already exists on {', '.join(there)}; nothing was written",
                "use `wikisync set` to change its fields",
            )
        if len(there) < len(targets):  # else plan_creation completes a run stopped halfway
            if there:
                ui.say(f"{title} exists already on {', '.join(there)}: it is kept if it holds "
                       "the fields you give", ctx.quiet)
            for field_name in create.prompt_order(mapping, fields, targets):
                value = _prompt(mapping, field_name)
                if value:
                    fields[field_name] = value
    creation = create.plan_creation(app, mapping, name, fields, targets, lists)
    # The preview is the result of a dry run (stdout); otherwise it is shown on the terminal
    # (stderr), where the question is asked, and -q leaves it out when nothing is asked.
    def show(text: str, diff: bool) -> None:
        if dry_run:
            click.echo(text, nl=not text.endswith("\n"))
        elif interactive or not ctx.quiet:
            ui.preview(text, diff=diff)

    for page in creation.pages:
        state = "exists already (created by an earlier run)" if page.done else "new page"
        show(f"=== {page.wiki}:{page.title} ({state})\n" + ("" if page.done else page.text),
             diff=False)
    for add in creation.lists:
        show(f"=== list {add.list_name} on {add.wiki}:{add.page.title}\n"
             + unified_diff(add.page.title, add.page.text, add.new_text, add.wiki), diff=True)
    if dry_run:
        return
    if interactive and not ui.confirm("Write these pages?"):
        ui.nothing_written()
    outcome = create.execute(app, [creation],
                             summary or f"wikisync: création de la fiche ({kind})")
    for wiki, title, rev in outcome.created:
        click.echo(f"created {wiki}:{title} (revision {rev})")
    for wiki, title in outcome.skipped:
        click.echo(f"kept {wiki}:{title} (exists already, with these fields)")
    for list_name, wiki, title in outcome.listed:
        click.echo(f"added to list {list_name} on {wiki}:{title}")


@click.command("new")
@kind_argument
@click.argument("name")
@_new_options
@pass_ctx
def new(ctx: Ctx, kind: str, name: str, assignments, wikis, lists, dry_run, yes,
        summary) -> None:
    """Create a record's pages from the page templates, then add it to its lists.

    \b
    Example:
      wikisync new lieu "La Myne" --set ville=Villeurbanne --yes
    """
    run_new(ctx, kind, name, assignments, wikis, lists, dry_run, yes, summary)


@click.command("new-lieu")
@click.argument("name")
@_new_options
@pass_ctx
def new_lieu(ctx: Ctx, name: str, assignments, wikis, lists, dry_run, yes, summary) -> None:
    """Create a tiers-lieu's pages (kind `lieu`) and add it to the lists.

    \b
    Example:
      wikisync new-lieu "La Myne" --set ville=Villeurbanne --set code_postal=69100
    """
    run_new(ctx, "lieu", name, assignments, wikis, lists, dry_run, yes, summary)


@click.command("new-project")
@click.argument("name")
@_new_options
@pass_ctx
def new_project(ctx: Ctx, name: str, assignments, wikis, lists, dry_run, yes,
                summary) -> None:
    """Create a project's pages (kind `projet`).

    \b
    Example:
      wikisync new-project "Vélo-école" --set description_courte="Apprendre le vélo" --yes
    """
    run_new(ctx, "projet", name, assignments, wikis, lists, dry_run, yes, summary)


@click.command("import")
@kind_argument
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@wiki_option
@click.option("--dry-run", is_flag=True, help="show what would be created, write nothing")
@click.option("--yes", "-y", is_flag=True, help="no confirmation")
@summary_option
@pass_ctx
def import_(ctx: Ctx, kind: str, file: str, wikis, dry_run: bool, yes: bool,
            summary: str | None) -> None:
    """Create the records of a CSV or YAML file that don't exist yet (existing: skipped).

    \b
    Example:
      wikisync import lieu examples/fabriques-de-territoire.csv --dry-run
    """
    from wikisync import create, exchange
    from wikisync.records import unified_diff

    app = ctx.app
    mapping = app.mapping(kind)
    targets = create.target_wikis(app, mapping, wikis)
    if not dry_run:
        _need_login(ctx, targets)
    rows = exchange.read_rows(file)
    plan = exchange.plan_import(app, mapping, rows, targets)
    for line in plan.report_lines():
        if not (ctx.quiet and line.startswith("skip ")):  # -q: what is done, not what is not
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
        click.echo(ngettext("nothing to create: %(count)d record skipped",
                            "nothing to create: %(count)d records skipped", skipped)
                   % {"count": skipped})
        raise SystemExit(plan.exit_code)
    records, creating = len(plan.creations), {"records": len(plan.creations), "pages": pages,
                                              "skipped": skipped}
    if dry_run:
        ui.preview("".join(
            _("=== list %(list)s on %(wiki)s:%(title)s") % {
                "list": add.list_name, "wiki": add.wiki, "title": add.page.title} + "\n"
            + unified_diff(add.page.title, add.page.text, add.new_text, add.wiki)
            for add in create.plan_list_additions(app, mapping, plan.creations + plan.repair)),
            err=False)
        click.echo(ngettext("would create %(records)d record (%(pages)d page(s)), "
                            "skip %(skipped)d record(s)",
                            "would create %(records)d records (%(pages)d page(s)), "
                            "skip %(skipped)d record(s)", records) % creating)
        raise SystemExit(plan.exit_code)
    if ui.is_interactive(yes) and not ui.confirm(
            ngettext("Create %(records)d record (%(pages)d page(s))?",
                     "Create %(records)d records (%(pages)d page(s))?", records) % creating):
        ui.nothing_written()
    outcome = exchange.execute_import(app, mapping, plan, progress=sys.stderr.isatty(),
                                      summary=summary)
    click.echo(_("created %(pages)d page(s), skipped %(skipped)d existing record(s), "
                 "%(invalid)d invalid row(s), %(lists)d list page(s) edited") % {
        "pages": len(outcome.created), "skipped": skipped, "invalid": len(plan.invalid),
        "lists": len(outcome.listed)})
    raise SystemExit(plan.exit_code)


@click.command()
@kind_argument
@wiki_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
@pass_ctx
def export(ctx: Ctx, kind: str, wikis, fmt: str) -> None:
    """Every record of a kind, one row per record per wiki: title, wiki, last edit, fields.

    \b
    Example:
      wikisync export lieu --wiki movilab --format json > lieux.json
    """
    from wikisync import create, exchange
    from wikisync.errors import LoginError, UnreachableError

    app = ctx.app
    mapping = app.mapping(kind)
    targets = create.target_wikis(app, mapping, wikis)
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
