"""The local-wiki harness as a person runs it: ``python -m wikisync.devwiki up``."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import requests


def test_up_serves_the_wikis_and_kill_stops_their_servers(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "wikisync.devwiki", "up", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C stops them." in line:
                break
        servers = re.findall(r"(http://127\.0\.0\.1:\d+)/wiki/", "".join(lines))
        assert len(servers) == 2, lines
        for server in servers:
            answer = requests.get(f"{server}/api.php", timeout=10,
                                  params={"action": "query", "meta": "siteinfo", "format": "json"})
            assert answer.json()["query"]["general"]["lang"] == "fr"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(0.5)
    for server in servers:  # nothing left serving the ports
        try:
            requests.get(f"{server}/api.php", timeout=2)
        except requests.ConnectionError:
            pass
        else:
            raise AssertionError(f"{server} still answers after the harness was killed")
        address = server.removeprefix("http://")
        leftovers = subprocess.run(["pgrep", "-f", f"php -S {address} "], capture_output=True)
        assert leftovers.stdout == b"", f"PHP workers left on {address}"


def _demo_steps(root) -> list[tuple[str, str]]:
    """Run ``python -m wikisync.devwiki demo ROOT`` (the README's first command) and return
    each step it shows with that step's exit code."""
    proc = subprocess.run([sys.executable, "-m", "wikisync.devwiki", "demo", str(root)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return re.findall(r"^\$ wikisync (.+)$(?:.|\n)*?^\(exit (\d+)\)$", proc.stdout, re.M)


def test_the_demo_runs_again_from_a_fresh_start(tmp_path):
    """Each demo installs its wikis anew: a second demo in the same folder must not meet the
    state the first one left (wikisync would refuse it, rightly, as made against other
    wikis). Every step but the audit (exit 3: it has findings) ends with exit 0, both times."""
    for _run in range(2):
        steps = _demo_steps(tmp_path / "devwiki")
        assert len(steps) >= 8 and any(s.startswith("sync") for s, _code in steps)
        assert [(s, c) for s, c in steps if c != ("3" if s.startswith("audit") else "0")] == []
