"""Talking with the person at the terminal: previews, questions, chatter.

Results go to stdout; everything else a command says to a person (previews of what it will
write, questions, progress notes) goes to stderr, the terminal's stream even when stdout is a
file, so that ``wikisync new-lieu X > log`` still shows what it asks about. ``-q`` silences the
chatter, never a result, an error or a question.

Colour only on a terminal, never in a pipe, and never when ``NO_COLOR`` is set to anything but
the empty string (https://no-color.org). A preview longer than the terminal goes through the
pager (``$PAGER``, else ``less``; ``LESS=FRX`` unless ``LESS`` is set: colours kept, the text left
on screen when the pager quits, no pager at all when it fits), only when the stream it is shown
on is a terminal and a person can answer it; never in a pipe.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from typing import TextIO

import click

from wikisync.i18n import _


def is_interactive(yes: bool = False) -> bool:
    """Whether a person can answer questions: stdin is a terminal and ``--yes`` was not given."""
    return not yes and sys.stdin.isatty()


def colour_on(stream: TextIO) -> bool:
    """Whether to colour what goes to ``stream``: a terminal, and ``NO_COLOR`` unset or empty."""
    return not os.environ.get("NO_COLOR") and stream.isatty()


def colour_diff(diff: str, colour: bool) -> str:
    """A unified diff with its added lines green, removed lines red, headers bold."""
    if not colour:
        return diff
    lines = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            lines.append(click.style(line, bold=True))
        elif line.startswith("+"):
            lines.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            lines.append(click.style(line, fg="red"))
        elif line.startswith("@@"):
            lines.append(click.style(line, fg="cyan"))
        else:
            lines.append(line)
    return "".join(lines)


def preview(text: str, *, diff: bool = True, err: bool = True) -> None:
    """Show ``text`` (a diff, or a page) on stderr (stdout for a dry run's result), coloured at
    a terminal, through the pager when it is longer than the terminal."""
    stream = sys.stderr if err else sys.stdout
    colour = colour_on(stream)
    text = colour_diff(text, diff and colour)
    if _longer_than_terminal(text, stream) and _page(text, stream):
        return
    click.echo(text, nl=not text.endswith("\n"), err=err, color=colour)


def _longer_than_terminal(text: str, stream: TextIO) -> bool:
    """Whether ``text`` does not fit on the terminal ``stream`` is, a person reading it there."""
    if not (stream.isatty() and sys.stdin.isatty()):
        return False
    try:
        height = os.get_terminal_size(stream.fileno()).lines
    except OSError:
        return False
    return text.count("\n") + 1 > height - 1  # one line is left for the question


def _page(text: str, stream: TextIO) -> bool:
    """Show ``text`` through the pager, on ``stream``'s terminal; False when there is none."""
    command = shlex.split(os.environ.get("PAGER", "less"))
    if not command or shutil.which(command[0]) is None:
        return False
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    stream.flush()
    data = text.encode(stream.encoding or "utf-8", "replace")
    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=stream.fileno(), env=env)
    except OSError:
        return False
    try:
        pager.communicate(data)
    except (BrokenPipeError, KeyboardInterrupt):  # the person quit the pager early
        pass
    pager.wait()
    return True


def error(message: str) -> None:
    """An error line on stderr, in red at a terminal."""
    colour = colour_on(sys.stderr)
    click.echo(click.style(message, fg="red") if colour else message, err=True, color=colour)


def say(message: str, quiet: bool = False) -> None:
    """A note for the person (stderr), silenced by ``-q``."""
    if not quiet:
        click.echo(message, err=True)


def confirm(question: str) -> bool:
    """Ask on the terminal (stderr); the default is no."""
    return click.confirm(question, default=False, err=True)


def nothing_written() -> None:
    """Say so and exit 1: the person answered no."""
    click.echo(_("Nothing was written."), err=True)
    raise SystemExit(1)
