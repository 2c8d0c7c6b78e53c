"""Fixtures: two real local MediaWiki wikis (started once per test session) and helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from wikisync.devwiki.farm import LocalFarm
from wikisync.site import Site

# CI runs the same examples every time (no flaky red), and never fails on a slow machine.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Messages are asserted in English: a French locale on the machine running the tests must not
# change them. gettext reads LANGUAGE first; tests of the French catalog set their own locale.
os.environ["LANGUAGE"] = "en"

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).with_name("data")


@pytest.fixture(scope="session")
def farm(tmp_path_factory: pytest.TempPathFactory):
    """The seeded local FabMob and Movilab wikis, served on loopback for the whole session."""
    local = LocalFarm(tmp_path_factory.mktemp("wikis"))
    local.install()
    local.start()
    yield local
    local.stop()


@dataclass
class Wikis:
    farm: LocalFarm
    config: Path
    folder: Path

    def run(self, *args: str, input: str | None = None, env: dict | None = None):
        """Run ``wikisync --config CONFIG ARGS`` in a subprocess, as cron or a person would."""
        return run_cli(["--config", str(self.config), *args], cwd=self.folder, input=input,
                       env=env)

    def site(self, name: str, login: str | None = None, password: str | None = None) -> Site:
        wiki = self.farm.wikis[name]
        return Site(name, wiki.api_url, login or wiki.bot_login,
                    lambda: password or wiki.bot_password)

    def peer(self, name: str) -> Site:
        """A Site logged in as a human contributor, for edits 'by someone else'."""
        wiki = self.farm.wikis[name]
        return Site(name, wiki.api_url, wiki.peer_login, lambda: wiki.peer_bot_password)

    def text(self, name: str, title: str) -> str:
        page = self.site(name).read([title])[title]
        assert page.exists, f"{title} missing on {name}"
        return page.text


def run_cli(args: list[str], cwd: Path, input: str | None = None, env: dict | None = None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("WIKISYNC_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "wikisync", *args], cwd=cwd, input=input, capture_output=True,
        text=True, env=full_env, timeout=300,
    )


@pytest.fixture
def wikis(farm: LocalFarm, tmp_path: Path) -> Wikis:
    """The local wikis reset to their seeded state, with a fresh config and state folder."""
    farm.reset()
    config = farm.write_config(tmp_path)
    return Wikis(farm, config, tmp_path)


def pytest_collection_modifyitems(items):
    for item in items:
        if "wikis" in getattr(item, "fixturenames", ()) or "farm" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.wiki)
