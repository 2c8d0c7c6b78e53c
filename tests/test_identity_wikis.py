"""One lieu titled differently on each wiki ("WIP Colombelles" on FabMob, "Le WIP" on Movilab),
made one record by the mapping's ``same:`` (issue 12), against the two real local wikis."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
import yaml

from wikisync.errors import EXIT_OK

LIST = {"fabmob": "AMI Fabriques de Territoires", "movilab": "Fabriques de Territoire"}
SECTION = "Tiers Lieux intéressés"
PAIR_LINE = '\nsame: [{fabmob: "WIP Colombelles", movilab: "Le WIP"}]\n'
WIP_FABMOB = ("{{Acteur\n|Titre=WIP Colombelles\n|villes d'implantation=Colombelles\n"
              "|url=https://www.le-wip.com/\n|Adherent=non\n}}\nTiers-lieu à Colombelles.\n")


def save(wikis, wiki: str, title: str, text: str) -> None:
    peer = wikis.peer(wiki)
    page = peer.read([title])[title]
    peer.save(page, text, "modification humaine", create=not page.exists)


def section(wikis, wiki: str) -> str:
    text = wikis.text(wiki, LIST[wiki])
    return text.split(f"== {SECTION} ==", 1)[1].split("\n== ", 1)[0]


def with_lieu_mapping(wikis, extra: str = "") -> None:
    """The mappings in a folder of the test's own, ``extra`` appended to the lieu's."""
    config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    folder = wikis.folder / "mappings"
    shutil.copytree(config["mappings_dir"], folder)
    with (folder / "lieu.yaml").open("a", encoding="utf-8") as out:
        out.write(extra)
    config["mappings_dir"] = str(folder)
    wikis.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def with_pair(wikis, pair: bool) -> None:
    """The mappings (with the ``same:`` pair or not) in a folder of the test's own."""
    with_lieu_mapping(wikis, PAIR_LINE if pair else "")


@pytest.fixture
def wip(wikis):
    """FabMob's page of the WIP is "WIP Colombelles" (its old title a redirect), and its list
    links to it."""
    save(wikis, "fabmob", "WIP Colombelles", WIP_FABMOB)
    save(wikis, "fabmob", "Le WIP", "#REDIRECTION [[WIP Colombelles]]\n")
    text = wikis.text("fabmob", LIST["fabmob"])
    old = "* [https://movilab.org/wiki/Le_WIP Le WIP] – Colombelles\n"
    assert old in text
    save(wikis, "fabmob", LIST["fabmob"],
         text.replace(old, "* [[WIP Colombelles]] – Colombelles\n"))
    return wikis


@pytest.mark.parametrize("pair", [True, False], ids=["same", "without-same"])
def test_lists_hold_one_entry_per_lieu_each_linking_to_its_own_title(wip, pair):
    with_pair(wip, pair)
    result = wip.run("sync", "--list", "tiers-lieux-interesses")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    fab, mov = section(wip, "fabmob"), section(wip, "movilab")
    if not pair:  # today's behaviour without the pair: two lieux, each added to the other page
        assert "[[Le WIP]]" in fab
        assert "WIP Colombelles" in mov
        return
    assert fab.count("WIP") == 1 and "* [[WIP Colombelles]] – Colombelles\n" in fab
    assert mov.count("WIP") == 1 and "* [[Le WIP]] – Colombelles\n" in mov
    again = wip.run("sync", "--list", "tiers-lieux-interesses")
    assert again.returncode == EXIT_OK and "changed" not in again.stdout


def test_a_removal_on_one_wiki_removes_the_lieu_under_the_other_title(wip):
    with_pair(wip, True)
    assert wip.run("sync").returncode == EXIT_OK
    mov = wip.text("movilab", LIST["movilab"])
    save(wip, "movilab", LIST["movilab"], mov.replace("* [[Le WIP]] – Colombelles\n", ""))
    assert "Le WIP" not in section(wip, "movilab")
    result = wip.run("sync", "--list", "tiers-lieux-interesses")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "WIP Colombelles" not in section(wip, "fabmob")  # removed on movilab: gone everywhere
    assert "WIP" not in section(wip, "movilab")


def test_fields_sync_between_the_two_titles(wip):
    with_pair(wip, True)
    first = wip.run("sync")
    assert first.returncode == EXIT_OK, first.stdout + first.stderr
    page = wip.peer("movilab").read(["Le WIP"])["Le WIP"]
    save(wip, "movilab", "Le WIP",
         page.text.replace("|Ville=Colombelles\n", "|Ville=Colombelles (Calvados)\n"))
    result = wip.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "changed fabmob:WIP Colombelles" in result.stdout
    assert "|villes d'implantation=Colombelles (Calvados)\n" in wip.text("fabmob",
                                                                          "WIP Colombelles")


def audit_findings(wikis) -> list[dict]:
    proc = wikis.run("audit", "--kind", "lieu", "--stale-days", "100000", "--format", "json")
    return json.loads(proc.stdout)["findings"]


