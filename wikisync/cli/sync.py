"""``wikisync sync``: make every configured list and every ``sync`` field agree on all wikis."""

from __future__ import annotations

import json

import click

from wikisync.cli import Ctx, pass_ctx
from wikisync.cli.options import complete_lists
from wikisync.i18n import N_


@click.command(help=N_(
    "Make every configured list identical on all its pages, and the mappings' `sync` fields\n"
    "equal on every wiki that has the record.\n"
    "\n"
    "Quiet when nothing changed (for cron). Exit 3 when a conflict needs a person.\n"
    "\n"
    "\b\n"
    "Examples:\n"
    "  wikisync sync --dry-run\n"
    "  wikisync sync --list tiers-lieux-interesses\n"
    "  */15 * * * *  wikisync --config /etc/wikisync.yaml -q sync"))
@click.option("--list", "list_names", multiple=True, metavar="L", shell_complete=complete_lists,
              help=N_("only this list (repeatable)"))
@click.option("--dry-run", is_flag=True, help=N_("print the diffs, write nothing"))
@click.option("--allow-empty", is_flag=True,
              help=N_("accept a list page whose section was emptied"))
@click.option("--json", "as_json", is_flag=True,
              help=N_("the plan and results as one JSON document"))
@pass_ctx
def sync(ctx: Ctx, list_names: tuple[str, ...], dry_run: bool, allow_empty: bool,
         as_json: bool) -> None:
    from wikisync.cli.output import print_sync, sync_json
    from wikisync.sync import run_sync

    report = run_sync(ctx.app, list_names, dry_run=dry_run, allow_empty=allow_empty)
    if as_json:
        click.echo(json.dumps(sync_json(report), ensure_ascii=False, indent=2))
    else:
        print_sync(report, verbose=ctx.verbosity, quiet=ctx.quiet)
    raise SystemExit(report.exit_code)
