"""A run that cannot finish on every wiki writes nowhere (issue 11), on the real local wikis."""

from __future__ import annotations

import os

import pytest
import yaml

from wikisync.app import App
from wikisync.config import load_config
from wikisync.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, ConfigError
from wikisync.sync import run_sync

FAB, MOV = "AMI Fabriques de Territoires", "Fabriques de Territoire"


def revid(wikis, wiki: str, title: str) -> int:
    return wikis.site(wiki).read([title])[title].revid


def test_a_wrong_password_on_the_second_wiki_leaves_the_first_untouched(wikis):
    secret = wikis.folder / "secrets" / "movilab.secret"
    secret.write_text("not-the-password\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    before = {w: revid(wikis, w, t) for w, t in (("fabmob", FAB), ("movilab", MOV))}
    result = wikis.run("sync")
    assert result.returncode == EXIT_FAILED, result.stdout + result.stderr
    assert "nothing was written, since the run could not finish on every wiki" in result.stderr
    assert "movilab: the wiki refused the login of 'WikisyncBot@wikisync'" in result.stderr
    assert {w: revid(wikis, w, t) for w, t in (("fabmob", FAB), ("movilab", MOV))} == before
    assert "changed" not in result.stdout
    secret.write_text(wikis.farm.wikis["movilab"].bot_password + "\n", encoding="utf-8")
    again = wikis.run("sync")  # the password fixed, the next run does it all
    assert again.returncode == EXIT_OK, again.stdout + again.stderr
    assert revid(wikis, "fabmob", FAB) != before["fabmob"]


def test_a_protected_list_page_on_the_second_wiki_leaves_the_first_untouched(wikis):
    wikis.farm.wikis["movilab"].protect(MOV)
    before = revid(wikis, "fabmob", FAB)
    result = wikis.run("sync")
    assert result.returncode == EXIT_FAILED, result.stdout + result.stderr
    assert (f"movilab: '{MOV}' is protected (edit=sysop, move=sysop); the account WikisyncBot "
            "may not edit it") in result.stderr
    assert "ask an administrator" in result.stderr
    assert revid(wikis, "fabmob", FAB) == before


def test_a_run_with_nothing_to_write_checks_nothing_and_needs_no_login(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    secret = wikis.folder / "secrets" / "movilab.secret"
    secret.write_text("not-the-password\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    assert config["wikis"]["movilab"]["password_file"] == "secrets/movilab.secret"
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr


# --------------------------------------------------------------------------- passwords


def use_password_env(wikis, wiki: str, variable: str) -> None:
    config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    del config["wikis"][wiki]["password_file"]
    config["wikis"][wiki]["password_env"] = variable
    wikis.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def test_an_empty_password_variable_is_exit_2_before_any_request(wikis):
    use_password_env(wikis, "movilab", "WIKISYNC_MOVILAB_PASSWORD")
    before = revid(wikis, "fabmob", FAB)
    result = wikis.run("sync", env={"WIKISYNC_MOVILAB_PASSWORD": ""})
    assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
    assert ("wikis.movilab.password_env: the environment variable WIKISYNC_MOVILAB_PASSWORD "
            "is empty") in result.stderr
    assert revid(wikis, "fabmob", FAB) == before
    app = App(load_config(wikis.config, env={}))
    with pytest.raises(ConfigError) as info:
        run_sync(app)
    assert "WIKISYNC_MOVILAB_PASSWORD is not set" in str(info.value)
    assert sum(site.session.total for site in app._sites.values()) == 0  # not one request
    checked = wikis.run("check")
    assert checked.returncode == EXIT_USAGE, checked.stdout + checked.stderr
    assert "WIKISYNC_MOVILAB_PASSWORD is not set" in checked.stderr


def test_a_password_file_others_can_read_is_exit_2_and_nothing_is_written(wikis):
    secret = wikis.folder / "secrets" / "fabmob.secret"
    os.chmod(secret, 0o644)
    before = {w: revid(wikis, w, t) for w, t in (("fabmob", FAB), ("movilab", MOV))}
    result = wikis.run("sync")
    assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
    assert "can be read by others (mode 644); refused" in result.stderr
    assert f"chmod 600 {secret}" in result.stderr
    assert {w: revid(wikis, w, t) for w, t in (("fabmob", FAB), ("movilab", MOV))} == before
