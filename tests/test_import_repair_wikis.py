"""Interrupted imports are repaired (issue 13), on the two local wikis: a rerun of ``import``
adds the records a stopped run created, with exactly the file's fields, to the lists they are
missing from; a record whose page holds other fields is not listed."""

from __future__ import annotations

from tests.test_records_wikis import list_keys
from wikisync import create
from wikisync.app import App
from wikisync.config import load_config
from wikisync.errors import EXIT_OK
from wikisync.model import Page

ROWS = ("nom,ville,code_postal\n"
        "Le Bercail,Fontainebleau,77300\n"
        "La Ferme Partagée,Toucy,89130\n")


def created_then_stopped(wikis, title: str, fields: dict[str, str]) -> None:
    """What a run stopped (Ctrl-C) after creating the record's pages leaves: the pages, on no
    list."""
    app = App(load_config(wikis.config))
    mapping = app.mapping("lieu")
    for wiki in ("fabmob", "movilab"):
        text = create.render_page(app, mapping, wiki, fields)
        wikis.site(wiki).save(Page(title, exists=False), text, "wikisync: import (lieu)",
                              create=True)


def test_a_rerun_of_an_interrupted_import_lists_the_records_it_created(wikis):
    rows = wikis.folder / "lieux.csv"
    rows.write_text(ROWS, encoding="utf-8")
    created_then_stopped(wikis, "Le Bercail",
                         {"nom": "Le Bercail", "ville": "Fontainebleau", "code_postal": "77300"})
    # a page of the same name with other fields is someone else's: never listed by import
    created_then_stopped(wikis, "La Ferme Partagée",
                         {"nom": "La Ferme Partagée", "ville": "Auxerre", "code_postal": "89000"})
    assert "Le Bercail" not in list_keys(wikis, "fabmob")
    dry = wikis.run("import", "lieu", str(rows), "--dry-run")
    assert dry.returncode == EXIT_OK, dry.stdout + dry.stderr
    assert "+* [[Le Bercail]]" in dry.stdout
    assert "Le Bercail" not in list_keys(wikis, "fabmob")
    done = wikis.run("import", "lieu", str(rows), "--yes")
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert "created 0 page(s)" in done.stdout
    for wiki in ("fabmob", "movilab"):
        assert list_keys(wikis, wiki).count("Le Bercail") == 1, wiki
        assert "La Ferme Partagée" not in list_keys(wikis, wiki), wiki
    again = wikis.run("import", "lieu", str(rows), "--yes")
    assert again.returncode == EXIT_OK
    assert "nothing to create: 2 record(s) skipped" in again.stdout
    for wiki in ("fabmob", "movilab"):
        assert list_keys(wikis, wiki).count("Le Bercail") == 1, wiki
