"""Whole commands run in process (click's CliRunner) on in-memory wikis (wikisync.memwiki): what
they print, their exit codes (CONTRACT), and what the wikis hold afterwards. The same commands
against real MediaWiki servers are in the ``*_wikis`` tests."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wikisync.cli import program
from wikisync.errors import EXIT_ATTENTION, EXIT_FAILED, EXIT_OK, EXIT_USAGE
from wikisync.memwiki import MemoryWiki, memory_factory

REPO = Path(__file__).resolve().parents[1]
SECTION = "Tiers Lieux intéressés"
LISTS = {"fabmob": "AMI Fabriques de Territoires", "movilab": "Fabriques de Territoire"}
CONFIG = f"""\
wikis:
  fabmob:
    api_url: https://wiki.lafabriquedesmobilites.fr/api.php
    username: Bot@wikisync
    password_env: WIKISYNC_FABMOB_PASSWORD
    interwiki: {{movilab: movilab}}
  movilab:
    api_url: https://movilab.org/api.php
    username: Bot@wikisync
    password_env: WIKISYNC_MOVILAB_PASSWORD
mappings_dir: {REPO / "mappings"}
templates_dir: {REPO / "page_templates"}
state_dir: state
lists:
  tiers-lieux-interesses:
    kind: lieu
    pages:
      fabmob: {{title: "{LISTS["fabmob"]}", section: "{SECTION}"}}
      movilab: {{title: "{LISTS["movilab"]}", section: "{SECTION}"}}
"""
WIP_MOVILAB = ("{{Tiers-Lieux\n|Titre=Le WIP\n|Code postal=14460\n|Ville=Colombelles\n"
               "|Site web=https://www.le-wip.com/\n}}\n== Le Lieu ==\nUne ancienne usine.")
WIP_FABMOB = ("{{Acteur\n|Titre=Le WIP\n|villes d'implantation=Colombelles\n"
              "|url=https://www.le-wip.com/\n}}\n== Présentation ==\nTiers-lieu à Colombelles.")
KONK = "{{Tiers-Lieux\n|Titre=Konk Ar Lab\n|Ville=Concarneau\n}}\nUn fablab."


def list_page(lines: str) -> str:
    return f"Intro.\n\n== {SECTION} ==\n{lines}<!-- fin -->\n\n== Contacts ==\nTexte."


def empty_wikis() -> dict[str, MemoryWiki]:
    """The two wikis with their list pages, and their templates' categories; their clocks
    start yesterday."""
    start = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    wikis = {"fabmob": MemoryWiki("fabmob", start=start,
                                  template_categories={"Acteur": "Acteur"}),
             "movilab": MemoryWiki("movilab", start=start,
                                   template_categories={"Tiers-Lieux": "Tiers-Lieux"})}
    for name, wiki in wikis.items():
        wiki.put(LISTS[name], list_page(""))
    return wikis


class Env:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.config = folder / "wikisync.yaml"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.wikis = empty_wikis()  # edited yesterday: nothing is stale, whatever the date
        self.wikis["fabmob"].put("Le WIP", WIP_FABMOB)
        self.wikis["fabmob"].put(LISTS["fabmob"], list_page("* [[Le WIP]] – Colombelles\n"))
        self.wikis["movilab"].put("Le WIP", WIP_MOVILAB)
        self.wikis["movilab"].put("Konk Ar Lab", KONK)
        self.wikis["movilab"].put(LISTS["movilab"], list_page(
            "* [[Le WIP]] – Colombelles\n* [[Konk Ar Lab]] – Concarneau\n"))

    def run(self, *args: str, input: str | None = None, wikis=None) -> Result:
        factory = memory_factory(self.wikis if wikis is None else wikis)
        return CliRunner().invoke(program, ["--config", str(self.config), *args], input=input,
                                  obj={"wiki_factory": factory})

    def text(self, wiki: str, title: str) -> str:
        return self.wikis[wiki].text(title)

    def lines(self, wiki: str) -> list[str]:
        """The list's lines on ``wiki``'s list page."""
        text = self.text(wiki, LISTS[wiki])
        section = text.split(f"== {SECTION} ==\n", 1)[1].split("<!-- fin -->", 1)[0]
        return section.splitlines()

    def edits(self) -> int:
        return sum(w.counts["edit"] for w in self.wikis.values())


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.setenv("WIKISYNC_FABMOB_PASSWORD", "not-a-real-password")
    monkeypatch.setenv("WIKISYNC_MOVILAB_PASSWORD", "not-a-real-password")
    monkeypatch.chdir(tmp_path)
    return Env(tmp_path)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A person at a terminal: the commands ask (CliRunner's input answers)."""
    monkeypatch.setattr("wikisync.cli.ui.is_interactive", lambda yes=False: not yes)


