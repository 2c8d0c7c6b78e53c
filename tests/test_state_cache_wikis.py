"""The state is a cache (issue 13), on the two local wikis: a lost state keeps people's
removals (the merge base is rebuilt from the list pages' histories), and a state made against
other wikis is never used to plan (exit 2, nothing written)."""

from __future__ import annotations

import shutil

import yaml

from tests.test_sync_wikis import FAB, MOV, PAGES, entries, raw_lines
from wikisync.errors import EXIT_OK, EXIT_USAGE


def remove_line(wikis, wiki: str, key: str) -> None:
    """A person (the peer account) removes the entry ``key`` from the list page."""
    line = next(r for r in raw_lines(wikis, wiki) if key in r)
    peer = wikis.peer(wiki)
    page = peer.read([PAGES[wiki]])[PAGES[wiki]]
    peer.save(page, page.text.replace(line + "\n", "", 1), "retrait humain")


def test_a_lost_state_keeps_a_removal_made_since_the_last_run(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    assert "La Myne" in entries(wikis, "movilab")
    remove_line(wikis, "fabmob", "La Myne")
    shutil.rmtree(wikis.folder / "state")  # a new machine, a job with no volume
    result = wikis.run("-v", "sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "rebuilt from the pages' histories" in result.stderr
    assert "La Myne" not in entries(wikis, "fabmob")  # nothing comes back
    assert "La Myne" not in entries(wikis, "movilab")  # the removal propagates
    assert entries(wikis, "fabmob") == entries(wikis, "movilab")
    assert wikis.run("sync").returncode == EXIT_OK  # and the rebuilt state holds


def test_a_lost_state_before_any_sync_only_adds(wikis):
    """No wikisync edit in the histories: a first run, the union of the pages."""
    result = wikis.run("-v", "sync")
    assert result.returncode == EXIT_OK
    assert "rebuilt from the pages' histories" not in result.stderr
    assert "La Myne" in entries(wikis, "movilab")


def test_a_state_kept_across_a_reinstall_of_the_wikis_is_refused(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    wikis.farm.reset()  # the wikis re-installed from their seed; the state kept
    before = {w: wikis.text(w, t) for w, t in PAGES.items()}
    for args in (["sync", "--dry-run"], ["sync"]):
        result = wikis.run(*args)
        assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
        assert "was made against other wikis or pages" in result.stderr
        assert "is older than revision" in result.stderr
        assert "hint: if the config names the right wikis" in result.stderr
        assert "Traceback" not in result.stderr
    assert {w: wikis.text(w, t) for w, t in PAGES.items()} == before


def test_a_state_used_with_a_config_pointing_at_other_wikis_is_refused(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    before = {w: wikis.text(w, t) for w, t in PAGES.items()}
    config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    fab, mov = config["wikis"]["fabmob"], config["wikis"]["movilab"]
    fab["api_url"], mov["api_url"] = mov["api_url"], fab["api_url"]
    fab["password_file"], mov["password_file"] = mov["password_file"], fab["password_file"]
    wikis.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = wikis.run("sync")
    assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
    assert "wiki fabmob: the state was made against" in result.stderr
    assert {w: wikis.text(w, t) for w, t in PAGES.items()} == before
    assert FAB and MOV


def test_a_list_page_deleted_and_re_created_is_not_the_page_of_the_state(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    wiki = wikis.farm.wikis["movilab"]
    text = wikis.text("movilab", MOV)
    listing = wikis.folder / "to-delete.txt"
    listing.write_text(MOV + "\n", encoding="utf-8")
    wiki._php("deleteBatch.php", "-u", "Admin", "-r", "test", str(listing))
    from wikisync.model import Page

    # re-created by a person with fewer entries: a new page, whose history wikisync never saw
    shorter = "\n".join(line for line in text.split("\n") if "La Myne" not in line)
    wikis.peer("movilab").save(Page(MOV, exists=False), shorter, "recréée", create=True)
    before = {w: wikis.text(w, t) for w, t in PAGES.items()}
    result = wikis.run("sync")
    assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
    assert "deleted and re-created?" in result.stderr
    assert {w: wikis.text(w, t) for w, t in PAGES.items()} == before  # La Myne not removed
