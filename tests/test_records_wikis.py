"""Structured pages against the two real local wikis (issue 3's acceptance tests)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pexpect
import pytest

from wikisync import wikitext
from wikisync.app import App
from wikisync.config import load_config
from wikisync.errors import (
    EXIT_ATTENTION,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    EditConflictError,
)
from wikisync.lists import to_list_entry
from wikisync.listsync import link_context

REPO = Path(__file__).resolve().parents[1]
ODD = "L'Atelier ’Vélo·Bricole' & Co"
AWKWARD = "Répare | bricole }} et {{ fête = joie 🚲 [[x|y]] {{!}}"
LISTS = {"fabmob": "AMI Fabriques de Territoires", "movilab": "Fabriques de Territoire"}


def list_keys(wikis, wiki: str) -> list[str]:
    ctx = link_context(load_config(wikis.config))
    listing = wikitext.read_list(wikis.text(wiki, LISTS[wiki]), "Tiers Lieux intéressés")
    return [to_list_entry(r, wiki, ctx).key for r in listing.entries]


def revisions(wikis) -> dict:
    titles = [ODD, *LISTS.values()]
    return {w: {t: p.revid for t, p in wikis.site(w).read(titles).items()} for w in LISTS}


def show(wikis, title: str, wiki: str) -> dict:
    result = wikis.run("show", "lieu", title, "--wiki", wiki, "--json")
    assert result.returncode == EXIT_OK, result.stderr
    return json.loads(result.stdout)["fields"]


def test_new_lieu_with_awkward_values_creates_both_pages_and_lists_it(wikis):
    result = wikis.run("new-lieu", ODD, "--set", "ville=Saint-Étienne", "--set",
                       f"description_courte={AWKWARD}", "--set", "code_postal=42000",
                       "--set", "themes=Vélo, Réemploi,Mobilité", "--yes")
    assert result.returncode == EXIT_OK, result.stderr
    assert f"created fabmob:{ODD}" in result.stdout
    assert f"created movilab:{ODD}" in result.stdout
    for wiki in ("fabmob", "movilab"):
        fields = show(wikis, ODD, wiki)
        assert fields["nom"] == ODD
        assert fields["ville"] == "Saint-Étienne"
        assert fields["description_courte"] == AWKWARD
        assert fields["themes"] == ["Vélo", "Réemploi", "Mobilité"]  # a list field: an array
        assert ODD in list_keys(wikis, wiki)
    assert show(wikis, ODD, "movilab")["code_postal"] == "42000"
    before = revisions(wikis)
    again = wikis.run("new-lieu", ODD, "--set", "ville=Saint-Étienne", "--yes")
    assert again.returncode == EXIT_USAGE
    assert "already exist" in again.stderr
    assert revisions(wikis) == before


def test_missing_required_field_without_a_terminal_exits_2(wikis):
    result = wikis.run("new-lieu", "La Fabrique Sans Ville")
    assert result.returncode == EXIT_USAGE
    assert "missing required field(s): ville" in result.stderr
    page = wikis.site("fabmob").read(["La Fabrique Sans Ville"])["La Fabrique Sans Ville"]
    assert not page.exists


def test_unknown_field_exits_2_naming_the_known_fields(wikis):
    result = wikis.run("new-lieu", "X", "--set", "vile=Lyon", "--yes")
    assert result.returncode == EXIT_USAGE
    assert "unknown field(s) for kind 'lieu': vile" in result.stderr
    assert "known fields: nom, ville, code_postal" in result.stderr


def test_invalid_value_exits_2(wikis):
    result = wikis.run("new-lieu", "Y", "--set", "ville=Lyon", "--set", "code_postal=1446",
                       "--yes")
    assert result.returncode == EXIT_USAGE
    assert "code_postal='1446'" in result.stderr


def test_prompts_work_under_a_real_pseudo_terminal(wikis):
    child = pexpect.spawn(
        sys.executable, ["-m", "wikisync", "--config", str(wikis.config), "new-lieu",
                         "La Forge ’Mobile'", "--set", "code_postal=13001"],
        cwd=str(wikis.folder), encoding="utf-8", timeout=60,
        dimensions=(1000, 200),  # the preview fits: no pager
    )
    child.expect(r"Ville \[ville; text\]: ")
    child.sendline("")  # empty: asked again
    child.expect(r"Ville \[ville; text\]: ")
    child.sendline("Marseille")
    while child.expect([r"Enter to skip\]: ", r"Write these pages\? \[y/N\]: "]) == 0:
        child.sendline("")  # the optional fields: skipped
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == EXIT_OK, child.before
    assert show(wikis, "La Forge ’Mobile'", "movilab")["ville"] == "Marseille"


def test_answering_no_writes_nothing(wikis):
    child = pexpect.spawn(
        sys.executable, ["-m", "wikisync", "--config", str(wikis.config), "new-lieu",
                         "Le Refus", "--set", "ville=Metz"],
        cwd=str(wikis.folder), encoding="utf-8", timeout=60,
        dimensions=(1000, 200),  # the preview fits: no pager
    )
    while child.expect([r"Enter to skip\]: ", r"Write these pages\? \[y/N\]: "]) == 0:
        child.sendline("")  # the optional fields: skipped
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == EXIT_FAILED
    assert not wikis.site("fabmob").read(["Le Refus"])["Le Refus"].exists


def test_a_protected_title_stops_halfway_with_a_clear_message_and_a_rerun_completes(wikis):
    movilab = wikis.farm.wikis["movilab"]
    movilab._php("protect.php", "--user", "Admin", "--reason", "test", "Le Lieu Protégé")
    result = wikis.run("new-lieu", "Le Lieu Protégé", "--set", "ville=Nantes", "--yes")
    assert result.returncode == EXIT_FAILED
    assert "refused to save 'Le Lieu Protégé'" in result.stderr
    assert "Done before the failure: created fabmob:Le Lieu Protégé" in result.stderr
    assert "run the same command again" in result.stderr
    movilab._php("protect.php", "--user", "Admin", "--unprotect", "--reason", "fin",
                 "Le Lieu Protégé")
    rerun = wikis.run("new-lieu", "Le Lieu Protégé", "--set", "ville=Nantes", "--yes")
    assert rerun.returncode == EXIT_OK, rerun.stderr
    assert "kept fabmob:Le Lieu Protégé (exists already, with these fields)" in rerun.stdout
    assert "created movilab:Le Lieu Protégé" in rerun.stdout
    for wiki in LISTS:
        assert list_keys(wikis, wiki).count("Le Lieu Protégé") == 1


def test_a_conflicting_list_edit_leaves_a_message_and_a_rerun_completes(wikis):
    from click.testing import CliRunner

    from wikisync.cli import cli

    app = App(load_config(wikis.config))
    site = app.site("movilab")
    real_save = site.save

    def someone_edits_first(page, text, summary, **kw):
        if page.title == LISTS["movilab"]:
            peer = wikis.peer("movilab")
            current = peer.read([page.title])[page.title]
            # a change around the point where wikisync appends: MediaWiki cannot merge them
            peer.save(current, current.text.replace(
                "Les Ateliers & Cie 🚲] – Amiens\n<!-- ajouter les nouveaux lieux ci-dessus -->",
                "Les Ateliers & Cie 🚲] – Amiens (80)\nUne phrase ajoutée."), "humain")
        return real_save(page, text, summary, **kw)

    site.save = someone_edits_first
    from wikisync import create
    from wikisync.records import parse_assignments

    mapping = app.mapping("lieu")
    fields = create.fields_for(mapping, "La Conflictuelle", parse_assignments(["ville=Caen"]))
    creation = create.plan_creation(app, mapping, "La Conflictuelle", fields, ["fabmob", "movilab"])
    with pytest.raises(EditConflictError) as info:
        create.execute(app, [creation], "test")
    assert "added to list tiers-lieux-interesses on fabmob" in str(info.value)
    assert "Une phrase ajoutée." in wikis.text("movilab", LISTS["movilab"])
    assert "La Conflictuelle" not in list_keys(wikis, "movilab")
    runner = CliRunner()
    rerun = runner.invoke(cli, ["--config", str(wikis.config), "new-lieu", "La Conflictuelle",
                                "--set", "ville=Caen", "--yes"])
    assert rerun.exit_code == 0, rerun.output
    assert list_keys(wikis, "movilab").count("La Conflictuelle") == 1
    assert list_keys(wikis, "fabmob").count("La Conflictuelle") == 1
    assert "Une phrase ajoutée." in wikis.text("movilab", LISTS["movilab"])


def test_set_changes_only_the_named_parameter(wikis):
    before = wikis.text("movilab", "Le WIP")
    dry = wikis.run("set", "lieu", "Le WIP", "--wiki", "movilab", "--set", "code_postal=14461",
                    "--dry-run")
    assert dry.returncode == EXIT_OK
    assert "-|Code postal=14460\n+|Code postal=14461\n" in dry.stdout
    assert wikis.text("movilab", "Le WIP") == before
    done = wikis.run("set", "lieu", "Le WIP", "--wiki", "movilab", "--set",
                     "site_web=https://le-wip.fr/?a=1&b=2", "--set", "code_postal=14461")
    assert done.returncode == EXIT_OK, done.stderr
    after = wikis.text("movilab", "Le WIP")
    assert after == before.replace("|Code postal=14460", "|Code postal=14461").replace(
        "|Site web=https://www.le-wip.com/", "|Site web=https://le-wip.fr/?a=1&b=2")


def test_set_refuses_a_field_the_wiki_does_not_map(wikis):
    result = wikis.run("set", "lieu", "Le WIP", "--wiki", "fabmob", "--set", "code_postal=14460")
    assert result.returncode == EXIT_USAGE
    assert "fabmob does not map field(s) code_postal" in result.stderr


def test_set_on_a_missing_page_exits_1(wikis):
    result = wikis.run("set", "lieu", "Nulle Part", "--wiki", "fabmob", "--set", "ville=X")
    assert result.returncode == EXIT_FAILED
    assert "no page 'Nulle Part'" in result.stderr


def test_import_creates_missing_records_and_a_rerun_skips_them(wikis):
    example = wikis.folder / "lieux.csv"
    example.write_text(
        "nom,ville,code_postal,description_courte\n"
        "Konk Ar Lab,Concarneau,29900,déjà là\n"
        "La Quincaillerie d’Aubusson,Aubusson,23200,\"Atelier | fablab = {{mobile}}\"\n"
        "Le Bercail,Fontainebleau,77300,\n", encoding="utf-8")
    dry = wikis.run("import", "lieu", str(example), "--dry-run")
    assert dry.returncode == EXIT_OK
    assert "create Le Bercail on fabmob, movilab" in dry.stdout
    assert not wikis.site("fabmob").read(["Le Bercail"])["Le Bercail"].exists
    done = wikis.run("import", "lieu", str(example), "--yes")
    assert done.returncode == EXIT_OK, done.stderr
    assert "created 4 page(s), skipped 1 existing record(s)" in done.stdout
    assert show(wikis, "La Quincaillerie d’Aubusson", "movilab")["description_courte"] == (
        "Atelier | fablab = {{mobile}}")
    assert list_keys(wikis, "fabmob").count("Le Bercail") == 1
    again = wikis.run("import", "lieu", str(example), "--yes")
    assert again.returncode == EXIT_OK
    assert "skip Le Bercail (exists already)" in again.stdout


def test_import_with_an_invalid_row_writes_nothing(wikis):
    bad = wikis.folder / "bad.csv"
    bad.write_text("nom,ville,code_postal\nLa Ferme,Toucy,1446\nLe Bon,Metz,57000\n")
    result = wikis.run("import", "lieu", str(bad), "--yes")
    assert result.returncode == EXIT_USAGE
    assert "invalid row 2 (La Ferme):" in result.stdout
    assert not wikis.site("fabmob").read(["Le Bon"])["Le Bon"].exists


def test_the_shipped_example_file_plans_cleanly(wikis):
    result = wikis.run("import", "lieu", str(REPO / "examples" / "fabriques-de-territoire.csv"),
                       "--dry-run")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert result.stdout.count("\ncreate ") + result.stdout.startswith("create ") >= 20


def test_export_csv_and_json_hold_the_same_records(wikis):
    as_csv = wikis.run("export", "lieu", "--wiki", "movilab")
    as_json = wikis.run("export", "lieu", "--wiki", "movilab", "--format", "json")
    assert as_csv.returncode == as_json.returncode == EXIT_ATTENTION  # a page is not a record
    assert "1 page(s) of kind 'lieu' skipped" in as_csv.stderr
    assert "movilab:Tiers Lieux Libres et Open Source: the page has no {{Tiers-Lieux}} call" in (
        as_csv.stderr)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    typed = json.loads(as_json.stdout)
    assert [r["title"] for r in rows] == [r["title"] for r in typed]
    for row, doc in zip(rows, typed, strict=True):  # JSON is typed: integers, arrays, null
        assert doc["revid"] == int(row["revid"])
        assert doc["themes"] == ([t.strip() for t in row["themes"].split(",") if t.strip()]
                                 or None)
        assert doc["adresse"] == (row["adresse"] or None)
        assert doc["last_edit"] == row["last_edit"]
    wip = next(r for r in rows if r["title"] == "Le WIP")
    assert wip["code_postal"] == "14460"
    assert wip["wiki"] == "movilab"
    assert int(wip["revid"]) > 0
    titles = {r["title"] for r in rows}
    assert "Tiers Lieux Libres et Open Source" not in titles  # no template: not a record
    assert {"Le WIP", "La Myne", "Konk Ar Lab", "La Machinerie"} <= titles


def test_set_changes_a_parameter_a_person_wrote_with_an_underscore(wikis):
    """Issue 12: reading matched ``code_postal`` to the mapping's ``Code postal``, writing did
    not, and ``set`` appended a second parameter."""
    text = wikis.text("movilab", "La Myne").replace("|Code postal=69100", "|code_postal=69100")
    wikis.peer("movilab").save(wikis.peer("movilab").read(["La Myne"])["La Myne"], text,
                               "paramètre écrit à la main")
    assert show(wikis, "La Myne", "movilab")["code_postal"] == "69100"
    result = wikis.run("set", "lieu", "La Myne", "--wiki", "movilab", "--set",
                       "code_postal=69001")
    assert result.returncode == EXIT_OK, result.stderr
    assert wikis.text("movilab", "La Myne") == text.replace("69100", "69001")
    assert show(wikis, "La Myne", "movilab")["code_postal"] == "69001"


def _peer_edit(wikis, wiki: str, title: str, text: str) -> None:
    peer = wikis.peer(wiki)
    peer.save(peer.read([title])[title], text, "modification à la main")


def test_a_record_after_a_banner_is_read_written_exported_and_audited_as_any(wikis):
    """Issue 12: ``{{Ebauche}}`` then ``{{Tiers-Lieux|…}}``, as many real pages start."""
    text = "{{Ebauche}}\n<!-- fiche à compléter -->\n" + wikis.text("movilab", "La Myne")
    _peer_edit(wikis, "movilab", "La Myne", text)
    assert show(wikis, "La Myne", "movilab")["ville"] == "Villeurbanne"
    done = wikis.run("set", "lieu", "La Myne", "--wiki", "movilab", "--set", "statut=Ouvert")
    assert done.returncode == EXIT_OK, done.stderr
    after = wikis.text("movilab", "La Myne")
    assert after.startswith("{{Ebauche}}\n<!-- fiche à compléter -->\n{{Tiers-Lieux\n")
    assert show(wikis, "La Myne", "movilab")["statut"] == "Ouvert"
    export = wikis.run("export", "lieu", "--wiki", "movilab", "--format", "json")
    assert "La Myne" in {row["title"] for row in json.loads(export.stdout)}
    assert "La Myne" not in export.stderr
    audit = wikis.run("audit", "--kind", "lieu", "--wiki", "movilab", "--format", "json")
    findings = json.loads(audit.stdout)["findings"]
    assert [f for f in findings if f["title"] == "La Myne"] == []


def test_a_page_with_two_calls_is_named_with_the_count_by_show_export_and_audit(wikis):
    text = wikis.text("movilab", "La Myne")
    _peer_edit(wikis, "movilab", "La Myne", "{{Tiers-Lieux|Titre=La Myne bis}}\n" + text)
    shown = wikis.run("show", "lieu", "La Myne", "--wiki", "movilab")
    assert shown.returncode == EXIT_USAGE
    assert "movilab:La Myne: the {{Tiers-Lieux}} call appears 2 times" in shown.stderr
    export = wikis.run("export", "lieu", "--wiki", "movilab")
    assert export.returncode == EXIT_ATTENTION
    assert "2 page(s) of kind 'lieu' skipped" in export.stderr
    assert "movilab:La Myne: the {{Tiers-Lieux}} call appears 2 times on the page (lines 1, 2)" in (
        export.stderr)
    assert "La Myne" not in {row["title"] for row in csv.DictReader(io.StringIO(export.stdout))}
    audit = wikis.run("audit", "--kind", "lieu", "--wiki", "movilab", "--format", "json")
    [finding] = [f for f in json.loads(audit.stdout)["findings"] if f["title"] == "La Myne"]
    assert finding["code"] == "missing-template"
    assert "appears 2 times" in finding["detail"]


def test_a_list_entrys_link_names_the_title_mediawiki_links_it_to(wikis):
    """Escapes and character references in a link's target (``[[Le%20WIP]]``,
    ``[[Les Ateliers &amp; Cie]]``) name the page MediaWiki's own parser links to: the key
    of the entry is that title, so the same lieu written two ways is one entry."""
    from tests.test_titles import WIKILINK_TARGETS

    targets = [target for target, _title in WIKILINK_TARGETS]
    parsed = wikis.site("fabmob").call({
        "action": "parse", "title": "Essai", "contentmodel": "wikitext", "prop": "links",
        "text": "\n".join(f"* [[{target}]]" for target in targets)})
    linked = {link["title"] for link in parsed["parse"]["links"]}
    ctx = link_context(load_config(wikis.config))
    keys = {to_list_entry(wikitext.read_entry(f"* [[{target}]]\n"), "fabmob", ctx).key
            for target in targets}
    assert keys == linked
    assert keys == {title for _target, title in WIKILINK_TARGETS}