# --------------------------------------------------------------------------- show


def test_show_prints_the_fields_as_the_mapping_reads_them(env):
    result = env.run("show", "lieu", "le_WIP", "--wiki", "movilab")
    assert result.exit_code == EXIT_OK, result.output
    revid = env.wikis["movilab"].pages["Le WIP"][-1].revid
    assert result.stdout.startswith(f"movilab:Le WIP  (revision {revid}, ")
    assert "  code_postal         14460\n" in result.stdout
    assert "  ville               Colombelles\n" in result.stdout


def test_show_json_is_one_typed_document(env):
    result = env.run("show", "lieu", "Le WIP", "--wiki", "fabmob", "--json")
    assert result.exit_code == EXIT_OK, result.output
    doc = json.loads(result.stdout)
    assert doc["revid"] == env.wikis["fabmob"].pages["Le WIP"][-1].revid
    assert doc["url"] == "https://wiki.lafabriquedesmobilites.fr/wiki/Le_WIP"
    assert doc["fields"]["ville"] == "Colombelles" and doc["fields"]["themes"] is None
    assert "code_postal" not in doc["fields"]  # fabmob does not map it


def test_show_of_an_unknown_wiki_is_bad_usage(env):
    result = env.run("show", "lieu", "Le WIP", "--wiki", "movilb")
    assert result.exit_code == EXIT_USAGE
    assert "unknown wiki 'movilb'" in result.stderr and "movilab" in result.stderr


# --------------------------------------------------------------------------- set


def test_set_with_yes_changes_only_that_parameter(env):
    before = env.text("movilab", "Le WIP")
    result = env.run("set", "lieu", "Le WIP", "--wiki", "movilab", "--set", "code_postal=14461",
                     "--yes")
    assert result.exit_code == EXIT_OK, result.output
    saved = env.wikis["movilab"].pages["Le WIP"][-1]
    assert result.stdout == f"changed movilab:Le WIP (revision {saved.revid})\n"
    assert saved.text == before.replace("Code postal=14460", "Code postal=14461")
    assert saved.user == "Bot"
    assert env.wikis["movilab"].summaries[saved.revid] == "wikisync: mise à jour de « Code postal »"


def test_set_dry_run_prints_the_diff_and_writes_nothing(env):
    result = env.run("set", "lieu", "Le WIP", "--wiki", "movilab", "--set", "ville=Caen",
                     "--dry-run")
    assert result.exit_code == EXIT_OK, result.output
    assert "-|Ville=Colombelles\n+|Ville=Caen\n" in result.stdout
    assert env.edits() == 0 and "Ville=Colombelles" in env.text("movilab", "Le WIP")


@pytest.mark.parametrize(("answer", "said"), [("n\n", "Nothing was written.\n"),
                                             ("", "Aborted: nothing more was written.\n")],
                         ids=["no", "no answer"])
def test_set_at_a_terminal_writes_nothing_unless_the_person_says_yes(env, terminal, answer,
                                                                     said):
    before = env.text("movilab", "Le WIP")
    result = env.run("set", "lieu", "Le WIP", "--wiki", "movilab", "--set", "ville=Caen",
                     input=answer)
    assert result.exit_code == EXIT_FAILED
    assert "-|Ville=Colombelles\n+|Ville=Caen\n" in result.stderr  # shown where it is asked
    assert "Write this change to movilab:Le WIP? [y/N]: " in result.stderr
    assert result.stderr.endswith(said) and result.stdout == ""
    assert env.text("movilab", "Le WIP") == before and env.edits() == 0


def test_set_at_a_terminal_writes_when_the_person_says_yes(env, terminal):
    result = env.run("set", "lieu", "Le WIP", "--wiki", "movilab", "--set", "ville=Caen",
                     input="y\n")
    assert result.exit_code == EXIT_OK, result.output
    assert "|Ville=Caen\n" in env.text("movilab", "Le WIP")


