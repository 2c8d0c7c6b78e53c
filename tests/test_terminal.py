"""At the terminal, without a wiki (issue 14): rules said in words, diffs coloured only at a
terminal."""

from __future__ import annotations

import pytest

from wikisync.cli.ui import colour_diff
from wikisync.mapping import FieldSpec, describe_pattern, describe_rule, validate_value


@pytest.mark.parametrize(("pattern", "words"), [
    ("^[0-9]{5}$", "5 digits"),
    ("[0-9]{5}", "5 digits"),
    (r"^\d{2,3}$", "2 to 3 digits"),
    ("^[A-Z]{2}$", "2 capital letters"),
    ("^[0-9]+$", "one or more digits"),
    ("^[0-9]{1}$", "1 digit"),
])
def test_known_patterns_are_said_in_words(pattern: str, words: str) -> None:
    assert describe_pattern(pattern) == words


def test_an_unknown_pattern_is_never_shown_raw() -> None:
    said = describe_pattern(r"^(FR|BE)-[0-9]{4}$")
    assert "[0-9]" not in said and "^" not in said
    problem = validate_value(FieldSpec("x", pattern=r"^(FR|BE)-[0-9]{4}$"), "DE-1")
    assert problem is not None and "[0-9]" not in problem


def test_a_fields_help_is_preferred_to_the_pattern() -> None:
    spec = FieldSpec("code_postal", pattern="^[0-9]{5}$", help="5 chiffres")
    assert describe_rule(spec) == "5 chiffres"
    assert validate_value(spec, "1446") == "'1446' is not 5 chiffres"


def test_rules_in_words_for_each_type() -> None:
    assert describe_rule(FieldSpec("a", type="url")) == "a web address (https://...)"
    assert describe_rule(FieldSpec("a", type="choice", choices=("oui", "non"))) == (
        "one of oui/non")
    assert describe_rule(FieldSpec("a", pattern="^[0-9]{5}$")) == "text, 5 digits"


def test_a_diff_is_coloured_only_when_asked() -> None:
    diff = "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n same\n"
    assert colour_diff(diff, False) == diff
    coloured = colour_diff(diff, True)
    assert "\x1b[32m+new" in coloured and "\x1b[31m-old" in coloured
    assert coloured.count("\x1b[") > 3


# --------------------------------------------------------------------------- files for import


def test_a_latin1_csv_with_semicolons_is_read(tmp_path) -> None:
    from wikisync.exchange import read_rows

    path = tmp_path / "excel.csv"
    path.write_bytes("nom;ville;code_postal\r\nL’Échoppe;Besançon;25000\r\n".encode("cp1252"))
    assert read_rows(path) == [{"nom": "L’Échoppe", "ville": "Besançon", "code_postal": "25000"}]


def test_a_utf8_csv_with_a_bom_is_read(tmp_path) -> None:
    from wikisync.exchange import read_rows

    path = tmp_path / "bom.csv"
    path.write_bytes("nom,ville\nÉchoppe,Besançon\n".encode("utf-8-sig"))
    assert read_rows(path) == [{"nom": "Échoppe", "ville": "Besançon"}]


def test_exported_rows_come_back_one_per_record(tmp_path) -> None:
    from wikisync.exchange import read_rows

    path = tmp_path / "export.json"
    path.write_text(
        '[{"title": "A", "wiki": "w1", "last_edit": "2026-01-01T00:00:00Z", "revid": 3,'
        ' "nom": "A", "ville": null, "themes": ["x", "y"]},'
        ' {"title": "A", "wiki": "w2", "last_edit": "2026-01-02T00:00:00Z", "revid": 4,'
        ' "nom": "A", "ville": "Caen", "themes": null}]', encoding="utf-8")
    assert read_rows(path) == [{"nom": "A", "ville": "Caen", "themes": "x, y"}]


# --------------------------------------------------------------------------- list entries


def test_a_lists_entry_form_gives_the_rest_of_a_new_entrys_line() -> None:
    from wikisync.config import ListConfig
    from wikisync.create import annotation

    lst = ListConfig("l", "lieu", {}, "[[{nom}]] – {ville} ({code_postal})")
    assert annotation(lst, {"nom": "X", "ville": "Caen", "code_postal": "14000"}) == (
        " – Caen (14000)")
    assert annotation(lst, {"nom": "X", "ville": "Caen"}) == ""  # a field empty: bare entry
    assert annotation(ListConfig("l", "lieu", {}), {"nom": "X", "ville": "Caen"}) == ""


