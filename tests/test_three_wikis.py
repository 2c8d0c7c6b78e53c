"""Nothing assumes exactly two wikis: a list kept on three pages, by the real executor (read, plan,
render, edit, state) against in-memory wikis (:mod:`wikisync.memwiki`; the API URLs are never
reached, they only give each wiki its article URLs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wikisync import wikitext
from wikisync.app import App
from wikisync.config import load_config
from wikisync.fieldsync import sync_kind
from wikisync.listsync import sync_list
from wikisync.memwiki import MemoryWiki
from wikisync.state import State

REPO = Path(__file__).resolve().parents[1]
SECTION = "Tiers Lieux intéressés"
TITLES = {"fabmob": "AMI Fabriques de Territoires", "movilab": "Fabriques de Territoire",
          "tiers": "Alliance mobilité"}
CONFIG = f"""
wikis:
  fabmob:
    api_url: https://wiki.lafabriquedesmobilites.fr/api.php
    username: Bot@wikisync
    password_env: NONE
    interwiki: {{movilab: movilab}}
  movilab:
    api_url: https://movilab.org/api.php
    username: Bot@wikisync
    password_env: NONE
  tiers:
    api_url: https://tiers.example.org/api.php
    username: Bot@wikisync
    password_env: NONE
mappings_dir: {REPO / "mappings"}
state_dir: state
lists:
  tl:
    kind: lieu
    pages:
      fabmob: {{title: "{TITLES["fabmob"]}", section: "{SECTION}"}}
      movilab: {{title: "{TITLES["movilab"]}", section: "{SECTION}"}}
      tiers: {{title: "{TITLES["tiers"]}", section: "{SECTION}"}}
"""


class Three:
    def __init__(self, folder: Path) -> None:
        (folder / "wikisync.yaml").write_text(CONFIG, encoding="utf-8")
        config = load_config(folder / "wikisync.yaml")
        self.wikis = {name: MemoryWiki(name) for name in TITLES}
        self.app = App(config, _sites=dict(self.wikis))
        self.lst = config.list_named("tl")
        self.state = State(folder / "state")

    def page(self, wiki: str, lines: str, *lieux: str) -> None:
        for lieu in lieux:
            self.wikis[wiki].put(lieu, "{{Acteur}}")
        self.wikis[wiki].put(TITLES[wiki], f"Intro.\n\n== {SECTION} ==\n{lines}\n== Fin ==\n")

    def lines(self, wiki: str) -> list[str]:
        text = self.wikis[wiki].text(TITLES[wiki])
        return [e.text.rstrip("\n") for e in wikitext.read_list(text, SECTION).entries]

    def edit(self, wiki: str, old: str, new: str) -> None:
        text = self.wikis[wiki].text(TITLES[wiki])
        assert old in text
        self.wikis[wiki].put(TITLES[wiki], text.replace(old, new))

    def sync(self):
        return sync_list(self.app, self.lst, self.state, dry_run=False, allow_empty=False)


@pytest.fixture
def three(tmp_path: Path) -> Three:
    three = Three(tmp_path)
    three.page("fabmob", "* [[Le WIP]] – Caen\n", "Le WIP", "La Myne")
    three.page("movilab", "* [[Le WIP]] – Caen\n* [[Konk Ar Lab]]\n", "Le WIP", "Konk Ar Lab")
    three.page("tiers", "* [[Gare Vivante]] – Lyon\n", "Gare Vivante")
    return three


def test_a_list_on_three_wikis_is_made_one_with_links_for_each(three):
    result = three.sync()
    assert result.error is None and result.conflicts == []
    assert three.lines("fabmob") == [
        "* [[Le WIP]] – Caen",
        "* [[movilab:Konk Ar Lab|Konk Ar Lab]]",
        "* [https://tiers.example.org/wiki/Gare_Vivante Gare Vivante] – Lyon",
    ]
    assert three.lines("movilab") == [
        "* [[Le WIP]] – Caen",
        "* [[Konk Ar Lab]]",
        "* [https://tiers.example.org/wiki/Gare_Vivante Gare Vivante] – Lyon",
    ]
    assert three.lines("tiers") == [
        "* [[Gare Vivante]] – Lyon",
        "* [https://wiki.lafabriquedesmobilites.fr/wiki/Le_WIP Le WIP] – Caen",
        "* [https://movilab.org/wiki/Konk_Ar_Lab Konk Ar Lab]",
    ]
    edits = sum(w.counts["edit"] for w in three.wikis.values())
    assert edits == 3  # one per page
    assert three.sync().changes == []


def test_a_removal_on_one_of_three_pages_reaches_the_other_two(three):
    three.sync()
    three.edit("tiers", "* [https://movilab.org/wiki/Konk_Ar_Lab Konk Ar Lab]\n", "")
    result = three.sync()
    assert result.conflicts == []
    for wiki in TITLES:
        assert not any("Konk Ar Lab" in line for line in three.lines(wiki)), wiki


def test_two_of_three_pages_changing_an_entry_differently_is_a_conflict_left_alone(three):
    three.sync()
    three.edit("fabmob", "* [[Le WIP]] – Caen", "* [[Le WIP]] – Colombelles")
    three.edit("tiers", "Le WIP] – Caen", "Le WIP] – Caen (14)")
    before = {w: three.lines(w) for w in TITLES}
    result = three.sync()
    assert [c.key for c in result.conflicts] == ["Le WIP"]
    assert {w: three.lines(w) for w in TITLES} == before


MAPPING = """
kind: lieu
title: "{nom}"
fields:
  nom: {required: true}
  ville: {}
