"""The command line: parse, build an App, call one core function, print.

Errors are turned into messages and exit codes in one place, :func:`main`.

Each command lives in a module of this package and is named, with its one-line help, in
:data:`COMMANDS`. The group imports a command's module only when that command is used: it lists
the commands for ``--help`` and Tab completion from the table, so that ``wikisync --version``,
``--help`` and a Tab press start in a blink. The command modules themselves import the core (the
network door, the parser, YAML) inside the command functions, so a command's own ``--help`` and
the completion of its arguments stay light too. Even :mod:`logging` is imported only once a
command runs (or fails): ``--version`` and a Tab press on a command name do without it.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

import click

from wikisync import __version__
from wikisync.errors import EXIT_FAILED, EXIT_OK, WikisyncError
from wikisync.i18n import N_, _

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from wikisync.app import App, WikiFactory

#: Every command: its name, then the module of this package and the function that define it, and
#: its one-line help as ``wikisync --help`` shows it (the first sentence of its docstring).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "audit": ("audit", "audit", N_("Find stale, incomplete, broken or out-of-step pages.")),
    "check": ("check", "check",
              N_("Reach every wiki, log in, print MediaWiki version, user and rights.")),
    "export": ("records", "export",
               N_("Every record of a kind, one row per record per wiki: title, wiki, last "
                  "edit, fields.")),
    "init": ("init", "init",
             N_("Write a commented wikisync.yaml after checking each wiki's API URL.")),
    "import": ("records", "import_",
               N_("Create the records of a CSV or YAML file that don't exist yet "
                  "(existing: skipped).")),
    "new": ("records", "new",
            N_("Create a record's pages from the page templates, then add it to its lists.")),
    "new-lieu": ("records", "new_lieu",
                 N_("Create a tiers-lieu's pages (kind `lieu`) and add it to the lists.")),
    "new-project": ("records", "new_project", N_("Create a project's pages (kind `projet`).")),
    "resolve": ("state", "resolve",
                N_("Settle a list's conflict by writing one wiki's version everywhere.")),
    "set": ("records", "set_",
            N_("Change fields of an existing page: only those parameters change.")),
    "show": ("records", "show", N_("The page's fields, as the mapping reads them.")),
    "status": ("state", "status",
               N_("What the sync state holds: per list, pages, revisions at the last run, "
                  "entries, pending conflicts.")),
    "sync": ("sync", "sync",
             N_("Make every configured list identical on all its pages, and the mappings' "
                "`sync` fields equal on every wiki that has the record.")),
}


class LazyGroup(click.Group):
    """A group that knows its commands from a table and imports one only when it is used."""

    def __init__(self, *args, table: dict[str, tuple[str, str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.table = table

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.table)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.table:
            module, function, _summary = self.table[name]
            command = getattr(importlib.import_module(f"{__name__}.{module}"), function)
            command.short_help = command.short_help or self.table[name][2]  # never cut
            self.add_command(command, name)
        command = self.commands.get(name)
        return in_language(command) if command is not None else None

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.table:
            # A mistyped name: with every command loaded, click suggests the closest one.
            for name in self.table:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def summary(self, name: str) -> str:
        """The command's one-line help, whole (``--help`` wraps it rather than cut it)."""
        return _(self.table[name][2])

    def main(self, *args, **kwargs):
        """Run the group, with click's own words (usage, option errors, ``--help`` headings)
        looked up in wikisync's catalog: click asks :mod:`gettext`'s global domain."""
        import gettext

        from wikisync.i18n import DOMAIN, LOCALE_DIR

        gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
        gettext.textdomain(DOMAIN)
        return super().main(*args, **kwargs)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        in_language(self)  # here, not in main: --version and a Tab press load no catalog
        super().format_help(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The "Commands:" part of ``--help``, laid out as click does, from the table."""
        with formatter.section(_("Commands")):
            formatter.write_dl([(name, self.summary(name)) for name in self.list_commands(ctx)])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Command names from the table, then the group's options (no command is imported)."""
        from click.shell_completion import CompletionItem

        names = [CompletionItem(name, help=self.summary(name))
                 for name in self.list_commands(ctx) if name.startswith(incomplete)]
        return names + click.Command.shell_complete(self, ctx, incomplete)


def in_language(command: click.Command) -> click.Command:
    """The command with its help texts in the person's language. Their English texts (marked
    with ``N_`` where the command is defined) are kept on the objects at first use, so that each
    run, in whichever language, translates from them (the in-process ``program`` shares its
    options with ``cli``)."""
    for holder, attribute in [(command, "help"), (command, "short_help")] + [
            (param, "help") for param in command.params if hasattr(param, "help")]:
        text = english(holder, attribute)
        if text:
            setattr(holder, attribute, _(text))
    if getattr(command, "_help_option", None) is not None:
        # click keeps the --help option it made first, with its help text in that run's
        # language: a new one is made for this run
        command._help_option = None
    return command


def english(holder: object, attribute: str) -> str | None:
    """The English text of ``holder.attribute`` (a help text), kept before any translation."""
    kept = f"_english_{attribute}"
    if kept not in holder.__dict__:
        holder.__dict__[kept] = getattr(holder, attribute)
    return holder.__dict__[kept]


class Ctx:
    """Global options, and the App built from them on first use."""

    def __init__(self, config_path: str | None, verbosity: int, quiet: bool,
                 wiki_factory: WikiFactory | None = None) -> None:
        self.config_path = config_path
        self.verbosity = verbosity
        self.quiet = quiet
        self.wiki_factory = wiki_factory  # None: the wikis on the network
        self._app: App | None = None

    @property
    def app(self) -> App:
        if self._app is None:
            from wikisync.app import App
            from wikisync.config import find_config, load_config

            self._app = App(load_config(find_config(self.config_path)),
                            wiki_factory=self.wiki_factory)
        return self._app


pass_ctx = click.make_pass_decorator(Ctx)


#: The log levels' names, as a log line on stderr says them (``WARNING: message``).
LEVELS = {"DEBUG": N_("DEBUG"), "INFO": N_("INFO"), "WARNING": N_("WARNING"),
          "ERROR": N_("ERROR"), "CRITICAL": N_("CRITICAL")}


def _setup_logging(verbosity: int, quiet: bool) -> None:
    import logging

    level = logging.ERROR if quiet else [logging.WARNING, logging.INFO, logging.DEBUG][
        min(verbosity, 2)
    ]
    handler = logging.StreamHandler(sys.stderr)
    class LevelInLanguage(logging.Formatter):
        """``WARNING: message``, in the person's language."""

        def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's)
            level = LEVELS.get(record.levelname)
            return _("%(level)s: %(message)s") % {
                "level": _(level) if level else record.levelname, "message": record.message}

    handler.setFormatter(LevelInLanguage())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if verbosity < 2:
        logging.getLogger("urllib3").setLevel(logging.WARNING)
        logging.getLogger("mwclient").setLevel(logging.WARNING)


@click.group(cls=LazyGroup, table=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]}, help=N_(
    "Keep structured pages and lists of several MediaWiki wikis in step.\n"
    "\n"
    "\b\n"
    "Examples:\n"
    "  wikisync check\n"
    '  wikisync new-lieu "La Myne" --set ville=Villeurbanne\n'
    "  wikisync sync --dry-run\n"
    "  wikisync audit --format json --output audit.json"))
