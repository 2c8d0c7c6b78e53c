"""Tests of wikisync.config: discovery, loading, validation, passwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from wikisync.config import (
    Config,
    Secret,
    WikiConfig,
    _FastLoader,
    _load,
    _Loader,
    find_config,
    load_config,
)
from wikisync.errors import EXIT_USAGE, ConfigError, UsageError

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "s3cr3t-B0t-p4ss"

VALID = """\
wikis:
  fabmob:
    api_url: https://wiki.lafabriquedesmobilites.fr/api.php
    username: MonCompte@wikisync
    password_env: WIKISYNC_FABMOB_PASSWORD
    interwiki:
      movilab: movilab
    write_interval: 2
    article_urls: [wikixd.fabmob.io, "https://fablog.initiative.place/wiki/"]
  movilab:
    api_url: https://movilab.org/api.php
    username: MonCompte@wikisync
    password_file: secrets/movilab.secret

mappings_dir: mappings
templates_dir: page_templates
state_dir: .wikisync
user_agent_contact: contact@example.org

lists:
  tiers-lieux-interesses:
    kind: lieu
    pages:
      fabmob:  {title: "AMI Fabriques de Territoires", section: "Tiers Lieux intéressés"}
      movilab: {title: "Fabriques de Territoire", section: "Tiers Lieux intéressés"}
"""


def write(folder: Path, text: str, name: str = "wikisync.yaml") -> Path:
    """Write a config file with its mappings and templates folders."""
    (folder / "mappings").mkdir(exist_ok=True)
    (folder / "mappings" / "lieu.yaml").write_text("kind: lieu\n", encoding="utf-8")
    (folder / "page_templates").mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, env: dict[str, str] | None = None) -> list[str]:
    """The problems load_config reports for ``path``."""
    with pytest.raises(ConfigError) as info:
        load_config(path, env=env or {"HOME": "/home/u"})
    return info.value.problems


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in the test's folder, so that messages name files relative to it."""
    monkeypatch.chdir(tmp_path)


# --------------------------------------------------------------------------- discovery


def test_find_config_prefers_explicit_then_env_then_cwd(tmp_path: Path) -> None:
    explicit = write(tmp_path, VALID, "explicit.yaml")
    from_env = write(tmp_path, VALID, "env.yaml")
    local = write(tmp_path, VALID)
    env = {"WIKISYNC_CONFIG": str(from_env)}
    assert find_config(str(explicit), env=env, cwd=tmp_path) == explicit
    assert find_config(None, env=env, cwd=tmp_path) == from_env
    assert find_config(None, env={}, cwd=tmp_path) == local


def test_find_config_resolves_relative_paths_against_cwd(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    path = write(tmp_path / "conf", VALID, "w.yaml")
    assert find_config("conf/w.yaml", env={}, cwd=tmp_path) == path


def test_find_config_names_the_three_places_when_none_exists(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        find_config(None, env={}, cwd=tmp_path)
    message = str(info.value)
    assert "--config" in message
    assert "$WIKISYNC_CONFIG" in message
    assert "./wikisync.yaml" in message
    assert info.value.exit_code == EXIT_USAGE


def test_find_config_refuses_a_missing_explicit_path(tmp_path: Path) -> None:
    write(tmp_path, VALID)  # a local file must not be used instead
    with pytest.raises(UsageError) as info:
        find_config(None, env={"WIKISYNC_CONFIG": "nope.yaml"}, cwd=tmp_path)
    assert "nope.yaml" in str(info.value)
    assert "$WIKISYNC_CONFIG" in str(info.value)


# --------------------------------------------------------------------------- a valid config


def test_full_valid_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID), env={"HOME": "/home/u"})
    assert isinstance(config, Config)
    assert list(config.wikis) == ["fabmob", "movilab"]
    fabmob = config.wikis["fabmob"]
    assert fabmob.api_url == "https://wiki.lafabriquedesmobilites.fr/api.php"
    assert fabmob.username == "MonCompte@wikisync"
    assert fabmob.password_env == "WIKISYNC_FABMOB_PASSWORD"
    assert fabmob.password_file is None
    assert fabmob.interwiki == {"movilab": "movilab"}
    assert fabmob.write_interval == 2.0
    assert config.wikis["movilab"].write_interval == 1.0
    assert config.user_agent_contact == "contact@example.org"
    lst = config.lists["tiers-lieux-interesses"]
    assert lst.kind == "lieu"
    assert lst.pages["movilab"].title == "Fabriques de Territoire"
    assert lst.pages["fabmob"].section == "Tiers Lieux intéressés"
    assert config.lists_of_kind("lieu") == (lst,)


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "deploy"
    folder.mkdir()
    config = load_config(write(folder, VALID), env={"HOME": "/home/u"})
    assert config.mappings_dir == folder / "mappings"
    assert config.templates_dir == folder / "page_templates"
    assert config.state_dir == folder / ".wikisync"
    assert config.wikis["movilab"].password_file == folder / "secrets" / "movilab.secret"


