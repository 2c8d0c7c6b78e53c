"""The command line: parse, build an App, call one core function, print.

Errors are turned into messages and exit codes in one place, :func:`main`.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict

import click

from wikisync import __version__
from wikisync.app import App
from wikisync.config import find_config, load_config
from wikisync.errors import EXIT_ATTENTION, EXIT_FAILED, EXIT_OK, WikisyncError

log = logging.getLogger("wikisync")


class Ctx:
    """Global options, and the App built from them on first use."""

    def __init__(self, config_path: str | None, verbosity: int, quiet: bool) -> None:
        self.config_path = config_path
        self.verbosity = verbosity
        self.quiet = quiet
        self._app: App | None = None

    @property
    def app(self) -> App:
        if self._app is None:
            self._app = App(load_config(find_config(self.config_path)))
        return self._app


def _setup_logging(verbosity: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else [logging.WARNING, logging.INFO, logging.DEBUG][
        min(verbosity, 2)
    ]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if verbosity < 2:
        logging.getLogger("urllib3").setLevel(logging.WARNING)
        logging.getLogger("mwclient").setLevel(logging.WARNING)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", help="wikisync.yaml to use "
              "(else $WIKISYNC_CONFIG, else ./wikisync.yaml)")
@click.option("-v", "--verbose", count=True, help="more detail on stderr (repeat for debug)")
@click.option("-q", "--quiet", is_flag=True, help="only errors on stderr")
@click.version_option(__version__, prog_name="wikisync")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, quiet: bool) -> None:
    """Keep structured pages and lists of several MediaWiki wikis in step.

    \b
    Examples:
      wikisync check
      wikisync new-lieu "La Myne" --set ville=Villeurbanne
      wikisync sync --dry-run
      wikisync audit --format json --output audit.json
    """
    _setup_logging(verbose, quiet)
    ctx.obj = Ctx(config_path, verbose, quiet)


pass_ctx = click.make_pass_decorator(Ctx)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="one JSON document on stdout")
@pass_ctx
def check(ctx: Ctx, as_json: bool) -> None:
    """Reach every wiki, log in, print MediaWiki version, user and rights.

    Exit 1 if any wiki fails.
    """
    from wikisync.check import check_wikis

    statuses = check_wikis(ctx.app)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in statuses], ensure_ascii=False, indent=2))
    else:
        for s in statuses:
            if s.ok:
                missing = f"  MISSING: {', '.join(s.missing)}" if s.missing else ""
                click.echo(f"{s.wiki}: ok  {s.version}  \"{s.sitename}\"  user {s.user} "
                           f"(groups: {', '.join(s.groups) or '-'})  rights: "
                           f"{', '.join(s.rights) or '-'}{missing}")
            else:
                click.echo(f"{s.wiki}: FAILED  {s.error}")
                if s.hint:
                    click.echo(f"  hint: {s.hint}")
    raise SystemExit(EXIT_OK if all(s.ok for s in statuses) else EXIT_FAILED)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every error into a message and an exit code."""
    try:
        code = cli.main(args=argv, prog_name="wikisync", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted: nothing more was written.", err=True)
        code = EXIT_FAILED
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except WikisyncError as exc:
        click.echo(f"error: {exc}", err=True)
        if exc.hint:
            click.echo(f"hint: {exc.hint}", err=True)
        code = exc.exit_code
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_FAILED
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = 130
    except Exception:
        log.exception("unexpected error (a bug in wikisync; please report it)")
        code = EXIT_FAILED
    sys.exit(code if isinstance(code, int) else EXIT_OK)


__all__ = ["EXIT_ATTENTION", "cli", "main"]


@cli.command()
@click.option("--list", "list_names", multiple=True, metavar="L",
              help="only this list (repeatable)")
@click.option("--dry-run", is_flag=True, help="print the diffs, write nothing")
@click.option("--allow-empty", is_flag=True, help="accept a list page whose section was emptied")
@click.option("--json", "as_json", is_flag=True, help="the plan and results as one JSON document")
@pass_ctx
def sync(ctx: Ctx, list_names: tuple[str, ...], dry_run: bool, allow_empty: bool,
         as_json: bool) -> None:
    """Make every configured list identical on all its pages, and the mappings' `sync` fields
    equal on every wiki that has the record.

    Quiet when nothing changed (for cron). Exit 3 when a conflict needs a person.

    \b
    Examples:
      wikisync sync --dry-run
      wikisync sync --list tiers-lieux-interesses
      */15 * * * *  wikisync --config /etc/wikisync.yaml -q sync
    """
    from wikisync.output import print_sync, sync_json
    from wikisync.sync import run_sync

    report = run_sync(ctx.app, list_names, dry_run=dry_run, allow_empty=allow_empty)
    if as_json:
        click.echo(json.dumps(sync_json(report), ensure_ascii=False, indent=2))
    else:
        print_sync(report, verbose=ctx.verbosity)
    raise SystemExit(report.exit_code)


def _register_commands() -> None:
    """Commands defined in their own modules (imported here, after `cli` exists)."""
    from wikisync import cli_records  # noqa: F401  (its commands attach themselves to `cli`)
    from wikisync.cli_audit import audit

    cli.add_command(audit)


_register_commands()
