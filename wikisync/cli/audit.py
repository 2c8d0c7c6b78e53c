"""``wikisync audit``: parse the options, run :func:`wikisync.audit.run_audit`, print or publish.

The audit and its report are imported when the command runs, so that listing, help and Tab
completion stay light (see :mod:`wikisync.cli`).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import IO

import click

from wikisync.cli import Ctx, pass_ctx, ui
from wikisync.cli.options import complete_kinds, complete_wikis
from wikisync.errors import EXIT_ATTENTION, EXIT_FAILED, EXIT_OK, UsageError
from wikisync.i18n import N_, _

log = logging.getLogger(__name__)

#: The output formats (those of :func:`wikisync.report.render`).
FORMATS = ("table", "json", "csv")


class TerminalProgress:
    """``pages read`` on one self-overwriting stderr line, once the read lasts over ``delay``."""

    def __init__(self, stream: IO[str], delay: float = 1.0, every: float = 0.2) -> None:
        self.stream = stream
        self.delay = delay
        self.every = every
        self.start = time.monotonic()
        self.last = 0.0
        self.width = 0

    def __call__(self, what: str, count: int) -> None:
        now = time.monotonic()
        if now - self.start < self.delay or now - self.last < self.every:
            return
        self.last = now
        line = f"audit: {what}: {count} page(s) read"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        """Erase the progress line, if one was shown."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def _progress(quiet: bool) -> TerminalProgress | None:
    """A progress display when stderr is a terminal (and not ``-q``), else None."""
    if quiet or not sys.stderr.isatty():
        return None
    return TerminalProgress(sys.stderr)


def _publish_target(publish: str | None, to: str | None, wikis: tuple[str, ...]) -> str | None:
    """The wiki that receives the report: ``--to``; the older ``--publish TITLE --wiki W``
    still works, with a warning."""
    if publish is None:
        if to is not None:
            raise UsageError(_("--to WIKI goes with --publish TITLE"),
                             _("e.g. wikisync audit --publish \"Audit des fiches\" --to fabmob"))
        return None
    if not publish.strip():
        raise UsageError(_("--publish needs a page title"))
    if to is not None:
        return to
    if len(wikis) == 1:
        click.echo(_("warning: --publish TITLE --wiki %(wikis)s is deprecated: write --to "
                     "%(wikis)s; --wiki only chooses which findings are reported (as here: "
                     "only %(wikis)s's)") % {"wikis": wikis[0]}, err=True)
        return wikis[0]
    raise UsageError(
        _("--publish TITLE needs --to WIKI: the wiki that receives the report"),
        _("e.g. wikisync audit --publish \"Audit des fiches\" --to fabmob"),
    )


def _write_output(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            _("cannot write %(output)s: %(reason)s") % {"output": output,
                                                         "reason": exc.strerror or exc},
            _("give --output a file in a folder that exists and is writable")) from None
    log.info(_("audit: written to %(path)s") % {"path": output})


@click.command(help=N_(
    "Find stale, incomplete, broken or out-of-step pages.\n"
    "\n"
    "Exit 0 when nothing needs a person, 3 when there are findings, 1 when a wiki or a list\n"
    "could not be read (a wiki down, a page or section missing; what could be read is still\n"
    "reported).\n"
    "\n"
    "\b\n"
    "Examples:\n"
    "  wikisync audit\n"
    "  wikisync audit --kind lieu --wiki movilab --stale-days 730\n"
    "  wikisync audit --format json --output audit.json\n"
    '  wikisync audit --ignore "Tiers Lieux Libres et Open Source"\n'
    '  wikisync audit --publish "Audit des fiches" --to fabmob'))
@click.option("--kind", "kinds", multiple=True, metavar="KIND", shell_complete=complete_kinds,
              help=N_("audit this kind only (repeatable; default: every mapping)"))
@click.option("--wiki", "wikis", multiple=True, metavar="WIKI", shell_complete=complete_wikis,
              help=N_("report findings on this wiki only (repeatable; default: every wiki)"))
@click.option("--stale-days", type=click.IntRange(min=1), metavar="DAYS",
              help=N_("stale after DAYS without an edit (default: the mapping's stale_after_days)"))
@click.option("--ignore", "ignore", multiple=True, metavar="TITLE",
              help=N_("leave this page out (repeatable), on top of the mappings' ignore: lists"))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True, help=N_("output format"))
@click.option("--output", metavar="FILE", help=N_("write the output to FILE instead of stdout"))
@click.option("--publish", metavar="TITLE",
              help=N_("also write the report, in French, as the page TITLE of the wiki --to names"))
@click.option("--to", metavar="WIKI", shell_complete=complete_wikis,
              help=N_("with --publish: the wiki that receives the report"))
@pass_ctx
def audit(ctx: Ctx, kinds: tuple[str, ...], wikis: tuple[str, ...], stale_days: int | None,
          ignore: tuple[str, ...], fmt: str, output: str | None, publish: str | None,
          to: str | None) -> None:
    target = _publish_target(publish, to, wikis)
    app = ctx.app
    for wiki in (*wikis, *([target] if target is not None else [])):
        app.config.wiki(wiki)  # an unknown wiki is a usage error, before any read
    # the first reads start (a big one logs in) while the audit's code loads
    app.begin_reads(kinds or app.mappings)

    from wikisync import report
    from wikisync.audit import AuditOptions, publish_report, run_audit

    options = AuditOptions(tuple(kinds), tuple(wikis), stale_days, tuple(ignore))
    progress = _progress(ctx.quiet)
    try:
        result = run_audit(app, options, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    _write_output(report.render(result, fmt, lambda w, t: app.config.wiki(w).page_url(t)),
                  output)
    if publish is not None and target is not None:
        wiki = target
        text = report.as_wikitext(result, report.link_maker(app.config, wiki))
        edited = publish_report(app, wiki, publish.strip(), text, report.edit_summary(result),
                                report.same_report)
        if not ctx.quiet:
            said = (_("%(wiki)s: %(title)s: report published") if edited
                    else _("%(wiki)s: %(title)s: unchanged, no edit"))
            click.echo(said % {"wiki": wiki, "title": publish.strip()}, err=True)
    # Said last, where a person reading the terminal looks.
    for why in result.down.values():
        click.echo(_("error: audit incomplete: %(why)s; what the other wikis hold is reported") % {
            "why": why},
                   err=True)
    for unread in result.unread:
        if unread.wiki in result.down:
            continue
        ui.error(_("error: audit incomplete: %(message)s") % {"message": unread.message})
        if unread.hint:
            click.echo(_("hint: %(hint)s") % {"hint": unread.hint}, err=True)
    if result.unread or result.down:
        raise SystemExit(EXIT_FAILED)
    raise SystemExit(EXIT_OK if result.clean else EXIT_ATTENTION)