def test_defaults_tilde_and_xdg_state_dir(tmp_path: Path) -> None:
    text = VALID.replace("state_dir: .wikisync\n", "").replace(
        "secrets/movilab.secret", "~/.config/wikisync/movilab.secret"
    )
    text = text.replace("mappings_dir: mappings\n", "").replace(
        "templates_dir: page_templates\n", ""
    )
    path = write(tmp_path, text)
    config = load_config(path, env={"HOME": "/home/u"})
    assert config.state_dir == Path("/home/u/.local/state/wikisync")
    assert config.mappings_dir == tmp_path / "mappings"
    assert config.templates_dir == tmp_path / "page_templates"
    assert config.wikis["movilab"].password_file == Path("/home/u/.config/wikisync/movilab.secret")
    xdg = load_config(path, env={"HOME": "/home/u", "XDG_STATE_HOME": "/var/state"})
    assert xdg.state_dir == Path("/var/state/wikisync")


def test_article_urls_are_derived_from_api_url_plus_extra_hosts(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID), env={"HOME": "/home/u"})
    urls = config.wikis["fabmob"].article_urls
    assert urls[0] == "https://wiki.lafabriquedesmobilites.fr/wiki/"
    assert "https://wiki.lafabriquedesmobilites.fr/index.php?title=" in urls
    assert "http://wiki.lafabriquedesmobilites.fr/wiki/" in urls
    assert "https://wikixd.fabmob.io/wiki/" in urls
    assert "https://fablog.initiative.place/wiki/" in urls
    assert config.wikis["movilab"].article_urls[0] == "https://movilab.org/wiki/"
    page = config.wikis["movilab"].page_url("L'ADN des Tiers Lieux")
    assert page == "https://movilab.org/wiki/L%27ADN_des_Tiers_Lieux"  # as MediaWiki writes it


def test_config_lookup_helpers_suggest_names(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID), env={"HOME": "/home/u"})
    assert config.wiki("movilab").name == "movilab"
    with pytest.raises(UsageError) as info:
        config.wiki("movilb")
    assert "did you mean 'movilab'" in str(info.value)


# --------------------------------------------------------------------------- broken configs


def test_broken_yaml_reports_line_and_column(tmp_path: Path) -> None:
    text = "wikis:\n  fabmob:\n    api_url: https://x.org/api.php\n   username: [oops\n"
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 1
    assert problems[0].startswith("wikisync.yaml: line 4, column 4: invalid YAML: ")


def test_broken_yaml_line_number_is_the_offending_line(tmp_path: Path) -> None:
    text = "wikis:\n  fabmob: {api_url: x\n\nlists: 3\n"
    problems = problems_of(write(tmp_path, text))
    assert "line 4" in problems[0]


def test_duplicate_keys_are_reported(tmp_path: Path) -> None:
    text = VALID.replace("  movilab:\n    api_url", "  fabmob:\n    api_url", 1)
    problems = problems_of(write(tmp_path, text))
    assert any("duplicate key 'fabmob'" in p and "line 10" in p for p in problems)


def test_broken_yaml_message_is_pythons_whichever_parser_read_it(tmp_path: Path) -> None:
    # libyaml (the fast parser) says "did not find expected key" here; the message users get is
    # PyYAML's own, read again in Python, so it does not depend on how PyYAML was installed.
    text = "wikis:\n  fabmob:\n    api_url: https://x.org/api.php\n   username: [oops\n"
    problems = problems_of(write(tmp_path, text))
    assert problems == ["wikisync.yaml: line 4, column 4: invalid YAML: expected <block end>, "
                        "but found '<block mapping start>'"]