def test_the_audit_suggests_the_pair_then_counts_one_record(wip):
    with_pair(wip, False)
    only = {f["title"]: f["detail"] for f in audit_findings(wip) if f["code"] == "only-on"}
    line = 'same: [{fabmob: "WIP Colombelles", movilab: "Le WIP"}]'
    assert line in only["WIP Colombelles"]
    assert "La Machinerie" in only and "same:" not in only["La Machinerie"]
    (wip.folder / "mappings" / "lieu.yaml").open("a", encoding="utf-8").write("\n" + line + "\n")
    after = audit_findings(wip)
    assert not [f for f in after if f["code"] == "only-on" and "WIP" in f["title"]]
    export = wip.run("export", "lieu", "--format", "json")
    rows = {(r["wiki"], r["title"]): r["record"] for r in json.loads(export.stdout)}
    assert rows[("fabmob", "WIP Colombelles")] == rows[("movilab", "Le WIP")]
    as_csv = list(csv.DictReader(io.StringIO(wip.run("export", "lieu").stdout)))
    assert {r["record"] for r in as_csv if r["title"] in ("WIP Colombelles", "Le WIP")} == {
        "WIP Colombelles"}


def test_a_fiche_naming_its_title_on_the_other_wiki_is_one_record(wip):
    """A Movilab fiche's "Page FabMob" parameter (the mapping's ``counterparts``) pairs it with
    that FabMob page, as ``same:`` would: fields sync, one record for the audit and export."""
    with_pair(wip, False)
    path = wip.folder / "mappings" / "lieu.yaml"
    mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    mapping["wikis"]["movilab"]["counterparts"] = {"fabmob": "Page FabMob"}
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    page = wip.peer("movilab").read(["Le WIP"])["Le WIP"]
    named = "|Ville=Colombelles\n|Page FabMob=WIP Colombelles\n"
    save(wip, "movilab", "Le WIP", page.text.replace("|Ville=Colombelles\n", named))
    assert not [f for f in audit_findings(wip) if f["code"] == "only-on" and "WIP" in f["title"]]
    rows = {(r["wiki"], r["title"]): r["record"]
            for r in json.loads(wip.run("export", "lieu", "--format", "json").stdout)}
    assert rows[("fabmob", "WIP Colombelles")] == rows[("movilab", "Le WIP")]
    assert wip.run("sync").returncode == EXIT_OK
    set_ville = wip.text("movilab", "Le WIP").replace("|Ville=Colombelles\n",
                                                      "|Ville=Colombelles (14)\n")
    save(wip, "movilab", "Le WIP", set_ville)
    result = wip.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "|villes d'implantation=Colombelles (14)\n" in wip.text("fabmob", "WIP Colombelles")


def test_new_lieu_creates_each_wikis_own_title_and_lists_it_once(wikis):
    with_pair(wikis, False)
    line = '\nsame: [{fabmob: "Atelier Vélo Caen", movilab: "L\'Atelier Vélo (Caen)"}]\n'
    with (wikis.folder / "mappings" / "lieu.yaml").open("a", encoding="utf-8") as out:
        out.write(line)
    result = wikis.run("new-lieu", "Atelier Vélo Caen", "--set", "ville=Caen", "--yes")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "created fabmob:Atelier Vélo Caen" in result.stdout
    assert "created movilab:L'Atelier Vélo (Caen)" in result.stdout
    assert "[[Atelier Vélo Caen]]" in section(wikis, "fabmob")
    assert "[[L'Atelier Vélo (Caen)]]" in section(wikis, "movilab")
    assert "Atelier Vélo Caen" not in section(wikis, "movilab")
    sync = wikis.run("sync", "--list", "tiers-lieux-interesses")
    assert sync.returncode == EXIT_OK, sync.stdout + sync.stderr
    assert section(wikis, "movilab").count("Atelier Vélo") == 1
    assert section(wikis, "fabmob").count("Atelier Vélo") == 1


def test_import_creates_each_wikis_own_title_and_skips_it_once_there(wikis):
    with_pair(wikis, False)
    line = '\nsame: [{fabmob: "Atelier Vélo Caen", movilab: "L\'Atelier Vélo (Caen)"}]\n'
    with (wikis.folder / "mappings" / "lieu.yaml").open("a", encoding="utf-8") as out:
        out.write(line)
    rows = wikis.folder / "lieux.csv"
    rows.write_text("nom,ville\nAtelier Vélo Caen,Caen\n", encoding="utf-8")
    result = wikis.run("import", "lieu", str(rows), "--yes")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    for wiki, title in (("fabmob", "Atelier Vélo Caen"), ("movilab", "L'Atelier Vélo (Caen)")):
        assert "|Titre=Atelier Vélo Caen" in wikis.text(wiki, title)
    again = wikis.run("import", "lieu", str(rows), "--yes")
    assert again.returncode == EXIT_OK, again.stdout + again.stderr
    page = wikis.site("movilab").read(["Atelier Vélo Caen"])["Atelier Vélo Caen"]
    assert not page.exists
