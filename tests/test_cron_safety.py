"""A cron job you can leave alone (issue 13), without the local wikis: a hung wiki does not hold
the run, and an unreadable state file is a clear message, never a traceback.

Each test runs ``wikisync`` in a subprocess, as cron would. No figure of time is asserted: a
hung run is caught by the subprocess timeout, which is generous.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = """\
wikis:
  fabmob:
    api_url: {url}
    username: Bot@wikisync
    password_env: WIKISYNC_FABMOB_PASSWORD
  movilab:
    api_url: {url}
    username: Bot@wikisync
    password_env: WIKISYNC_MOVILAB_PASSWORD
state_dir: state
lists:
  tiers-lieux-interesses:
    kind: lieu
    pages:
      fabmob: {{title: "AMI Fabriques de Territoires", section: "Tiers Lieux intéressés"}}
      movilab: {{title: "Fabriques de Territoire", section: "Tiers Lieux intéressés"}}
"""
REPO = Path(__file__).resolve().parents[1]
ENV = {"WIKISYNC_FABMOB_PASSWORD": "x" * 32, "WIKISYNC_MOVILAB_PASSWORD": "y" * 32}


def run(folder: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKISYNC_")}
    env.update(ENV)
    return subprocess.run(
        [sys.executable, "-m", "wikisync", "--config", str(folder / "wikisync.yaml"), *args],
        cwd=folder, capture_output=True, text=True, env=env, timeout=timeout,
    )


@pytest.fixture
def hung_server():
    """A loopback server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/api.php"
    sock.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "mappings", tmp_path / "mappings")
    shutil.copytree(REPO / "page_templates", tmp_path / "page_templates")
    return tmp_path


def write_config(folder: Path, url: str) -> None:
    (folder / "wikisync.yaml").write_text(CONFIG.format(url=url), encoding="utf-8")


@pytest.mark.parametrize("command", [["check"], ["-q", "sync"]])
def test_a_hung_wiki_ends_the_run_with_a_clear_message(folder, hung_server, command):
    write_config(folder, hung_server)
    result = run(folder, *command)  # before the fix: ten minutes, killed by the timeout
    assert result.returncode == 1, result.stderr
    assert "did not answer" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("args", [["sync"], ["-q", "sync"], ["sync", "--dry-run"]])
def test_an_unreadable_state_is_a_clear_error(folder, args):
    write_config(folder, "http://127.0.0.1:9/api.php")
    (folder / "state").mkdir(mode=0o700)
    state = folder / "state" / "state.sqlite"
    state.write_bytes(b"this is not a database\n" * 200)
    state.chmod(0o600)
    result = run(folder, *args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"error: the state file {state} cannot be read" in result.stderr
    assert "hint: move it away" in result.stderr
    assert state.read_bytes() == b"this is not a database\n" * 200