@pytest.mark.parametrize("path", sorted((REPO / "mappings").glob("*.yaml")), ids=lambda p: p.name)
def test_the_fast_yaml_parser_reads_a_mapping_as_the_python_one_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _load(_FastLoader, text) == _load(_Loader, text)


def test_the_fast_yaml_parser_reads_the_config_and_its_duplicates_as_the_python_one() -> None:
    text = VALID.replace("  movilab:\n    api_url", "  fabmob:\n    api_url", 1)
    fast, slow = _load(_FastLoader, text), _load(_Loader, text)
    assert fast == slow
    assert fast[1] == [("fabmob", 10)]


def test_every_problem_is_reported_at_once_with_key_paths(tmp_path: Path) -> None:
    text = """\
wikis:
  fabmob:
    username: MonCompte@wikisync
    password_env: A
    password_file: /x
    write_interval: -1
  movilab:
    api_url: ftp://movilab.org/api.php
    username: 3
    password_env: B
statedir: x
lists:
  l:
    kind: lieu
    pages:
      wikipedia: {title: T, section: S}
      fabmob: {title: T}
"""
    problems = problems_of(write(tmp_path, text))
    expected = [
        "wikisync.yaml: wikis.fabmob.api_url: required",
        "wikisync.yaml: wikis.fabmob: give one of password_env and password_file, not both",
        "wikisync.yaml: wikis.fabmob.write_interval: must be 0 or more",
        "wikisync.yaml: wikis.movilab.api_url: 'ftp://movilab.org/api.php' is not an http(s)://",
        "wikisync.yaml: wikis.movilab.username: expected text, got a number",
        "wikisync.yaml: statedir: unknown key (did you mean 'state_dir'?)",
        "wikisync.yaml: lists.l.pages.wikipedia: not a wiki of the config",
        "wikisync.yaml: lists.l.pages.fabmob.section: required",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)


def test_config_error_exit_code_and_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "wikis: {}\nfoo: 1\n"), env={})
    error = info.value
    assert error.exit_code == EXIT_USAGE
    assert "2 problems found" in str(error)
    assert "wikisync.yaml: foo: unknown key" in str(error)


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    text = VALID.replace(
        "    username: MonCompte@wikisync\n    password_env", "    usernme: M\n    password_env"
    )
    problems = problems_of(write(tmp_path, text))
    assert "wikisync.yaml: wikis.fabmob.usernme: unknown key (did you mean 'username'?)" in problems
    assert "wikisync.yaml: wikis.fabmob.username: required" in problems


def test_list_kind_without_mapping_file_and_unknown_interwiki(tmp_path: Path) -> None:
    text = VALID.replace("kind: lieu", "kind: lieux").replace(
        "      movilab: movilab", "      movilb: movilab"
    )
    problems = problems_of(write(tmp_path, text))
    assert any(
        p.startswith("wikisync.yaml: lists.tiers-lieux-interesses.kind: no mapping file lieux.yaml")
        and "did you mean 'lieu'" in p
        for p in problems
    )
    assert any(
        p.startswith("wikisync.yaml: wikis.fabmob.interwiki.movilb: not another wiki")
        for p in problems
    )


def test_missing_password_source_and_missing_folders(tmp_path: Path) -> None:
    text = VALID.replace("    password_file: secrets/movilab.secret\n", "").replace(
        "templates_dir: page_templates", "templates_dir: nowhere"
    )
    problems = problems_of(write(tmp_path, text))
    assert "wikisync.yaml: wikis.movilab.password_env: required (or password_file)" in problems
    assert any(p.startswith("wikisync.yaml: templates_dir: folder ") for p in problems)


def test_empty_file_and_wrong_top_level(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path, "# nothing\n")) == ["wikisync.yaml: the file is empty"]
    assert problems_of(write(tmp_path, "- a\n")) == [
        "wikisync.yaml: expected a mapping (key: value), got a list"
    ]


# --------------------------------------------------------------------------- passwords


def wiki(tmp_path: Path, **kwargs: object) -> WikiConfig:
    """The fabmob wiki of VALID, with some attributes replaced."""
    config = load_config(write(tmp_path, VALID), env={"HOME": "/home/u"})
    base = config.wikis["fabmob"]
    values = {**base.__dict__, **kwargs}
    return WikiConfig(**values)


