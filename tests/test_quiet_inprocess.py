"""``sync -q`` in process on in-memory wikis (issue 14, point 5): a record's field conflict is
printed once, when it appears or changes, like a list's; then nothing while it stands as it
was, even when the record is read again."""

from __future__ import annotations

import logging

import pytest

from tests.test_cli_inprocess import env  # noqa: F401 (a fixture)
from wikisync.errors import EXIT_ATTENTION, EXIT_OK


@pytest.fixture(autouse=True)
def root_logger_restored():
    """``-q`` in process sets the root logger to errors only: later tests get it back."""
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


def test_a_field_conflict_is_printed_once_and_quiet_says_nothing_of_it_after(env):  # noqa: F811
    assert env.run("sync").exit_code == EXIT_OK
    idle = env.run("-q", "sync")
    assert (idle.exit_code, idle.output) == (EXIT_OK, "")
    for name, param, town in (("fabmob", "villes d'implantation", "Caen"),
                              ("movilab", "Ville", "Hérouville")):
        wiki = env.wikis[name]
        wiki.put("Le WIP", wiki.text("Le WIP").replace(f"|{param}=Colombelles",
                                                       f"|{param}={town}"))
    first = env.run("-q", "sync")
    assert first.exit_code == EXIT_ATTENTION, first.output
    assert first.stdout.startswith("CONFLICT lieu 'Le WIP' field: 'ville'"), first.stdout
    assert "Hérouville" in first.stdout and "Caen" in first.stdout
    again = env.run("-q", "sync")  # the records did not change: not read again, nothing said
    assert (again.exit_code, again.output) == (EXIT_OK, "")
    movilab = env.wikis["movilab"]  # another edit of the record: read again, conflict again
    movilab.put("Le WIP", movilab.text("Le WIP").replace("Une ancienne usine.", "Une usine."))
    quiet = env.run("-q", "sync")
    assert (quiet.exit_code, quiet.output) == (EXIT_ATTENTION, "")  # said once already
    movilab.put("Le WIP", movilab.text("Le WIP").replace("Une usine.", "Une ancienne usine."))
    loud = env.run("sync")
    assert loud.exit_code == EXIT_ATTENTION
    assert "CONFLICT" not in loud.stdout
    assert "lieu: 1 field conflict still pending, unchanged: Le WIP / ville" in loud.stdout
    movilab.put("Le WIP", movilab.text("Le WIP").replace("|Ville=Hérouville", "|Ville=Ifs"))
    changed = env.run("-q", "sync")  # the conflict changed: said again
    assert changed.exit_code == EXIT_ATTENTION
    assert changed.stdout.startswith("CONFLICT lieu 'Le WIP' field: 'ville'"), changed.stdout
    assert "Ifs" in changed.stdout

    for name, param in (("fabmob", "villes d'implantation"), ("movilab", "Ville")):
        wiki = env.wikis[name]  # a person settles it: the same town on both wikis
        text = wiki.text("Le WIP")
        old = next(line for line in text.splitlines() if line.startswith(f"|{param}="))
        wiki.put("Le WIP", text.replace(old, f"|{param}=Colombelles"))
    settled = env.run("-q", "sync")
    assert (settled.exit_code, settled.output) == (EXIT_OK, "")
    for name, param, town in (("fabmob", "villes d'implantation", "Caen"),
                              ("movilab", "Ville", "Ifs")):
        wiki = env.wikis[name]  # the very same conflict, made again later: new again
        wiki.put("Le WIP", wiki.text("Le WIP").replace(f"|{param}=Colombelles",
                                                       f"|{param}={town}"))
    anew = env.run("-q", "sync")
    assert anew.exit_code == EXIT_ATTENTION
    assert anew.stdout.startswith("CONFLICT lieu 'Le WIP' field: 'ville'"), anew.stdout
