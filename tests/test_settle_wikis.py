"""Conflicts people can settle (issue 13), on the two local wikis: ``resolve --take``,
``conflict_resolution``, ``status``, and a pending conflict said once, not at every run."""

from __future__ import annotations

import json

import yaml

from tests.test_state_cache_wikis import PAGES, entries, raw_lines
from wikisync.errors import EXIT_ATTENTION, EXIT_OK


def annotate(wikis, wiki: str, key: str, suffix: str) -> None:
    """A person (the peer account) appends ``suffix`` to the entry ``key``'s line."""
    line = next(r for r in raw_lines(wikis, wiki) if key in r)
    peer = wikis.peer(wiki)
    page = peer.read([PAGES[wiki]])[PAGES[wiki]]
    peer.save(page, page.text.replace(line + "\n", line + suffix + "\n", 1), "précision")


def conflict(wikis) -> None:
    assert wikis.run("sync").returncode == EXIT_OK
    annotate(wikis, "fabmob", "Le WIP", " (version FabMob)")
    annotate(wikis, "movilab", "Le WIP", " (version Movilab)")


def test_a_pending_conflict_is_said_once_then_settled_with_resolve(wikis):
    conflict(wikis)
    first = wikis.run("sync")
    assert first.returncode == EXIT_ATTENTION
    assert "CONFLICT list tiers-lieux-interesses: 'Le WIP'" in first.stdout
    again = wikis.run("sync")
    assert again.returncode == EXIT_ATTENTION  # still pending
    assert "CONFLICT" not in again.stdout  # but not printed again in full
    assert "1 conflict still pending since" in again.stdout
    status = json.loads(wikis.run("status", "--json").stdout)
    [lst] = status["lists"]
    assert [c["key"] for c in lst["conflicts"]] == ["Le WIP"]
    assert "(version Movilab)" in lst["conflicts"][0]["pages"]["movilab"]
    assert lst["conflicts_since"]
    assert {p["wiki"] for p in lst["pages"]} == {"fabmob", "movilab"}
    assert "Le WIP" in lst["entries"]
    text = wikis.run("status")
    assert text.returncode == EXIT_OK
    assert "1 conflict(s) pending since" in text.stdout

    done = wikis.run("resolve", "tiers-lieux-interesses", "Le WIP", "--take", "movilab")
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    for wiki in PAGES:
        assert entries(wikis, wiki)["Le WIP"][0].endswith("(version Movilab)"), wiki
    assert wikis.run("sync").returncode == EXIT_OK
    status = json.loads(wikis.run("status", "--json").stdout)
    assert status["lists"][0]["conflicts"] == []


def test_conflict_resolution_names_the_wiki_that_wins(wikis):
    config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    config["lists"]["tiers-lieux-interesses"]["conflict_resolution"] = "fabmob"
    wikis.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    conflict(wikis)
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "settled: fabmob's version is written everywhere" in result.stderr
    for wiki in PAGES:
        assert entries(wikis, wiki)["Le WIP"][0].endswith("(version FabMob)"), wiki