def test_an_entry_form_must_start_with_the_link(tmp_path) -> None:
    from wikisync.config import load_config
    from wikisync.errors import ConfigError

    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "lieu.yaml").write_text("kind: lieu\n", encoding="utf-8")
    path = tmp_path / "wikisync.yaml"
    path.write_text(
        "wikis:\n  a: {api_url: 'https://a.example.org/api.php'}\n"
        "lists:\n  l:\n    kind: lieu\n    entry: '{ville} – [[{nom}]]'\n"
        "    pages: {a: {title: P, section: S}}\n", encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as exc:
        problems = exc.problems
    else:
        problems = []
    assert any("lists.l.entry: must start with the link" in p for p in problems), problems


def test_a_wiki_without_a_login_loads(tmp_path) -> None:
    from wikisync.config import load_config

    (tmp_path / "mappings").mkdir()
    path = tmp_path / "wikisync.yaml"
    path.write_text("wikis:\n  a: {api_url: 'https://a.example.org/api.php'}\n",
                    encoding="utf-8")
    wiki = load_config(path).wiki("a")
    assert wiki.username is None and wiki.password_env is None and wiki.password_file is None


# --------------------------------------------------------------------------- one language


def test_audit_details_are_english_on_the_terminal_and_french_on_the_wiki() -> None:
    from datetime import UTC, datetime

    from wikisync import audit, report
    from wikisync.mapping import Mapping, WikiMapping
    from wikisync.model import Page, Record

    mapping = Mapping("lieu", "{nom}", {"nom": FieldSpec("nom", required=True),
                                        "ville": FieldSpec("ville", required=True),
                                        "code_postal": FieldSpec("code_postal",
                                                                 pattern="^[0-9]{5}$")},
                      {"a": WikiMapping("T", category="C", params={
                          "nom": "Titre", "ville": "Ville", "code_postal": "Code postal"})})
    record = Record("lieu", "a", "X", {"nom": "X", "code_postal": "1446"})
    findings = audit.field_findings(mapping, record)
    findings.append(audit.stale_finding("a", Page("X", timestamp="2019-03-01T09:00:00Z",
                                                  user="Contributrice"), 365,
                                        datetime(2026, 11, 28, tzinfo=UTC)))
    findings += audit.only_on_findings(["a", "b"], {"a": ["X"], "b": []})
    result = audit.AuditResult(findings, ("lieu",), ("a", "b"),
                               datetime(2026, 11, 28, tzinfo=UTC))
    table = report.as_table(result)
    for french in ("dernière", "valeur", "attendu", "obligatoire", "fiche", "absente", "«"):
        assert french not in table, french
    assert "value “1446” (parameter “Code postal”); expected: a value, 5 digits" in table
    assert "last edited on 2019-03-01 by Contributrice" in table
    assert "on a; missing on b" in table
    assert "^[0-9]{5}$" not in table
    page = report.as_wikitext(result, lambda wiki, title: f"[[{title}]]")
    assert "dernière modification le 2019-03-01" in page and "last edited" not in page


def test_the_config_is_found_in_the_users_config_folder_last(tmp_path) -> None:
    from wikisync.config import find_config
    from wikisync.errors import UsageError

    home, here = tmp_path / "home", tmp_path / "here"
    here.mkdir()
    user = home / ".config" / "wikisync" / "wikisync.yaml"
    env = {"HOME": str(home)}
    try:
        find_config(None, env=env, cwd=here)
    except UsageError as exc:
        message = str(exc)
    assert str(user) in message
    user.parent.mkdir(parents=True)
    user.write_text("wikis: {}\n", encoding="utf-8")
    assert find_config(None, env=env, cwd=here) == user
    xdg = tmp_path / "xdg" / "wikisync" / "wikisync.yaml"
    xdg.parent.mkdir(parents=True)
    xdg.write_text("wikis: {}\n", encoding="utf-8")
    assert find_config(None, env={**env, "XDG_CONFIG_HOME": str(tmp_path / "xdg")},
                       cwd=here) == xdg
    (here / "wikisync.yaml").write_text("wikis: {}\n", encoding="utf-8")
    assert find_config(None, env=env, cwd=here) == here / "wikisync.yaml"


# --------------------------------------------------------------------------- in process


def test_init_without_a_terminal_needs_wikis_and_never_replaces_a_file(tmp_path) -> None:
    from click.testing import CliRunner

    from wikisync.cli import cli
    from wikisync.errors import UsageError

    target = tmp_path / "wikisync.yaml"
    nothing = CliRunner().invoke(cli, ["--config", str(target), "init"], prog_name="wikisync")
    assert isinstance(nothing.exception, UsageError)
    assert "give --wiki NAME=API_URL" in (nothing.exception.hint or "")
    assert not target.exists()
    target.write_text("# mine\n", encoding="utf-8")
    kept = CliRunner().invoke(cli, ["--config", str(target), "init", "--wiki",
                                    "a=https://a.example.org/api.php"], prog_name="wikisync")
    assert isinstance(kept.exception, UsageError)
    assert "exists already" in str(kept.exception)
    assert target.read_text(encoding="utf-8") == "# mine\n"


def test_audit_to_goes_with_publish(tmp_path) -> None:
    from click.testing import CliRunner

    from wikisync.cli import cli
    from wikisync.errors import UsageError

    result = CliRunner().invoke(cli, ["audit", "--to", "fabmob"], prog_name="wikisync")
    assert isinstance(result.exception, UsageError)
    assert "--to WIKI goes with --publish TITLE" in str(result.exception)


def test_help_shows_each_commands_line_whole() -> None:
    from click.testing import CliRunner

    from wikisync.cli import COMMANDS, cli

    text = " ".join(CliRunner().invoke(cli, ["--help"], prog_name="wikisync",
                                       terminal_width=80).output.split())
    for _, _, summary in COMMANDS.values():
        assert summary in text, summary
    assert "..." not in text.split("Commands:", 1)[1]
