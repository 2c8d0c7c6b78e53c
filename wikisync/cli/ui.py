"""Talking with the person at the terminal: previews, questions, chatter.

Results go to stdout; everything else a command says to a person (previews of what it will
write, questions, progress notes) goes to stderr, the terminal's stream even when stdout is a
file, so that ``wikisync new-lieu X > log`` still shows what it asks about. ``-q`` silences the
chatter, never a result, an error or a question.

Colour only on a terminal, never in a pipe, and never when ``NO_COLOR`` is set.
"""

from __future__ import annotations

import os
import sys

import click


def is_interactive(yes: bool = False) -> bool:
    """Whether a person can answer questions: stdin is a terminal and ``--yes`` was not given."""
    return not yes and sys.stdin.isatty()


def _colour(stream) -> bool:
    return "NO_COLOR" not in os.environ and stream.isatty()


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


def preview(text: str, *, diff: bool = True) -> None:
    """Show ``text`` (a diff, or a page) on stderr, coloured at a terminal."""
    text = colour_diff(text, diff and _colour(sys.stderr))
    click.echo(text, nl=not text.endswith("\n"), err=True, color=_colour(sys.stderr))


def say(message: str, quiet: bool = False) -> None:
    """A note for the person (stderr), silenced by ``-q``."""
    if not quiet:
        click.echo(message, err=True)


def confirm(question: str) -> bool:
    """Ask on the terminal (stderr); the default is no."""
    return click.confirm(question, default=False, err=True)


def nothing_written() -> None:
    """Say so and exit 1: the person answered no."""
    click.echo("Nothing was written.", err=True)
    raise SystemExit(1)