def test_password_from_environment(tmp_path: Path) -> None:
    assert wiki(tmp_path).password({"WIKISYNC_FABMOB_PASSWORD": PASSWORD}) == PASSWORD


def test_missing_environment_variable_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        wiki(tmp_path).password({})
    assert "WIKISYNC_FABMOB_PASSWORD is not set" in str(info.value)
    assert "wikis.fabmob.password_env" in str(info.value)
    assert info.value.hint is not None and "export WIKISYNC_FABMOB_PASSWORD" in info.value.hint


def test_password_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "fabmob.secret"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    secret.chmod(0o600)
    assert wiki(tmp_path, password_env=None, password_file=secret).password({}) == PASSWORD


def test_password_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "fabmob.secret"
    secret.write_text(PASSWORD, encoding="utf-8")
    secret.chmod(0o644)
    with pytest.raises(ConfigError) as info:
        wiki(tmp_path, password_env=None, password_file=secret).password({})
    assert f"chmod 600 {secret}" in (info.value.hint or "")
    assert "refused" in str(info.value)
    assert PASSWORD not in str(info.value)


def test_every_password_a_run_needs_is_checked_at_once(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID), env={"HOME": "/home/u"})
    secret = config.wikis["movilab"].password_file
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(PASSWORD, encoding="utf-8")
    secret.chmod(0o640)
    with pytest.raises(ConfigError) as info:
        config.check_passwords(env={"WIKISYNC_FABMOB_PASSWORD": ""})
    assert [p.split(": ", 1)[1] for p in info.value.problems] == [
        "wikis.fabmob.password_env: the environment variable WIKISYNC_FABMOB_PASSWORD is empty",
        f"wikis.movilab.password_file: {secret} can be read by others (mode 640); refused",
    ]
    assert info.value.exit_code == 2
    assert PASSWORD not in str(info.value)
    secret.chmod(0o600)
    config.check_passwords(["movilab"], env={})  # only the wikis named
    config.check_passwords(env={"WIKISYNC_FABMOB_PASSWORD": PASSWORD})


def test_missing_password_file_is_named(tmp_path: Path) -> None:
    secret = tmp_path / "nope.secret"
    with pytest.raises(ConfigError) as info:
        wiki(tmp_path, password_env=None, password_file=secret).password({})
    assert str(secret) in str(info.value)


def test_password_never_in_repr_str_or_messages(tmp_path: Path) -> None:
    env = {"WIKISYNC_FABMOB_PASSWORD": PASSWORD, "HOME": "/home/u"}
    config = load_config(write(tmp_path, VALID), env=env)
    fabmob = config.wikis["fabmob"]
    assert fabmob.password(env) == PASSWORD
    secret = fabmob.secret(env)
    assert secret.reveal() == PASSWORD
    for shown in (
        repr(config),
        str(config),
        repr(fabmob),
        str(fabmob),
        repr(secret),
        str(secret),
        f"{secret}",
        repr([secret]),
    ):
        assert PASSWORD not in shown
    assert secret == Secret(PASSWORD)


def test_password_written_in_the_config_is_refused_without_echo(tmp_path: Path) -> None:
    text = VALID.replace(
        "    password_env: WIKISYNC_FABMOB_PASSWORD\n",
        f"    password_env: WIKISYNC_FABMOB_PASSWORD\n    password: {PASSWORD}\n",
    )
    text = text.replace(
        "    password_file: secrets/movilab.secret\n", f"    password_env: {PASSWORD}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env={"HOME": "/home/u"})
    message = str(info.value)
    assert "wikis.fabmob.password: a password never goes in the config" in message
    assert "wikis.movilab.password_env: must be the NAME" in message
    assert PASSWORD not in message


def test_real_environment_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIKISYNC_FABMOB_PASSWORD", PASSWORD)
    assert wiki(tmp_path).password() == PASSWORD
    monkeypatch.delenv("WIKISYNC_FABMOB_PASSWORD")
    with pytest.raises(ConfigError) as info:
        wiki(tmp_path).password()
    assert "WIKISYNC_FABMOB_PASSWORD is not set" in str(info.value)