wikis:
  fabmob: {template: Acteur, category: Acteur, params: {nom: Titre, ville: "villes d'implantation"}}
  movilab: {template: Tiers-Lieux, category: Tiers-Lieux, params: {nom: Titre, ville: Ville}}
  tiers: {template: Lieu, category: Lieux, params: {nom: Nom, ville: Commune}}
sync: [ville]
"""
RECORD = {"fabmob": "{{{{Acteur|Titre=Le WIP|villes d'implantation={}}}}}\nTexte.",
          "movilab": "{{{{Tiers-Lieux|Titre=Le WIP|Ville={}}}}}\nTexte.",
          "tiers": "{{{{Lieu|Nom=Le WIP|Commune={}}}}}\nTexte."}
CATEGORY = {"fabmob": "Acteur", "movilab": "Tiers-Lieux", "tiers": "Lieux"}


@pytest.fixture
def fields(tmp_path: Path):
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "lieu.yaml").write_text(MAPPING, encoding="utf-8")
    config = CONFIG.replace(str(REPO / "mappings"), str(tmp_path / "mappings"))
    (tmp_path / "wikisync.yaml").write_text(config, encoding="utf-8")
    three = Three.__new__(Three)
    three.wikis = {name: MemoryWiki(name) for name in TITLES}
    three.app = App(load_config(tmp_path / "wikisync.yaml"), _sites=dict(three.wikis))
    three.state = State(tmp_path / "state")
    for name, wiki in three.wikis.items():
        wiki.put("Le WIP", RECORD[name].format("Caen"))
        wiki.categories[CATEGORY[name]] = {"Le WIP"}
    return three


def ville(three: Three, wiki: str) -> str:
    """The town the record's last parameter holds on ``wiki``."""
    return three.wikis[wiki].text("Le WIP").split("=")[-1].split("}}")[0]


def test_a_record_field_changed_on_one_of_three_wikis_reaches_the_other_two(fields):
    mapping = fields.app.mapping("lieu")
    assert sync_kind(fields.app, mapping, fields.state, dry_run=False).changes == []
    fields.wikis["tiers"].put("Le WIP", RECORD["tiers"].format("Colombelles"))
    result = sync_kind(fields.app, mapping, fields.state, dry_run=False)
    assert sorted(c.wiki for c in result.changes) == ["fabmob", "movilab"]
    assert {w: ville(fields, w) for w in TITLES} == dict.fromkeys(TITLES, "Colombelles")
    assert fields.wikis["movilab"].text("Le WIP").endswith("\nTexte.")

    fields.wikis["fabmob"].put("Le WIP", RECORD["fabmob"].format("Caen"))
    fields.wikis["movilab"].put("Le WIP", RECORD["movilab"].format("Hérouville"))
    conflicted = sync_kind(fields.app, mapping, fields.state, dry_run=False)
    assert [key for key, _ in conflicted.conflicts] == ["Le WIP"]
    assert conflicted.changes == []
    assert {w: ville(fields, w) for w in TITLES} == {
        "fabmob": "Caen", "movilab": "Hérouville", "tiers": "Colombelles"}
