"""At the terminal, against the two real local wikis (issue 14): previews and questions on a
real pseudo-terminal, edit summaries, prompts that know the mapping."""

from __future__ import annotations

import os
import shlex
import sys

import pexpect

from wikisync.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def spawn(wikis, *args: str, shell_suffix: str = "") -> pexpect.spawn:
    """``wikisync --config CONFIG ARGS`` on a pseudo-terminal tall enough for every preview (no
    pager), through a shell when ``shell_suffix`` redirects a stream, with this process's
    environment (no WIKISYNC_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKISYNC_")}
    env["NO_COLOR"] = "1"
    argv = [sys.executable, "-m", "wikisync", "--config", str(wikis.config), *args]
    if shell_suffix:
        return pexpect.spawn("/bin/sh", ["-c", shlex.join(argv) + " " + shell_suffix],
                             cwd=str(wikis.folder), encoding="utf-8", timeout=60, env=env,
                             dimensions=(1000, 200))
    return pexpect.spawn(sys.executable, argv[1:], cwd=str(wikis.folder), encoding="utf-8",
                         timeout=60, env=env, dimensions=(1000, 200))


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def last_comment(wikis, wiki: str, title: str) -> str:
    data = wikis.site(wiki).call({"action": "query", "prop": "revisions", "titles": title,
                                  "rvprop": "comment"})
    return data["query"]["pages"][0]["revisions"][0]["comment"]


# --------------------------------------------------------------------------- set


def test_set_at_a_terminal_shows_the_diff_and_writes_nothing_when_told_no(wikis):
    before = wikis.text("movilab", "Le WIP")
    child = spawn(wikis, "set", "lieu", "Le WIP", "--wiki", "movilab", "--set",
                  "code_postal=14461")
    child.expect_exact("-|Code postal=14460")
    child.expect_exact("+|Code postal=14461")
    child.expect_exact("Write this change to movilab:Le WIP? [y/N]: ")
    child.sendline("n")
    assert finish(child) == EXIT_FAILED
    assert wikis.text("movilab", "Le WIP") == before


def test_set_at_a_terminal_writes_when_told_yes_with_a_summary_naming_the_parameter(wikis):
    child = spawn(wikis, "set", "lieu", "Le WIP", "--wiki", "movilab", "--set",
                  "code_postal=14461", "--set", "telephone=02 31 00 00 00")
    child.expect_exact("Write this change to movilab:Le WIP? [y/N]: ")
    child.sendline("y")
    assert finish(child) == EXIT_OK, child.before
    assert "|Code postal=14461" in wikis.text("movilab", "Le WIP")
    assert last_comment(wikis, "movilab", "Le WIP") == (
        "wikisync: mise à jour de « Code postal », « Téléphone »")


def test_set_yes_asks_nothing_and_summary_is_the_one_given(wikis):
    done = wikis.run("set", "lieu", "Le WIP", "--wiki", "movilab", "--set", "code_postal=14461",
                     "--yes", "--summary", "code postal corrigé (courrier de la mairie)")
    assert done.returncode == EXIT_OK, done.stderr
    assert "Write this change" not in done.stderr
    assert last_comment(wikis, "movilab", "Le WIP") == "code postal corrigé (courrier de la mairie)"


def test_new_lieu_summary_option_is_the_pages_summary(wikis):
    done = wikis.run("new-lieu", "La Fabrique du Coin", "--set", "ville=Caen", "--wiki",
                     "movilab", "--yes", "--summary", "nouvelle fiche (atelier du 3 mars)")
    assert done.returncode == EXIT_OK, done.stderr
    assert last_comment(wikis, "movilab", "La Fabrique du Coin") == (
        "nouvelle fiche (atelier du 3 mars)")


# --------------------------------------------------------------------------- new-lieu prompts


def test_new_lieu_on_a_taken_title_says_so_before_any_prompt(wikis):
    child = spawn(wikis, "new-lieu", "Konk Ar Lab")
    index = child.expect(["already exist", r"\]: "])
    assert index == 0, "asked a question before saying the lieu exists"
    assert finish(child) == EXIT_USAGE


def test_new_lieu_prompts_every_mapped_field_required_first_and_validates_each(wikis):
    child = spawn(wikis, "new-lieu", "La Forge du Coin", "--wiki", "movilab")
    child.expect_exact("Ville [ville; text]: ")
    child.sendline("")  # required: asked again
    child.expect_exact("ville is required")
    child.expect_exact("Ville [ville; text]: ")
    child.sendline("Caen")
    child.expect_exact("Code postal [code_postal; text, 5 digits; Enter to skip]: ")
    child.sendline("1446")
    child.expect_exact("'1446' is not 5 digits")
    child.expect_exact("Code postal [code_postal; text, 5 digits; Enter to skip]: ")
    child.sendline("14000")
    child.expect_exact("Adresse [adresse; text; Enter to skip]: ")
    child.sendline("")  # skipped
    child.expect_exact("Site web [site_web; a web address (https://...); Enter to skip]: ")
    child.sendline("pas une adresse")
    child.expect_exact("is not a web address")
    child.expect_exact("Site web [site_web; a web address (https://...); Enter to skip]: ")
    child.sendline("https://forge.example.org/")
    for _ in range(30):  # the other optional fields: all skipped
        if child.expect([r"Enter to skip\]: ", r"Write these pages\? \[y/N\]: "]) == 1:
            break
        child.sendline("")
    child.sendline("y")
    assert finish(child) == EXIT_OK, child.before
    text = wikis.text("movilab", "La Forge du Coin")
    assert "|Code postal=14000" in text
    assert "|Site web=https://forge.example.org/" in text
    assert "|Adresse=" not in text or "|Adresse=\n" in text


def test_new_lieu_with_stdout_to_a_file_shows_the_preview_where_it_asks(wikis):
    log = wikis.folder / "log.txt"
    child = spawn(wikis, "new-lieu", "Le Refuge", "--set", "ville=Metz", "--wiki", "movilab",
                  shell_suffix=f"> {log}")
    for _ in range(30):
        if child.expect([r"Enter to skip\]: ", r"Write these pages\? \[y/N\]: "]) == 1:
            break
        child.sendline("")
    assert "=== movilab:Le Refuge (new page)" in child.before  # shown before the question
    assert "|Ville=Metz" in child.before
    child.sendline("n")
    assert finish(child) == EXIT_FAILED
    assert "=== movilab" not in log.read_text(encoding="utf-8")
    assert not wikis.site("movilab").read(["Le Refuge"])["Le Refuge"].exists


# --------------------------------------------------------------------------- export -> import


def test_export_csv_and_json_feed_import_unchanged(wikis):
    """Rows of movilab's lieux, exported then imported for fabmob: the lieux movilab has and
    fabmob lacks are created on fabmob; the others are skipped; no column is refused."""
    as_csv = wikis.run("export", "lieu", "--wiki", "movilab")
    as_json = wikis.run("export", "lieu", "--wiki", "movilab", "--format", "json")
    (wikis.folder / "lieux.csv").write_text(as_csv.stdout, encoding="utf-8")
    (wikis.folder / "lieux.json").write_text(as_json.stdout, encoding="utf-8")
    for name in ("lieux.csv", "lieux.json"):
        dry = wikis.run("import", "lieu", name, "--wiki", "fabmob", "--dry-run")
        assert dry.returncode == EXIT_OK, dry.stdout + dry.stderr
        assert "create La Machinerie on fabmob" in dry.stdout
        assert "skip Le WIP (exists already)" in dry.stdout
    assert not wikis.site("fabmob").read(["La Machinerie"])["La Machinerie"].exists
    done = wikis.run("import", "lieu", "lieux.json", "--wiki", "fabmob", "--yes")
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert wikis.site("fabmob").read(["La Machinerie"])["La Machinerie"].exists


def test_export_of_both_wikis_reimports_as_one_record_per_title(wikis):
    export = wikis.run("export", "lieu")
    (wikis.folder / "all.csv").write_text(export.stdout, encoding="utf-8")
    dry = wikis.run("import", "lieu", "all.csv", "--dry-run")
    assert "appears twice" not in dry.stdout
    assert "unknown column" not in dry.stderr
    assert "skip Konk Ar Lab (exists already)" in dry.stdout  # on both wikis: one record
    assert "create La Machinerie on fabmob" in dry.stdout
    # The one row refused is a lieu of the seed that lacks its town on fabmob: it cannot be
    # created on movilab without one (a fault of the data, which the audit reports too).
    assert dry.stdout.count("invalid row") == 1
    assert "(Garage Solidaire du Pays de Bray): missing required field ville" in dry.stdout
    assert dry.returncode == EXIT_USAGE


def test_a_latin1_csv_with_semicolons_imports(wikis):
    path = wikis.folder / "excel.csv"
    path.write_bytes("nom;ville;code_postal;description_courte\r\n"
                     "L’Échoppe à vélos;Besançon;25000;Réparer, réemployer – ensemble\r\n"
                     .encode("cp1252"))
    done = wikis.run("import", "lieu", str(path), "--yes")
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    text = wikis.text("movilab", "L’Échoppe à vélos")
    assert "|Ville=Besançon" in text
    assert "Réparer, réemployer – ensemble" in text


# --------------------------------------------------------------------------- audit, read-only


def _edit_config(wikis, change) -> None:
    import yaml

    config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    change(config)
    wikis.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def test_audit_publish_to_a_wiki_reports_the_findings_of_every_wiki(wikis):
    import json

    every = json.loads(wikis.run("audit", "--format", "json").stdout)
    fabmob_only = json.loads(wikis.run("audit", "--format", "json", "--wiki", "fabmob").stdout)
    assert every["total"] > fabmob_only["total"]
    title = "Wikisync:Audit"
    done = wikis.run("audit", "--publish", title, "--to", "fabmob")
    assert done.returncode == 3, done.stderr
    assert "deprecated" not in done.stderr
    assert f"'''{every['total']} constats'''" in wikis.text("fabmob", title)
    assert not wikis.site("movilab").read([title])[title].exists
    old = wikis.run("audit", "--publish", "Wikisync:Audit ancien", "--wiki", "movilab")
    assert old.returncode == 3, old.stderr
    assert "--publish TITLE --wiki movilab is deprecated: write --to movilab" in old.stderr
    assert wikis.site("movilab").read(["Wikisync:Audit ancien"])["Wikisync:Audit ancien"].exists


def test_with_one_wiki_down_the_audit_reports_the_others_and_names_it(wikis):
    import json

    def movilab_down(config):
        config["wikis"]["movilab"]["api_url"] = "http://127.0.0.1:9/api.php"

    _edit_config(wikis, movilab_down)
    proc = wikis.run("audit", "--format", "json")
    assert proc.returncode == EXIT_FAILED, proc.stderr
    doc = json.loads(proc.stdout)
    assert {f["wiki"] for f in doc["findings"]} == {"fabmob"}
    assert any(f["code"] == "stale" for f in doc["findings"])
    assert not any(f["code"] == "only-on" for f in doc["findings"])  # movilab was not read
    [failed] = doc["failed_wikis"]
    assert failed["wiki"] == "movilab"
    assert "the connection was refused (is the wiki up?)" in failed["error"]
    assert "error: audit incomplete: movilab: cannot connect" in proc.stderr
    assert "HTTPConnectionPool" not in proc.stderr + proc.stdout
    assert "Max retries" not in proc.stderr + proc.stdout
    table = wikis.run("audit")
    assert table.returncode == EXIT_FAILED
    assert "Not read: movilab: cannot connect to http://127.0.0.1:9/api.php" in table.stdout


def test_read_only_commands_need_no_credentials(wikis):
    import json

    def anonymous(config):
        for wiki in config["wikis"].values():
            del wiki["username"], wiki["password_file"]

    _edit_config(wikis, anonymous)
    shown = wikis.run("show", "lieu", "Le WIP", "--wiki", "movilab", "--json")
    assert shown.returncode == EXIT_OK, shown.stderr
    assert json.loads(shown.stdout)["fields"]["code_postal"] == "14460"
    export = wikis.run("export", "lieu", "--format", "json")
    assert export.returncode in (EXIT_OK, 3), export.stderr
    assert "Le WIP" in {row["title"] for row in json.loads(export.stdout)}
    audit = wikis.run("audit", "--format", "json")
    assert audit.returncode == 3, audit.stderr
    assert json.loads(audit.stdout)["total"] > 0
    refused = wikis.run("set", "lieu", "Le WIP", "--wiki", "movilab", "--set",
                        "code_postal=14461", "--yes")
    assert refused.returncode == EXIT_USAGE
    assert "wikis.movilab: no username: this command writes to movilab" in refused.stderr
    dry = wikis.run("new-lieu", "Le Local", "--set", "ville=Caen", "--dry-run")
    assert dry.returncode == EXIT_OK, dry.stderr
    new = wikis.run("new-lieu", "Le Local", "--set", "ville=Caen", "--yes")
    assert new.returncode == EXIT_USAGE
    assert "no username: this command writes to fabmob" in new.stderr
    assert "=== " not in new.stdout + new.stderr  # said before anything is planned or shown


def test_audit_json_findings_carry_their_kind_and_page_address(wikis):
    import json

    doc = json.loads(wikis.run("audit", "--format", "json").stdout)
    [stale] = [f for f in doc["findings"]
               if f["code"] == "stale" and f["title"] == "Vieux Tiers-Lieu Oublié"]
    assert stale["kind"] == "lieu"
    assert stale["url"].endswith("/Vieux_Tiers-Lieu_Oubli%C3%A9")
    assert stale["url"].startswith("http")
    assert stale["field"] is None
    assert {f["kind"] for f in doc["findings"]} <= {"lieu", "projet"}


def test_import_dry_run_shows_the_list_edits_and_a_summary_and_q_hides_the_skips(wikis):
    path = wikis.folder / "lieux.csv"
    path.write_text("nom,ville\nKonk Ar Lab,Concarneau\nLe Bercail,Fontainebleau\n",
                    encoding="utf-8")
    dry = wikis.run("import", "lieu", "lieux.csv", "--dry-run")
    assert dry.returncode == EXIT_OK, dry.stderr
    assert "=== list tiers-lieux-interesses on movilab:Fabriques de Territoire" in dry.stdout
    assert "+* [[Le Bercail]]" in dry.stdout
    assert "skip Konk Ar Lab (exists already)" in dry.stdout
    assert dry.stdout.rstrip().endswith("would create 1 record(s) (2 page(s)), skip 1 record(s)")
    quiet = wikis.run("-q", "import", "lieu", "lieux.csv", "--dry-run")
    assert "skip Konk Ar Lab" not in quiet.stdout
    assert "create Le Bercail on fabmob, movilab" in quiet.stdout
    done = wikis.run("import", "lieu", "lieux.csv", "--yes")
    assert done.returncode == EXIT_OK, done.stderr
    again = wikis.run("import", "lieu", "lieux.csv", "--yes")
    assert again.returncode == EXIT_OK, again.stderr
    assert again.stdout.splitlines()[-1] == "nothing to create: 2 record(s) skipped"
    assert "nothing to create" in wikis.run("-q", "import", "lieu", "lieux.csv").stdout


def test_quiet_set_says_nothing_when_nothing_changes(wikis):
    same = wikis.run("-q", "set", "lieu", "Le WIP", "--wiki", "movilab", "--set",
                     "code_postal=14460")
    assert same.returncode == EXIT_OK, same.stderr
    assert same.stdout == same.stderr == ""
    loud = wikis.run("set", "lieu", "Le WIP", "--wiki", "movilab", "--set", "code_postal=14460")
    assert "already up to date" in loud.stderr


def test_a_new_lieu_is_listed_like_its_neighbours_when_the_list_says_how(wikis):
    def entry_form(config):
        config["lists"]["tiers-lieux-interesses"]["entry"] = "[[{nom}]] – {ville}"

    _edit_config(wikis, entry_form)
    done = wikis.run("new-lieu", "La Fabrique du Coin", "--set", "ville=Hérouville-Saint-Clair",
                     "--yes")
    assert done.returncode == EXIT_OK, done.stderr
    lines = wikis.text("movilab", "Fabriques de Territoire").splitlines()
    assert "* [[La Fabrique du Coin]] – Hérouville-Saint-Clair" in lines
    assert "* [[Le WIP]] – Colombelles" in lines


# --------------------------------------------------------------------------- init


def test_init_checks_each_api_url_then_writes_a_config_that_loads(wikis, tmp_path):
    from conftest import run_cli

    from wikisync.config import load_config

    target = tmp_path / "new" / "wikisync.yaml"
    urls = {name: wiki.api_url for name, wiki in wikis.farm.wikis.items()}
    args = ["--config", str(target), "init", *(f"--wiki={n}={u}" for n, u in urls.items())]
    done = run_cli(args, cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stderr
    assert "fabmob: ok  MediaWiki 1.39" in done.stderr
    text = target.read_text(encoding="utf-8")
    assert "# password_env: WIKISYNC_MOVILAB_PASSWORD" in text
    assert f"api_url: {urls['movilab']}   # checked: MediaWiki 1.39" in text
    config = load_config(target)
    assert {n: w.api_url for n, w in config.wikis.items()} == urls
    assert (target.parent / "mappings" / "lieu.yaml").is_file()  # wikisync's own, to adapt
    assert (target.parent / "page_templates" / "lieu.movilab.wiki").is_file()
    again = run_cli(args, cwd=tmp_path)
    assert again.returncode == EXIT_USAGE
    assert "exists already" in again.stderr
    assert target.read_text(encoding="utf-8") == text


def test_init_writes_nothing_when_an_api_url_fails(wikis, tmp_path):
    from conftest import run_cli

    target = tmp_path / "other" / "wikisync.yaml"
    bad = run_cli(["--config", str(target), "init",
                   f"--wiki=fabmob={wikis.farm.wikis['fabmob'].api_url}",
                   "--wiki=movilab=http://127.0.0.1:9/api.php"], cwd=tmp_path)
    assert bad.returncode == EXIT_FAILED
    assert "movilab: FAILED" in bad.stderr
    assert "the connection was refused" in bad.stderr
    assert not target.exists()


def test_quiet_sync_prints_only_what_needs_a_person(wikis):
    quiet = wikis.run("-q", "sync")
    assert quiet.returncode in (EXIT_OK, 3), quiet.stderr
    assert "changed " not in quiet.stdout
    assert all(line.startswith(("CONFLICT", "    ")) for line in quiet.stdout.splitlines())
    assert "* [[La Myne]]" in wikis.text("fabmob", "AMI Fabriques de Territoires")  # it ran
    wikis.peer("movilab").save(
        wikis.peer("movilab").read(["Fabriques de Territoire"])["Fabriques de Territoire"],
        wikis.text("movilab", "Fabriques de Territoire").replace(
            "* [[Le WIP]] – Colombelles", "* [[Le WIP]] – Colombelles\n* [[La Halle]] – Nantes"),
        "ajout")
    loud = wikis.run("sync")
    assert "changed fabmob:AMI Fabriques de Territoires" in loud.stdout, loud.stdout


def test_with_one_wiki_down_export_writes_the_others_records_and_names_it(wikis):
    import json

    def movilab_down(config):
        config["wikis"]["movilab"]["api_url"] = "http://127.0.0.1:9/api.php"

    _edit_config(wikis, movilab_down)
    proc = wikis.run("export", "lieu", "--format", "json")
    assert proc.returncode == EXIT_FAILED, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows and {row["wiki"] for row in rows} == {"fabmob"}
    assert "error: export incomplete: movilab: cannot connect" in proc.stderr
    assert "the connection was refused (is the wiki up?)" in proc.stderr
    assert "HTTPConnectionPool" not in proc.stderr