def test_set_of_an_invalid_value_is_bad_input_and_writes_nothing(env):
    result = env.run("set", "lieu", "Le WIP", "--wiki", "movilab", "--set", "code_postal=144",
                     "--yes")
    assert result.exit_code == EXIT_USAGE
    assert "code_postal" in result.stderr
    assert env.edits() == 0


# --------------------------------------------------------------------------- new-lieu

MYNE = ("new-lieu", "La Myne", "--set", "ville=Villeurbanne", "--set", "code_postal=69100")


def test_new_lieu_with_yes_creates_both_pages_and_lists_them(env):
    result = env.run(*MYNE, "--yes")
    assert result.exit_code == EXIT_OK, result.output
    fabmob, movilab = env.wikis["fabmob"], env.wikis["movilab"]
    assert f"created fabmob:La Myne (revision {fabmob.pages['La Myne'][-1].revid})" \
        in result.stdout
    assert f"created movilab:La Myne (revision {movilab.pages['La Myne'][-1].revid})" \
        in result.stdout
    assert "added to list tiers-lieux-interesses on movilab:Fabriques de Territoire" \
        in result.stdout
    assert "|Ville=Villeurbanne\n" in movilab.text("La Myne")
    assert "|Code postal=69100\n" in movilab.text("La Myne")
    assert "|villes d'implantation=Villeurbanne\n" in fabmob.text("La Myne")
    assert fabmob.summaries[fabmob.pages["La Myne"][-1].revid] == \
        "wikisync: création de la fiche (lieu)"
    for wiki in LISTS:
        assert sum("La Myne" in line for line in env.lines(wiki)) == 1, env.lines(wiki)
    assert env.lines("movilab")[:2] == ["* [[Le WIP]] – Colombelles",
                                        "* [[Konk Ar Lab]] – Concarneau"]


def test_new_lieu_never_overwrites_an_existing_page(env):
    assert env.run(*MYNE, "--yes").exit_code == EXIT_OK
    edits = env.edits()
    again = env.run("new-lieu", "La Myne", "--set", "ville=Lyon", "--yes")
    assert again.exit_code == EXIT_USAGE
    assert "already exists" in again.stderr and "nothing was written" in again.stderr
    assert env.edits() == edits
    assert "|Ville=Villeurbanne\n" in env.text("movilab", "La Myne")


def test_new_lieu_dry_run_shows_pages_and_list_diffs_and_writes_nothing(env):
    result = env.run(*MYNE, "--dry-run")
    assert result.exit_code == EXIT_OK, result.output
    assert "=== fabmob:La Myne (new page)\n{{Acteur\n" in result.stdout
    assert "=== movilab:La Myne (new page)\n{{Tiers-Lieux\n" in result.stdout
    assert "=== list tiers-lieux-interesses on movilab:Fabriques de Territoire\n" in result.stdout
    assert "\n+* [[La Myne]]" in result.stdout
    assert env.edits() == 0
    assert "La Myne" not in env.wikis["fabmob"].pages


def test_new_lieu_without_a_terminal_needs_every_required_field(env):
    result = env.run("new-lieu", "La Myne")  # CliRunner's stdin is not a terminal
    assert result.exit_code == EXIT_USAGE
    assert "missing required field(s): ville" in result.stderr
    assert env.edits() == 0


#: the optional fields of the shipped lieu mapping, as new-lieu asks for them
OPTIONAL = ("code_postal", "adresse", "site_web", "email", "telephone", "description_courte",
            "description", "themes", "tags", "communautes", "reseaux", "referent",
            "contributeurs", "image", "coordonnees", "adherent", "statut")


@pytest.mark.parametrize("confirm", ["n", "y"])
def test_new_lieu_at_a_terminal_asks_for_the_fields_then_for_confirmation(env, terminal,
                                                                          confirm):
    # ville (required) first, then every optional field, Enter skipping one; a postcode that
    # is not valid is asked again
    answers = ["Villeurbanne", "691", "69100"] + [""] * (len(OPTIONAL) - 1) + [confirm]
    result = env.run("new-lieu", "La Myne", input="\n".join(answers) + "\n")
    assert result.stderr.startswith("Ville [ville; text]: Villeurbanne\n"
                                    "Code postal [code_postal; text, 5 digits; Enter to skip]: ")
    assert "'691' is not 5 digits" in result.stderr
    assert "Statut [statut; text; Enter to skip]: \n" in result.stderr  # the last one asked
    assert "+* [[La Myne]]\n" in result.stderr and "Write these pages? [y/N]: " in result.stderr
    if confirm == "n":
        assert result.exit_code == EXIT_FAILED
        assert env.edits() == 0 and "La Myne" not in env.wikis["movilab"].pages
    else:
        assert result.exit_code == EXIT_OK, result.output
        assert "|Code postal=69100\n|Ville=Villeurbanne\n" in env.text("movilab", "La Myne")
        assert "created movilab:La Myne" in result.stdout


