"""``wikisync status`` and ``wikisync resolve``: what the sync state holds, and settling a
conflict by taking one wiki's version."""

from __future__ import annotations

import json

import click

from wikisync.cli import Ctx, pass_ctx
from wikisync.cli.options import complete_lists, complete_wikis
from wikisync.i18n import N_, _


@click.command(help=N_(
    "What the sync state holds: per list, pages, revisions at the last run, entries, pending\n"
    "conflicts.\n"
    "\n"
    "Reads the state only; sends no request to any wiki.\n"
    "\n"
    "\b\n"
    "Examples:\n"
    "  wikisync status\n"
    "  wikisync status --json"))
@click.option("--json", "as_json", is_flag=True, help=N_("one JSON document on stdout"))
@pass_ctx
def status(ctx: Ctx, as_json: bool) -> None:
    from wikisync.settle import status as state_status
    from wikisync.state import State

    state = State(ctx.app.config.state_dir, readonly=True)
    try:
        data = state_status(ctx.app.config, state)
    finally:
        state.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(_("state: %(state)s") % {"state": data['state']})
    for lst in data["lists"]:
        synced = lst["synced_at"] or _("never (the next sync rebuilds it from the pages' "
                                       "histories)")
        click.echo(_("list %(name)s: last synced %(synced)s; conflicts settled by "
                     "%(conflict_resolution)s") % {
            "name": lst['name'], "synced": synced,
            "conflict_resolution": lst['conflict_resolution']})
        for page in lst["pages"]:
            rev = page["revision"] or "-"
            click.echo(_("  %(wiki)s: %(title)s (%(section)s), revision %(rev)s") % {
                "wiki": page['wiki'], "title": page['title'], "section": page['section'],
                "rev": rev})
        if lst["entries"] is not None:
            click.echo(_("  %(count)s entries: %(entries)s") % {
                "count": len(lst['entries']), "entries": ', '.join(lst['entries'])})
        if lst["conflicts"]:
            click.echo(_("  %(count)s conflict(s) pending since %(conflicts_since)s:") % {
                "count": len(lst['conflicts']), "conflicts_since": lst['conflicts_since']})
            for conflict in lst["conflicts"]:
                click.echo(f"    {conflict['key']!r} ({conflict['kind']})")
                for wiki, line in conflict["pages"].items():
                    click.echo(f"      {wiki}: {line if line is not None else _('(absent)')}")
            click.echo(_("  to settle one: wikisync resolve %(name)s KEY --take WIKI") % {
                "name": lst['name']})


@click.command(help=N_(
    "Settle a list's conflict by writing one wiki's version everywhere.\n"
    "\n"
    "Runs the sync of LIST, where the conflict on KEY (or, with --take-all, every conflict)\n"
    "takes WIKI's version: its entry as written there, or its absence.\n"
    "\n"
    "\b\n"
    "Examples:\n"
    '  wikisync resolve tiers-lieux-interesses "La Myne" --take movilab\n'
    "  wikisync resolve tiers-lieux-interesses --take-all fabmob --dry-run"))
@click.argument("list_name", metavar="LIST", shell_complete=complete_lists)
@click.argument("key", required=False)
@click.option("--take", metavar="WIKI", shell_complete=complete_wikis,
              help=N_("write this wiki's version of KEY everywhere"))
@click.option("--take-all", metavar="WIKI", shell_complete=complete_wikis,
              help=N_("write this wiki's version of every conflicting entry everywhere"))
@click.option("--dry-run", is_flag=True, help=N_("print the diffs, write nothing"))
@pass_ctx
def resolve(ctx: Ctx, list_name: str, key: str | None, take: str | None, take_all: str | None,
            dry_run: bool) -> None:
    from wikisync.cli.output import print_sync
    from wikisync.errors import UsageError
    from wikisync.sync import run_sync

    if (take is None) == (take_all is None) or (take is not None) != (key is not None):
        raise UsageError(_("give KEY with --take WIKI, or --take-all WIKI alone"),
                         _("e.g. wikisync resolve LIST \"La Myne\" --take movilab"))
    app = ctx.app
    lst = app.config.list_named(list_name)
    wiki = take or take_all
    if wiki not in lst.pages:
        raise UsageError(_("list %(list_name)r has no page on %(wiki)r") % {
            "list_name": list_name, "wiki": wiki},
                         _("its wikis: %(pages)s") % {"pages": ', '.join(lst.pages)})
    app.resolve[lst.name] = (wiki, frozenset([key]) if key is not None else None)
    report = run_sync(app, (lst.name,), dry_run=dry_run)
    print_sync(report, verbose=ctx.verbosity, quiet=ctx.quiet)
    raise SystemExit(report.exit_code)
