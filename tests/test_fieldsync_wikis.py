"""Record field sync (the mappings' `sync` fields) against the two real local wikis."""

from __future__ import annotations

from wikisync.app import App
from wikisync.config import load_config
from wikisync.errors import EXIT_ATTENTION, EXIT_OK
from wikisync.sync import run_sync


def set_param(wikis, wiki: str, title: str, old: str, new: str) -> None:
    """A person edits a parameter line of a record page."""
    peer = wikis.peer(wiki)
    page = peer.read([title])[title]
    assert old in page.text, (old, page.text)
    peer.save(page, page.text.replace(old, new), "modification humaine")


def fields(wikis, wiki: str, title: str) -> dict:
    import json

    result = wikis.run("show", "lieu", title, "--wiki", wiki, "--json")
    assert result.returncode == EXIT_OK, result.stderr
    return json.loads(result.stdout)["fields"]


def test_a_field_changed_on_one_wiki_follows_on_the_other(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    set_param(wikis, "movilab", "Konk Ar Lab", "|Ville=Concarneau", "|Ville=Concarneau (Finistère)")
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "changed fabmob:Konk Ar Lab: wikisync: ville (lieu)" in result.stdout
    assert fields(wikis, "fabmob", "Konk Ar Lab")["ville"] == "Concarneau (Finistère)"
    text = wikis.text("fabmob", "Konk Ar Lab")
    assert "|villes d'implantation=Concarneau (Finistère)\n" in text
    assert "|Adherent=oui\n" in text  # the rest of the call is untouched


def test_first_run_fills_a_field_missing_on_one_wiki(wikis):
    set_param(wikis, "movilab", "La Machinerie", "|Site web=https://lamachinerie.org/\n", "")
    set_param(wikis, "movilab", "La Myne", "|Site web=https://www.lamyne.org/\n", "")
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert fields(wikis, "movilab", "La Myne")["site_web"] == "https://www.lamyne.org/"


def test_different_changes_on_two_wikis_are_a_conflict_left_alone(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    set_param(wikis, "movilab", "Le WIP", "|Ville=Colombelles", "|Ville=Caen")
    set_param(wikis, "fabmob", "Le WIP", "villes d'implantation=Colombelles",
              "villes d'implantation=Hérouville")
    result = wikis.run("sync")
    assert result.returncode == EXIT_ATTENTION
    assert "CONFLICT lieu 'Le WIP' field: 'ville' (changed-differently)" in result.stdout
    assert "on movilab: 'Caen'" in result.stdout
    assert fields(wikis, "movilab", "Le WIP")["ville"] == "Caen"
    assert fields(wikis, "fabmob", "Le WIP")["ville"] == "Hérouville"


def test_a_no_change_run_reads_no_record(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    app = App(load_config(wikis.config))
    report = run_sync(app)
    assert report.exit_code == EXIT_OK
    assert [f.records_read for f in report.fields] == [0, 0]
    for site in app.sites.values():
        assert site.session.counts["query:prop=revisions"] <= 1
