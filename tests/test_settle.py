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