# --------------------------------------------------------------------------- sync


def test_sync_first_run_makes_the_union_then_an_idle_run_changes_nothing(env):
    first = env.run("sync")
    assert first.exit_code == EXIT_OK, first.output
    assert "changed fabmob:AMI Fabriques de Territoires: wikisync: +1" in first.stdout
    assert env.lines("fabmob") == ["* [[Le WIP]] – Colombelles",
                                   "* [[movilab:Konk Ar Lab|Konk Ar Lab]] – Concarneau"]
    assert env.lines("movilab") == ["* [[Le WIP]] – Colombelles",
                                    "* [[Konk Ar Lab]] – Concarneau"]
    edits = env.edits()
    logins = sum(w.counts["login"] for w in env.wikis.values())
    assert logins == 2  # the first run wrote on both wikis
    idle = env.run("sync")
    assert idle.exit_code == EXIT_OK, idle.output
    assert idle.stdout == ""
    assert env.edits() == edits
    assert sum(w.counts["login"] for w in env.wikis.values()) == logins  # never logs in


def test_sync_carries_a_change_made_on_one_side(env):
    assert env.run("sync").exit_code == EXIT_OK
    movilab = env.wikis["movilab"]
    movilab.put(LISTS["movilab"], movilab.text(LISTS["movilab"]).replace(
        "* [[Konk Ar Lab]] – Concarneau\n", ""))
    fabmob = env.wikis["fabmob"]
    fabmob.put(LISTS["fabmob"], fabmob.text(LISTS["fabmob"]).replace(
        "– Colombelles\n", "– Colombelles (14)\n"))
    result = env.run("sync")
    assert result.exit_code == EXIT_OK, result.output
    assert env.lines("fabmob") == ["* [[Le WIP]] – Colombelles (14)"]
    assert env.lines("movilab") == ["* [[Le WIP]] – Colombelles (14)"]


def test_sync_leaves_a_conflict_to_a_person_and_exits_3(env):
    assert env.run("sync").exit_code == EXIT_OK
    for name, town in (("fabmob", "Caen"), ("movilab", "Hérouville")):
        wiki = env.wikis[name]
        wiki.put(LISTS[name], wiki.text(LISTS[name]).replace("– Colombelles", f"– {town}"))
    before = {name: env.lines(name) for name in LISTS}
    edits = env.edits()
    result = env.run("sync")
    assert result.exit_code == EXIT_ATTENTION, result.output
    assert "CONFLICT list tiers-lieux-interesses: 'Le WIP'" in result.stdout
    assert {name: env.lines(name) for name in LISTS} == before
    assert env.edits() == edits
    status = env.run("status", "--json")
    assert status.exit_code == EXIT_OK, status.output
    assert "Le WIP" in status.stdout


def test_sync_dry_run_json_is_one_document_and_writes_nothing(env):
    result = env.run("sync", "--dry-run", "--json")
    assert result.exit_code == EXIT_OK, result.output
    doc = json.loads(result.stdout)
    assert doc["dry_run"] is True
    changes = [c for lst in doc["lists"] for c in lst["changes"]]
    assert [c["wiki"] for c in changes] == ["fabmob"] and "+* [[movilab:Konk Ar Lab" \
        in changes[0]["diff"]
    assert env.edits() == 0


# --------------------------------------------------------------------------- export, import


