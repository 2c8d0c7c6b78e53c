"""The merge base a list gets page by page while a plan is written (pure logic, no wiki)."""

from __future__ import annotations

from wikisync.listsync import ListRead, _base_after
from wikisync.model import ListEntry
from wikisync.planner import plan_list
from wikisync.state import ListBase

A, B, C, D = (ListEntry(k) for k in ("A", "B", "C", "D"))
B2 = ListEntry("B", annotation=" – changed")


def read(pages: dict, base: dict | None) -> ListRead:
    return ListRead("l", {}, plan_list(pages, base))


def test_a_key_takes_its_new_value_only_once_no_page_waits_for_it():
    base = {"A": A, "B": B, "C": C}
    # fabmob added D and changed B; movilab removed C
    plan = read({"fabmob": [A, B2, C, D], "movilab": [A, B]}, base)
    old = ListBase(base, {})
    assert _base_after(plan, old, set()) == base  # nothing written: the old base
    # fabmob written (it only lost C): C is settled, B and D still wait for movilab
    assert _base_after(plan, old, {"fabmob"}) == {"A": A, "B": B}
    # movilab written (it got B2 and D): B and D settled, C still waits for fabmob
    assert _base_after(plan, old, {"movilab"}) == {"A": A, "B": B2, "D": D, "C": C}
    assert _base_after(plan, old, {"fabmob", "movilab"}) == dict(plan.plan.new_base)


def test_on_a_first_run_a_written_page_settles_what_the_other_page_already_holds():
    plan = read({"fabmob": [A, B], "movilab": [B, C]}, None)
    assert _base_after(plan, None, {"fabmob"}) == {"B": B, "C": C}  # fabmob got C; B was on both
    assert _base_after(plan, None, set()) == {"B": B}
