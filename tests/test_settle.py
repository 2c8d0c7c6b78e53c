"""Settling a list's conflicts by taking one wiki's version (pure planner logic)."""

from __future__ import annotations

from wikisync.model import ListEntry
from wikisync.planner import plan_list
from wikisync.settle import settle

A, B = ListEntry("A"), ListEntry("B")
B_FAB, B_MOV = ListEntry("B", annotation=" – fab"), ListEntry("B", annotation=" – mov")


def test_taking_a_version_writes_it_on_the_other_pages():
    plan = plan_list({"fabmob": [A, B_FAB], "movilab": [A, B_MOV]}, {"A": A, "B": B})
    assert [c.key for c in plan.conflicts] == ["B"]
    settled, done = settle(plan, "movilab", ["b"])  # keys compare as titles
    assert [c.key for c in done] == ["B"]
    assert settled.conflicts == ()
    assert settled.pages["fabmob"].change == (B_MOV,)
    assert settled.pages["movilab"].is_empty
    assert settled.new_base["B"] == B_MOV


def test_taking_an_absence_removes_the_entry_elsewhere():
    plan = plan_list({"fabmob": [A], "movilab": [A, B_MOV]}, {"A": A, "B": B})
    assert [c.kind for c in plan.conflicts] == ["removed-and-changed"]
    settled, _ = settle(plan, "fabmob")
    assert settled.pages["movilab"].remove == ("B",)
    assert "B" not in settled.new_base


def test_other_keys_stay_in_conflict():
    plan = plan_list({"fabmob": [A, B_FAB], "movilab": [A, B_MOV]}, {"A": A, "B": B})
    settled, done = settle(plan, "movilab", ["Z"])
    assert done == []
    assert settled is plan


# --------------------------------------------------------------------------- config, status


def test_conflict_resolution_is_ask_or_one_of_the_lists_wikis(tmp_path, monkeypatch):
    from tests.test_config import VALID, problems_of, write
    from wikisync.config import load_config

    monkeypatch.chdir(tmp_path)
    key = "    kind: lieu\n"
    wrong = write(tmp_path, VALID.replace(key, key + "    conflict_resolution: movilb\n"))
    [problem] = problems_of(wrong)
    assert problem.startswith(
        "wikisync.yaml: lists.tiers-lieux-interesses.conflict_resolution: must be 'ask' or one "
        "of the list's wikis (fabmob, movilab)")
    assert "did you mean 'movilab'" in problem
    for value, expected in (("movilab", "movilab"), ("ask", None)):
        path = write(tmp_path, VALID.replace(key, key + f"    conflict_resolution: {value}\n"))
        lst = load_config(path, env={"HOME": "/home/u"}).list_named("tiers-lieux-interesses")
        assert lst.conflict_resolution == expected


def test_status_of_a_state_says_pages_entries_and_pending_conflicts(tmp_path):
    from tests.test_config import VALID, write
    from wikisync.config import load_config
    from wikisync.settle import remember_conflicts, status
    from wikisync.state import State

    config = load_config(write(tmp_path, VALID), env={"HOME": "/home/u"})
    state = State(tmp_path / "state")
    empty = status(config, state)["lists"][0]
    assert (empty["synced_at"], empty["entries"], empty["conflicts"]) == (None, None, [])
    state.save_list("tiers-lieux-interesses", {"A": A, "B": B},
                    {"fabmob": ("AMI Fabriques de Territoires", 12)})
    plan = plan_list({"fabmob": [A, B_FAB], "movilab": [A, B_MOV]}, {"A": A, "B": B})
    name = "tiers-lieux-interesses"
    conflicts = {c.key: c for c in plan.conflicts}
    assert list(conflicts) == ["B"]
    assert remember_conflicts(state, name, conflicts, "T1") == {}  # new: say it
    assert remember_conflicts(state, name, conflicts, "T2") == {"B": "T1"}  # same: said
    [lst] = status(config, state)["lists"]
    assert lst["entries"] == ["A", "B"]
    assert lst["pages"][0]["revision"] == 12
    assert lst["conflicts_since"] == "T1"
    assert lst["conflicts"] == [{"key": "B", "kind": lst["conflicts"][0]["kind"],
                                 "pages": {"fabmob": "[[B]] – fab", "movilab": "[[B]] – mov"},
                                 "base": "[[B]]", "since": "T1"}]
    other = plan_list({"fabmob": [A, B_FAB], "movilab": [A]}, {"A": A, "B": B})
    assert remember_conflicts(state, name, {c.key: c for c in other.conflicts}, "T3") == {}
    assert remember_conflicts(state, name, {}, "T4") == {}
    assert status(config, state)["lists"][0]["conflicts"] == []


def test_a_new_conflict_beside_a_pending_one_is_the_only_one_new(tmp_path):
    from wikisync.settle import remember_conflicts
    from wikisync.state import State

    state = State(tmp_path / "state")
    first = plan_list({"fabmob": [A, B_FAB], "movilab": [A, B_MOV]}, {"A": A, "B": B})
    assert remember_conflicts(state, "l", {c.key: c for c in first.conflicts}, "T1") == {}
    a_fab, a_mov = (ListEntry(A.key, annotation=" – fab"), ListEntry(A.key, annotation=" – mov"))
    both = plan_list({"fabmob": [a_fab, B_FAB], "movilab": [a_mov, B_MOV]}, {"A": A, "B": B})
    assert sorted(c.key for c in both.conflicts) == ["A", "B"]
    assert remember_conflicts(state, "l", {c.key: c for c in both.conflicts}, "T2") == {
        "B": "T1"}  # A is new: printed; B stands as it was: not printed again
