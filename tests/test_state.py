"""The SQLite state and the lock."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat

import pytest

from wikisync.errors import LockedError
from wikisync.model import ListEntry
from wikisync.state import Lock, State, StateError


def test_first_run_has_no_base(tmp_path):
    assert State(tmp_path).list_base("tiers-lieux") is None


def test_list_base_round_trip_keeps_order_and_values(tmp_path):
    state = State(tmp_path)
    entries = {
        "Le WIP": ListEntry("Le WIP", None, "– Colombelles", ("** atelier",)),
        "Konk Ar Lab": ListEntry("Konk Ar Lab", "Konk", "(Concarneau)", ()),
        "La Myne": ListEntry("La Myne", None, BOLD + " (Lyon)", (), BOLD),
    }
    state.save_list("l", entries, {"fabmob": ("AMI", 12), "movilab": ("FdT", 7)})
    base = State(tmp_path).list_base("l")
    assert list(base.entries) == ["Le WIP", "Konk Ar Lab", "La Myne"]
    assert base.entries == entries
    assert base.page_revs == {"fabmob": 12, "movilab": 7}


def test_empty_list_synced_is_not_a_first_run(tmp_path):
    state = State(tmp_path)
    state.save_list("l", {}, {})
    base = state.list_base("l")
    assert base is not None
    assert base.entries == {}


def test_failed_transaction_leaves_the_old_state(tmp_path):
    state = State(tmp_path)
    state.save_list("l", {"A": ListEntry("A")}, {})
    with pytest.raises(RuntimeError), state.transaction() as db:
        db.execute("DELETE FROM list_entry")
        raise RuntimeError("crash")
    assert list(state.list_base("l").entries) == ["A"]


def test_state_is_owner_only(tmp_path):
    State(tmp_path / "s")
    assert stat.S_IMODE(os.stat(tmp_path / "s").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "s" / "state.sqlite").st_mode) == 0o600


def test_newer_schema_is_refused(tmp_path):
    state = State(tmp_path)
    state.db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    state.close()
    with pytest.raises(StateError) as info:
        State(tmp_path)
    assert "newer wikisync" in str(info.value)


def test_field_values_round_trip(tmp_path):
    state = State(tmp_path)
    state.save_fields("lieu", {("Le WIP", "ville"): "Colombelles", ("Le WIP", "site_web"): None})
    assert state.field_bases("lieu") == {
        ("Le WIP", "ville"): "Colombelles", ("Le WIP", "site_web"): None,
    }


def _hold(folder, ready, release):
    lock = Lock(folder)
    lock.acquire()
    ready.set()
    release.wait(10)
    lock.release()


def test_lock_names_its_holder_and_is_freed_when_the_holder_dies(tmp_path):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(tmp_path, ready, release))
    proc.start()
    assert ready.wait(10)
    with pytest.raises(LockedError) as info:
        Lock(tmp_path).acquire()
    assert f"pid {proc.pid}" in str(info.value)
    proc.kill()  # dies holding the lock: the kernel frees it
    proc.join()
    lock = Lock(tmp_path)
    lock.acquire()
    assert f"pid {os.getpid()}" in lock.path.read_text()
    lock.release()


def test_readonly_state_reads_without_creating_or_changing_anything(tmp_path):
    missing = State(tmp_path / "none", readonly=True)
    assert missing.list_base("l") is None
    assert not (tmp_path / "none").exists()
    State(tmp_path / "s").save_list("l", {"A": ListEntry("A")}, {"fabmob": ("P", 3)})
    before = (tmp_path / "s" / "state.sqlite").read_bytes()
    readonly = State(tmp_path / "s", readonly=True)
    assert list(readonly.list_base("l").entries) == ["A"]
    with pytest.raises(sqlite3.OperationalError):
        readonly.save_list("l", {}, {})
    assert (tmp_path / "s" / "state.sqlite").read_bytes() == before


SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE list_entry (
    list TEXT NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL, label TEXT,
    annotation TEXT NOT NULL, children TEXT NOT NULL, PRIMARY KEY (list, key));
CREATE TABLE list_synced (list TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE list_page (
    list TEXT NOT NULL, wiki TEXT NOT NULL, title TEXT NOT NULL, revid INTEGER NOT NULL,
    PRIMARY KEY (list, wiki));
CREATE TABLE field_value (
    kind TEXT NOT NULL, record TEXT NOT NULL, field TEXT NOT NULL, value TEXT,
    PRIMARY KEY (kind, record, field));
CREATE TABLE wiki_run (wiki TEXT PRIMARY KEY, at TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO list_entry VALUES ('l', 0, 'La Myne', NULL, ''''''' – Lyon', '["* x"]');
INSERT INTO list_synced VALUES ('l', '2026-11-01T00:00:00Z');
INSERT INTO list_page VALUES ('l', 'fabmob', 'AMI', 41);
"""
BOLD = "'''"


def _schema_1_state(folder):
    folder.mkdir()
    db = sqlite3.connect(folder / "state.sqlite")
    db.executescript(SCHEMA_1)
    db.close()


def test_a_schema_1_state_is_read_read_only_and_upgraded_by_a_real_run(tmp_path):
    _schema_1_state(tmp_path / "s")
    old = ListEntry("La Myne", None, BOLD + " – Lyon", ("* x",))
    before = (tmp_path / "s" / "state.sqlite").read_bytes()
    assert State(tmp_path / "s", readonly=True).list_base("l").entries == {"La Myne": old}
    assert (tmp_path / "s" / "state.sqlite").read_bytes() == before  # a dry run upgrades nothing

    state = State(tmp_path / "s")
    base = state.list_base("l")
    assert base.entries == {"La Myne": old}  # what was synced stays the merge base
    assert base.page_revs == {"fabmob": 41}
    bold = ListEntry("La Myne", None, BOLD + " – Lyon", ("* x",), BOLD)
    state.save_list("l", {"La Myne": bold}, {"fabmob": ("AMI", 42)})
    state.close()
    version = sqlite3.connect(tmp_path / "s" / "state.sqlite").execute(
        "SELECT value FROM meta WHERE key='schema_version'").fetchone()
    assert version == ("4",)
    assert State(tmp_path / "s").list_base("l").entries == {"La Myne": bold}


def test_wikisyncs_own_revisions_are_kept_per_wiki_and_read_back(tmp_path):
    _schema_1_state(tmp_path / "s")
    assert State(tmp_path / "s", readonly=True).own_revisions("fabmob") == set()
    state = State(tmp_path / "s")
    state.save_own_revisions("fabmob", [120, 121])
    state.save_own_revisions("movilab", [7])
    state.close()
    again = State(tmp_path / "s", readonly=True)
    assert again.own_revisions("fabmob") == {120, 121}
    assert again.own_revisions("movilab") == {7}


def test_opening_a_current_state_writes_nothing(tmp_path):
    State(tmp_path).save_list("l", {"A": ListEntry("A")}, {})
    assert State(tmp_path).db.total_changes == 0