def rows(text: str) -> list[dict[str, str]]:
    """CSV rows without what says when and in which revision a page was read."""
    found = list(csv.DictReader(io.StringIO(text)))
    for row in found:
        del row["revid"], row["last_edit"]
    return found


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_feeds_import_and_the_records_come_back_the_same(env, fmt):
    exported = env.run("export", "lieu", "--wiki", "movilab", "--format", fmt)
    assert exported.exit_code == EXIT_OK, exported.output
    path = env.folder / f"lieux.{fmt}"
    path.write_text(exported.stdout, encoding="utf-8")

    elsewhere = empty_wikis()  # the same records, imported into two empty wikis
    imported = env.run("import", "lieu", str(path), "--wiki", "movilab", "--yes",
                       wikis=elsewhere)
    assert imported.exit_code == EXIT_OK, imported.output
    # a lieu is listed on every list page, wherever its own pages are
    assert "created 2 page(s), skipped 0 existing record(s), 0 invalid row(s), " \
           "2 list page(s) edited" in imported.stdout
    assert "|Ville=Concarneau\n" in elsewhere["movilab"].text("Konk Ar Lab")

    again = env.run("export", "lieu", "--wiki", "movilab", "--format", "csv", wikis=elsewhere)
    original = env.run("export", "lieu", "--wiki", "movilab", "--format", "csv")
    assert rows(again.stdout) == rows(original.stdout)
    assert [r["title"] for r in rows(again.stdout)] == ["Konk Ar Lab", "Le WIP"]

    rerun = env.run("import", "lieu", str(path), "--wiki", "movilab", "--yes", wikis=elsewhere)
    assert rerun.exit_code == EXIT_OK, rerun.output
    assert "nothing to create: 2 record(s) skipped" in rerun.stdout


def test_import_dry_run_writes_nothing(env):
    path = env.folder / "lieux.csv"
    path.write_text("nom,ville\nLa Myne,Villeurbanne\nLe WIP,Colombelles\n", encoding="utf-8")
    result = env.run("import", "lieu", str(path), "--dry-run")
    assert result.exit_code == EXIT_OK, result.output
    assert "would create 1 record(s) (2 page(s)), skip 1 record(s)" in result.stdout
    assert env.edits() == 0


# --------------------------------------------------------------------------- audit, check


def test_audit_with_a_wiki_down_reports_the_other_and_exits_1(env):
    env.wikis["movilab"].put("Sans Ville", "{{Tiers-Lieux\n|Titre=Sans Ville\n}}")
    env.wikis["fabmob"].unreachable = "the connection was refused (is the wiki up?)"
    result = env.run("audit", "--format", "json")
    assert result.exit_code == EXIT_FAILED, result.output
    doc = json.loads(result.stdout)
    # what needs fabmob (only-on, list drift) cannot be told; movilab's own findings can
    assert [(f["code"], f["wiki"], f["title"], f["field"]) for f in doc["findings"]] == [
        ("missing-field", "movilab", "Sans Ville", "ville")]
    assert doc["failed_wikis"] == [
        {"wiki": "fabmob", "error": "fabmob: the connection was refused (is the wiki up?)"}]
    assert "error: audit incomplete: fabmob: the connection was refused" in result.stderr


def test_audit_of_both_wikis_reports_what_needs_a_person(env):
    result = env.run("audit", "--format", "csv")
    assert result.exit_code == EXIT_ATTENTION, result.output
    found = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(f["code"], f["wiki"], f["title"]) for f in found if f["code"] == "only-on"} == {
        ("only-on", "movilab", "Konk Ar Lab")}


def test_check_reports_each_wiki_and_its_lists(env):
    result = env.run("check")
    assert result.exit_code == EXIT_OK, result.output
    assert 'fabmob: ok  MediaWiki 1.39.0 (in memory)  "fabmob"  user Bot' in result.stdout
    assert "list tiers-lieux-interesses: movilab:Fabriques de Territoire § " \
           f"{SECTION}: 2 entries: Le WIP, Konk Ar Lab" in result.stdout


def test_check_names_the_wiki_that_fails_and_exits_1(env):
    env.wikis["movilab"].unreachable = "the host name was not found"
    result = env.run("check")
    assert result.exit_code == EXIT_FAILED
    assert "movilab: FAILED  movilab: the host name was not found" in result.stdout
    assert "fabmob: ok" in result.stdout


def test_the_program_is_the_command_line_with_its_errors_turned_into_exit_codes(env):
    from wikisync.cli import cli

    assert CliRunner().invoke(program, ["--help"]).output == \
        CliRunner().invoke(cli, ["--help"]).output
    result = env.run("show", "liue", "Le WIP", "--wiki", "movilab")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == "error: unknown kind 'liue' (did you mean 'lieu'?)\n"