@click.option("--config", "config_path", metavar="PATH", help=N_("wikisync.yaml to use "
              "(else $WIKISYNC_CONFIG, else ./wikisync.yaml)"))
@click.option("-v", "--verbose", count=True, help=N_("more detail on stderr (repeat for debug)"))
@click.option("-q", "--quiet", is_flag=True, help=N_("only errors on stderr"))
@click.version_option(__version__, "-V", "--version", prog_name="wikisync")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, quiet: bool) -> None:
    _setup_logging(verbose, quiet)
    wiring = ctx.obj if isinstance(ctx.obj, dict) else {}
    ctx.obj = Ctx(config_path, verbose, quiet, wiki_factory=wiring.get("wiki_factory"))


def main(argv: list[str] | None = None, *, wiki_factory: WikiFactory | None = None) -> None:
    """Entry point: run the CLI and turn every error into a message and an exit code.

    ``wiki_factory`` makes the wikis (default: over the network, from the config); tests give
    :func:`wikisync.memwiki.memory_factory`, or run :data:`program` with click's CliRunner."""
    run(lambda: cli.main(args=argv, prog_name="wikisync", standalone_mode=False,
                         obj={"wiki_factory": wiki_factory}))


def run(start: Callable[[], object]) -> NoReturn:
    """Run the CLI (``start``) and turn every error into a message and an exit code: the one
    place where that is done."""
    _no_last_collections()
    try:
        code = start()
    except click.exceptions.Abort:
        click.echo(_("Aborted: nothing more was written."), err=True)
        code = EXIT_FAILED
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except WikisyncError as exc:
        from wikisync.cli import ui

        ui.error(_("error: %(message)s") % {"message": exc})
        if exc.hint:
            click.echo(_("hint: %(hint)s") % {"hint": exc.hint}, err=True)
        code = exc.exit_code
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_FAILED
    except KeyboardInterrupt:
        click.echo(_("Interrupted."), err=True)
        code = 130
    except Exception:
        import logging

        logging.getLogger("wikisync").exception(
            _("unexpected error (a bug in wikisync; please report it)"))
        code = EXIT_FAILED
    sys.exit(code if isinstance(code, int) else EXIT_OK)


@functools.cache  # registered once, however many commands one process runs
def _no_last_collections() -> None:
    """Spare the process its last garbage collections. At exit, Python collects cycles over
    every object still alive; after an audit or an export of thousands of pages that took
    0.09 s (2,000 pages, against 0.03 s for a bare ``requests`` reader). wikisync needs none
    of them: it runs no finalizer at exit, and its files and state database are closed before.
    ``gc.freeze()`` at exit (registered once, run after the other exit handlers) moves every
    object out of the collector's way; objects are still released as modules are cleared."""
    import atexit
    import gc

    atexit.register(gc.freeze)


class Program(LazyGroup):
    """The command line as the console script runs it: :data:`cli`, with every error turned
    into a message and an exit code by :func:`run`."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra) -> NoReturn:
        run(lambda: super(Program, self).main(args, prog_name, complete_var,
                                              standalone_mode=False, **extra))


#: ``CliRunner().invoke(program, ARGS, obj={"wiki_factory": ...})`` runs a command in process
#: as ``wikisync ARGS`` would, exit code and messages included (``cli`` lets errors through to
#: the caller, as click does).
program = Program(cli.name, table=COMMANDS, callback=cli.callback, params=cli.params,
                  help=cli.help, context_settings=cli.context_settings)


__all__ = ["COMMANDS", "Ctx", "cli", "main", "pass_ctx", "program"]
