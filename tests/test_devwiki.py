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


def _category_rows(wiki) -> tuple[list, list, int]:
    """The wiki's category link rows (with each value's SQLite type), its category counts,
    and how many of the bench's lieux have their links updated."""
    import sqlite3

    with sqlite3.connect(wiki.data / f"{wiki.name}.sqlite") as db:
        links = db.execute(
            "SELECT cl_from, cl_to, cl_sortkey, cl_sortkey_prefix, cl_collation, cl_type,"
            " typeof(cl_to), typeof(cl_sortkey), typeof(cl_timestamp) FROM categorylinks"
            " ORDER BY cl_from, cl_to").fetchall()
        counts = db.execute("SELECT cat_title, cat_pages, cat_subcats, cat_files,"
                            " typeof(cat_title) FROM category ORDER BY cat_title").fetchall()
        updated = db.execute(
            "SELECT count(*) FROM page WHERE page_links_updated IS NOT NULL"
            " AND page_namespace = 0 AND page_title LIKE 'Tiers-lieu_%'").fetchone()[0]
    return links, counts, updated


def test_the_bench_category_rows_are_those_refreshlinks_writes(tmp_path):
    """The bench seeds its lieux' categories without refreshLinks.php (which parses every
    page): the wiki's API lists them as category members, and the rows are the ones
    refreshLinks.php writes for the same pages, value for value and type for type."""
    import sqlite3

    from bench import corpus
    from wikisync.devwiki.farm import LocalFarm

    farm = LocalFarm(tmp_path / "wikis", seed=False)
    farm.install()
    categories = corpus.lieu_categories(farm)
    assert categories == {"fabmob": "Acteur", "movilab": "Tiers-Lieux"}
    n = 12
    for name, wiki in farm.wikis.items():
        wiki.import_pages(corpus.revisions(name, n, 5), bulk=True,
                          categories=corpus.members(name, n, categories[name]))
    fast = {name: _category_rows(wiki) for name, wiki in farm.wikis.items()}
    farm.start()
    try:
        for name, wiki in farm.wikis.items():
            answer = requests.get(wiki.api_url, timeout=30, params={
                "action": "query", "format": "json", "formatversion": "2",
                "list": "categorymembers", "cmtitle": f"Category:{categories[name]}",
                "cmlimit": "max", "prop": "categoryinfo",
                "titles": f"Category:{categories[name]}"}).json()["query"]
            members = [m["title"] for m in answer["categorymembers"]]
            assert members == sorted(corpus.lieu_title(i) for i in range(n))
            assert answer["pages"][0]["categoryinfo"]["pages"] == n
    finally:
        farm.stop()
    for name, wiki in farm.wikis.items():
        links, counts, updated = fast[name]
        assert len(links) == n and counts[0][1] == n and updated == n
        with sqlite3.connect(wiki.data / f"{wiki.name}.sqlite") as db:
            db.execute("DELETE FROM categorylinks")
            db.execute("DELETE FROM category")
            db.execute("UPDATE page SET page_links_updated = NULL")
        wiki._php("refreshLinks.php")
        slow_links, slow_counts, slow_updated = _category_rows(wiki)
        assert (links, counts) == (slow_links, slow_counts), name
        assert slow_updated == updated
