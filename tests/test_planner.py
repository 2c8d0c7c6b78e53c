"""Tests of the pure three-way planner: the decision table, fields, and a state machine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from wikisync.model import ListEntry
from wikisync.planner import (
    MISSING,
    Conflict,
    Duplicate,
    ListPlan,
    PagePlan,
    decide,
    plan_fields,
    plan_list,
    summary,
)
from wikisync.titles import normalize_title


def E(key: str, annotation: str = "") -> ListEntry:
    """A list entry."""
    return ListEntry(key, None, annotation)


def page(*cells: str) -> list[ListEntry]:
    """A page from ``"Key=annotation"`` cells (``"Key"`` alone: no annotation)."""
    return [E(*cell.split("=", 1)) for cell in cells]


def base_of(*cells: str) -> dict[str, ListEntry]:
    """A base from the same cells."""
    return {e.key: e for e in page(*cells)}


# --------------------------------------------------------------------------- decision table

# (id, base, pages, expected page contents after the sync, expected conflicts {key: kind})
CASES = [
    ("nothing-changed", base_of("A=x"), {"f": page("A=x"), "m": page("A=x")},
     {"f": page("A=x"), "m": page("A=x")}, {}),
    ("added-on-one", base_of("A=x"), {"f": page("A=x", "B=y"), "m": page("A=x")},
     {"f": page("A=x", "B=y"), "m": page("A=x", "B=y")}, {}),
    ("removed-on-one", base_of("A=x", "B=y"), {"f": page("A=x"), "m": page("A=x", "B=y")},
     {"f": page("A=x"), "m": page("A=x")}, {}),
    ("changed-on-one", base_of("A=x"), {"f": page("A=z"), "m": page("A=x")},
     {"f": page("A=z"), "m": page("A=z")}, {}),
    ("changed-the-same", base_of("A=x"), {"f": page("A=z"), "m": page("A=z")},
     {"f": page("A=z"), "m": page("A=z")}, {}),
    ("removed-on-both", base_of("A=x", "B"), {"f": page("B"), "m": page("B")},
     {"f": page("B"), "m": page("B")}, {}),
    ("changed-differently", base_of("A=x"), {"f": page("A=y"), "m": page("A=z")},
     {"f": page("A=y"), "m": page("A=z")}, {"A": "changed-differently"}),
    ("removed-and-changed", base_of("A=x", "B"), {"f": page("B"), "m": page("A=y", "B")},
     {"f": page("B"), "m": page("A=y", "B")}, {"A": "removed-and-changed"}),
    ("added-differently", base_of("B"), {"f": page("B", "A=y"), "m": page("B", "A=z")},
     {"f": page("B", "A=y"), "m": page("B", "A=z")}, {"A": "added-differently"}),
    ("added-the-same-on-both", base_of(), {"f": page("A=y"), "m": page("A=y")},
     {"f": page("A=y"), "m": page("A=y")}, {}),
    ("first-run-union", None, {"f": page("A", "B=b"), "m": page("B=b", "C")},
     {"f": page("A", "B=b", "C"), "m": page("B=b", "C", "A")}, {}),
    ("first-run-different-values", None, {"f": page("A=x", "B"), "m": page("A=y")},
     {"f": page("A=x", "B"), "m": page("A=y", "B")}, {"A": "added-differently"}),
    ("both-add-the-same-lieu", base_of("A"), {"f": page("A", "La Myne=ok"),
                                              "m": page("La Myne=ok", "A")},
     {"f": page("A", "La Myne=ok"), "m": page("La Myne=ok", "A")}, {}),
    ("one-adds-other-removes-another", base_of("A", "B"), {"f": page("A", "B", "C"),
                                                           "m": page("A")},
     {"f": page("A", "C"), "m": page("A", "C")}, {}),
    ("case-and-underscore-in-keys", base_of("Le WIP=x"),
     {"f": page("Le_WIP=x"), "m": page("le WIP=x")},
     {"f": page("Le WIP=x"), "m": page("Le WIP=x")}, {}),
    ("case-and-underscore-first-run", None,
     {"f": page("Le_WIP=x"), "m": page("le  WIP=x", "B")},
     {"f": page("Le WIP=x", "B"), "m": page("Le WIP=x", "B")}, {}),
    ("gone-from-every-page", base_of("A", "B"), {"f": page("B"), "m": page("B")},
     {"f": page("B"), "m": page("B")}, {}),
    ("three-pages-change-on-one", base_of("A=x"),
     {"f": page("A=x"), "m": page("A=y"), "t": page("A=x")},
     {"f": page("A=y"), "m": page("A=y"), "t": page("A=y")}, {}),
    ("three-pages-change-the-same-on-two", base_of("A=x"),
     {"f": page("A=y"), "m": page("A=y"), "t": page("A=x")},
     {"f": page("A=y"), "m": page("A=y"), "t": page("A=y")}, {}),
    ("three-pages-remove-on-one", base_of("A", "B"),
     {"f": page("A", "B"), "m": page("B"), "t": page("A", "B")},
     {"f": page("B"), "m": page("B"), "t": page("B")}, {}),
    ("three-pages-removed-and-changed", base_of("A=x"),
     {"f": page("A=x"), "m": page(), "t": page("A=y")},
     {"f": page("A=x"), "m": page(), "t": page("A=y")}, {"A": "removed-and-changed"}),
    ("three-pages-added-on-two-differently", base_of(),
     {"f": page("A=y"), "m": page(), "t": page("A=z")},
     {"f": page("A=y"), "m": page(), "t": page("A=z")}, {"A": "added-differently"}),
    ("three-pages-first-run", None,
     {"f": page("A"), "m": page("B"), "t": page("C")},
     {"f": page("A", "B", "C"), "m": page("B", "A", "C"), "t": page("C", "A", "B")}, {}),
]


@pytest.mark.parametrize(("base", "pages", "after", "conflicts"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decision_table(
    base: dict[str, ListEntry] | None,
    pages: dict[str, list[ListEntry]],
    after: dict[str, list[ListEntry]],
    conflicts: dict[str, str],
) -> None:
    plan = plan_list(pages, base)
    assert {pid: list(entries) for pid, entries in plan.after.items()} == after
    assert {c.key: c.kind for c in plan.conflicts} == conflicts
    assert apply_plan(pages, plan) == after


@pytest.mark.parametrize(("base", "pages", "after", "conflicts"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decision_table_is_idempotent(
    base: dict[str, ListEntry] | None,
    pages: dict[str, list[ListEntry]],
    after: dict[str, list[ListEntry]],
    conflicts: dict[str, str],
) -> None:
    plan = plan_list(pages, base)
    again = plan_list(apply_plan(pages, plan), plan.new_base)
    assert again.is_empty
    assert {c.key: c.kind for c in again.conflicts} == conflicts
    assert again.new_base == plan.new_base


def test_plan_lists_actions_per_page() -> None:
    base = base_of("A=x", "B", "C")
    plan = plan_list({"f": page("A=y", "B", "C", "D"), "m": page("A=x", "C")}, base)
    assert plan.pages["f"] == PagePlan(add=(), remove=("B",), change=())
    assert plan.pages["m"] == PagePlan(add=(E("D"),), remove=(), change=(E("A", "y"),))
    assert summary(plan, "f") == (0, 1, 0)
    assert summary(plan, "m") == (1, 0, 1)
    assert summary(plan, "nowhere") == (0, 0, 0)


def test_additions_keep_the_order_of_their_page() -> None:
    plan = plan_list({"f": page("Z", "A"), "m": page("Y", "B", "X"), "t": page()}, None)
    assert [e.key for e in plan.pages["t"].add] == ["Z", "A", "Y", "B", "X"]
    assert [e.key for e in plan.pages["f"].add] == ["Y", "B", "X"]


def test_conflict_carries_every_value_and_the_base() -> None:
    plan = plan_list({"f": page("A=y"), "m": page(), "t": page("A=x")}, base_of("A=x"))
    assert plan.conflicts == (
        Conflict("A", "removed-and-changed", {"f": E("A", "y"), "m": None, "t": E("A", "x")},
                 E("A", "x")),
    )


def test_new_base_keeps_the_base_value_of_a_conflicting_key() -> None:
    plan = plan_list({"f": page("A=y", "B=n"), "m": page("A=z", "B=n")}, base_of("A=x"))
    assert plan.new_base == {"A": E("A", "x"), "B": E("B", "n")}


def test_new_base_has_no_entry_for_a_first_run_conflict() -> None:
    plan = plan_list({"f": page("A=y"), "m": page("A=z")}, None)
    assert "A" not in plan.new_base
    assert plan.pages == {"f": PagePlan(), "m": PagePlan()}


def test_conflict_resolved_by_people_then_propagates() -> None:
    base = base_of("A=x")
    pages = {"f": page("A=y"), "m": page("A=y"), "t": page("A=x")}  # f and m now agree
    plan = plan_list(pages, base)
    assert plan.conflicts == ()
    assert plan.pages["t"].change == (E("A", "y"),)


def test_keys_are_normalised_in_plan_and_base() -> None:
    plan = plan_list({"f": page("le_WIP=x"), "m": page()}, {"le_WIP": E("le WIP", "x")})
    assert plan.pages["m"].remove == ()
    assert plan.pages["f"].remove == ("Le WIP",)
    assert plan.new_base == {}
    added = plan_list({"f": page("le_WIP=x"), "m": page()}, {})
    assert added.pages["m"].add == (E("Le WIP", "x"),)
    assert added.new_base == {"Le WIP": E("Le WIP", "x")}


def test_duplicates_keep_the_first_and_are_reported() -> None:
    pages = {"f": page("Le WIP=a", "B", "le_WIP=b", "Le WIP=c"), "m": page("Le WIP=a", "B")}
    plan = plan_list(pages, base_of("Le WIP=a", "B"))
    assert plan.duplicates == (Duplicate("f", "Le WIP", (E("Le WIP", "b"), E("Le WIP", "c"))),)
    assert plan.is_empty
    assert plan.conflicts == ()


def test_a_key_listed_twice_is_never_removed_a_removal_elsewhere_is_a_conflict() -> None:
    # fabmob lists Le WIP twice (a person added a second line); movilab removed it
    pages = {"f": page("Le WIP=a", "B", "Le WIP=antenne"), "m": page("B")}
    plan = plan_list(pages, base_of("Le WIP=a", "B"))
    assert plan.pages["f"].remove == () and plan.pages["m"].add == ()
    assert plan.conflicts == (Conflict("Le WIP", "removed-and-changed",
                                       {"f": E("Le WIP", "a"), "m": None}, E("Le WIP", "a")),)
    assert plan.new_base["Le WIP"] == E("Le WIP", "a")  # reported again until settled
    # listed once on every page: removed as usual
    plan = plan_list({"f": page("Le WIP=a", "B"), "m": page("B")}, base_of("Le WIP=a", "B"))
    assert plan.pages["f"].remove == ("Le WIP",) and plan.conflicts == ()


def test_duplicate_later_value_is_not_merged() -> None:
    pages = {"f": page("A=a", "A=b"), "m": page()}
    plan = plan_list(pages, None)
    assert plan.pages["m"].add == (E("A", "a"),)


def test_label_and_children_are_part_of_the_value() -> None:
    base = {"A": ListEntry("A", None, " – x")}
    pages = {
        "f": [ListEntry("A", "Chez A", " – x")],
        "m": [ListEntry("A", None, " – x", ("* sous-point",))],
    }
    plan = plan_list(pages, base)
    # a new label on one page and a new sub-line on the other: both land
    merged = ListEntry("A", "Chez A", " – x", ("* sous-point",))
    assert plan.conflicts == ()
    assert plan.pages["f"].change == plan.pages["m"].change == (merged,)
    pages["m"] = [ListEntry("A", "Chez Aa", " – x", ("* sous-point",))]
    plan = plan_list(pages, base)
    assert [(c.key, c.kind) for c in plan.conflicts] == [("A", "changed-differently")]


def test_sub_lines_merge_line_by_line() -> None:
    base = {"A": ListEntry("A", None, "", ("* samedi", "* mercredi"))}
    pages = {
        "f": [ListEntry("A", None, "", ("* mercredi",))],  # removed a line
        "m": [ListEntry("A", None, "", ("* samedi", "* mercredi", "* mai"))],  # added one
    }
    plan = plan_list(pages, base)
    assert plan.conflicts == ()
    assert plan.new_base["A"].children == ("* mercredi", "* mai")
    assert plan.pages["f"].change == plan.pages["m"].change == (plan.new_base["A"],)
    # a line removed on one page and changed on the other: both edits land, nothing is lost
    pages["m"] = [ListEntry("A", None, "", ("* samedi matin", "* mercredi"))]
    plan = plan_list(pages, base)
    assert plan.new_base["A"].children == ("* samedi matin", "* mercredi")


# --------------------------------------------------------------------------- decide


@pytest.mark.parametrize(
    ("base", "values", "action", "value", "kind"),
    [
        ("x", ["x", "x"], "keep", "x", None),
        (None, ["y", None], "set", "y", None),
        ("x", [None, "x"], "set", None, None),
        ("x", ["y", "x", "y"], "set", "y", None),
        ("x", ["y", "z"], "conflict", "x", "changed-differently"),
        ("x", [None, "z"], "conflict", "x", "removed-and-changed"),
        (None, ["y", "z"], "conflict", None, "added-differently"),
        (None, [None, None], "keep", None, None),
    ],
)
def test_decide(base: str | None, values: list[str | None], action: str, value: str | None,
                kind: str | None) -> None:
    decision = decide(base, values)
    assert (decision.action, decision.value, decision.conflict) == (action, value, kind)


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize(
    ("current", "base", "sets", "new_base", "kind"),
    [
        ({"f": "Lyon", "m": "Lyon"}, "Lyon", {}, "Lyon", None),
        ({"f": "Caen", "m": "Lyon"}, "Lyon", {"m": "Caen"}, "Caen", None),
        ({"f": None, "m": "Lyon"}, "Lyon", {"m": None}, None, None),
        ({"f": "", "m": "Lyon"}, "Lyon", {"m": None}, None, None),
        ({"f": "Caen", "m": "Paris"}, "Lyon", {}, "Lyon", "changed-differently"),
        ({"f": None, "m": "Paris"}, "Lyon", {}, "Lyon", "removed-and-changed"),
        ({"f": "Caen", "m": None}, MISSING, {"m": "Caen"}, "Caen", None),
        ({"f": "Caen", "m": None}, None, {"m": "Caen"}, "Caen", None),
        ({"f": "Caen", "m": "Paris"}, MISSING, {}, None, "added-differently"),
        ({"f": "Caen", "m": "Caen", "t": None}, MISSING, {"t": "Caen"}, "Caen", None),
        ({"f": "Caen", "m": "Lyon", "t": "Lyon"}, "Lyon", {"m": "Caen", "t": "Caen"}, "Caen",
         None),
        ({"f": None, "m": None}, MISSING, {}, None, None),
    ],
)
def test_plan_fields(
    current: dict[str, str | None],
    base: str | None,
    sets: dict[str, str | None],
    new_base: str | None,
    kind: str | None,
) -> None:
    plan = plan_fields(current, base, name="ville")
    assert plan.set == sets
    assert plan.new_base == new_base
    assert (plan.conflict.kind if plan.conflict else None) == kind


def test_field_conflict_names_the_field_and_values() -> None:
    plan = plan_fields({"f": "Caen", "m": "Paris"}, "Lyon", name="ville")
    assert plan.conflict == Conflict("ville", "changed-differently", {"f": "Caen", "m": "Paris"},
                                     "Lyon")


# --------------------------------------------------------------------------- state machine


def apply_plan(
    pages: Mapping[str, Sequence[ListEntry]], plan: ListPlan
) -> dict[str, list[ListEntry]]:
    """What a writer does: per page, remove, change the first entry of a key, append adds."""
    result = {}
    for pid, entries in pages.items():
        actions = plan.pages[pid]
        changes = {e.key: e for e in actions.change}
        kept, seen = [], set()
        for entry in entries:
            key = normalize_title(entry.key)
            if key in actions.remove or key in seen:
                continue  # duplicates are left out, like the planner's after view
            seen.add(key)
            kept.append(changes.get(key, ListEntry(key, entry.label, entry.annotation,
                                                   entry.children)))
        result[pid] = kept + list(actions.add)
    return result


KEYS = st.sampled_from(["Le WIP", "le_WIP", "La Myne", "L’Établi", "Tiers Lieu", "Nord", "Sud"])
ANNOTATIONS = st.sampled_from(["", " – Caen", " – Lyon", ", ouvert", " (fermé)"])


class ListSync(RuleBasedStateMachine):
    """People edit random pages; ``sync`` applies the plan like the real writer would."""

    @initialize(count=st.integers(min_value=2, max_value=3))
    def start(self, count: int) -> None:
        self.pages: dict[str, list[ListEntry]] = {f"w{i}": [] for i in range(count)}
        self.base: dict[str, ListEntry] | None = None
        self.added: set[tuple[str, str]] = set()  # (page, key) a person added, nobody removed
        self.removed_since_sync: set[str] = set()
        self.edits: dict[tuple[str, str], ListEntry] = {}  # values people set since the sync

    def keys_on(self, pid: str) -> list[str]:
        return [normalize_title(e.key) for e in self.pages[pid]]

    @rule(data=st.data(), key=KEYS, annotation=ANNOTATIONS)
    def person_adds(self, data: st.DataObject, key: str, annotation: str) -> None:
        pid = data.draw(st.sampled_from(sorted(self.pages)))
        norm = normalize_title(key)
        if norm in self.keys_on(pid):
            return
        self.pages[pid].append(ListEntry(key, None, annotation))
        entry = ListEntry(norm, None, annotation)
        # a 3-way merge cannot see a re-add after a removal, nor one with the synced value
        # (while another page's removal is pending, that page "changed" and this one did not)
        if norm not in self.removed_since_sync and (self.base or {}).get(norm) != entry:
            self.added.add((pid, norm))
        self.record_edit(pid, ListEntry(norm, None, annotation))

    def record_edit(self, pid: str, entry: ListEntry) -> None:
        """Remember a value a person set, unless a 3-way merge cannot see it as an edit."""
        unseen = entry == (self.base or {}).get(entry.key)  # set back to the synced value
        if unseen or entry.key in self.removed_since_sync:
            self.edits.pop((pid, entry.key), None)
        else:
            self.edits[(pid, entry.key)] = entry

    @precondition(lambda self: any(self.pages.values()))
    @rule(data=st.data())
    def person_removes(self, data: st.DataObject) -> None:
        pid = data.draw(st.sampled_from(sorted(p for p, es in self.pages.items() if es)))
        entry = self.pages[pid].pop(data.draw(st.integers(0, len(self.pages[pid]) - 1)))
        key = normalize_title(entry.key)
        self.removed_since_sync.add(key)
        self.added = {(p, k) for p, k in self.added if k != key}
        self.edits.pop((pid, key), None)

    @precondition(lambda self: any(self.pages.values()))
    @rule(data=st.data(), annotation=ANNOTATIONS)
    def person_changes(self, data: st.DataObject, annotation: str) -> None:
        pid = data.draw(st.sampled_from(sorted(p for p, es in self.pages.items() if es)))
        index = data.draw(st.integers(0, len(self.pages[pid]) - 1))
        old = self.pages[pid][index]
        self.pages[pid][index] = ListEntry(old.key, old.label, annotation, old.children)
        self.record_edit(pid, ListEntry(normalize_title(old.key), old.label, annotation,
                                        old.children))

    @rule()
    def sync(self) -> None:
        plan = plan_list(self.pages, self.base)
        applied = apply_plan(self.pages, plan)
        assert applied == {pid: list(es) for pid, es in plan.after.items()}
        self.pages, self.base = applied, dict(plan.new_base)
        self.check_no_edit_overwritten()
        self.removed_since_sync, self.edits = set(), {}
        self.check_converged(plan)
        again = plan_list(self.pages, self.base)
        assert again.is_empty, again.pages
        assert again.new_base == self.base
        assert [(c.key, c.kind) for c in again.conflicts] == [
            (c.key, c.kind) for c in plan.conflicts
        ]

    def check_no_edit_overwritten(self) -> None:
        """Every value a person set since the last sync is still on that person's page."""
        for (pid, _key), entry in self.edits.items():
            assert entry in self.pages[pid], (pid, entry)

    def check_converged(self, plan: ListPlan) -> None:
        """Every page holds the same entries, except for keys in conflict."""
        conflicting = {c.key for c in plan.conflicts}
        by_page = [{e.key: e for e in es} for es in self.pages.values()]
        keys = set().union(*by_page) - conflicting
        for key in keys:
            assert len({(d.get(key),) for d in by_page}) == 1, key

    @invariant()
    def nothing_a_person_added_is_lost(self) -> None:
        for pid, key in getattr(self, "added", set()):
            assert key in self.keys_on(pid), (pid, key)


ListSync.TestCase.settings = settings(max_examples=300, stateful_step_count=30, deadline=None)
test_list_sync_state_machine = ListSync.TestCase


def test_an_entry_added_differently_then_withdrawn_on_one_page_is_held() -> None:
    pages = {"f": page("Le WIP=Caen", "B"), "m": page("B")}
    plan = plan_list(pages, base_of("B"), {"Le WIP": {"f", "m"}})
    assert plan.pages["m"].add == () and plan.is_empty
    assert [(c.key, c.kind) for c in plan.conflicts] == [("Le WIP", "removed-and-changed")]
    assert "Le WIP" not in plan.new_base
    # not pending: the same pages are an addition on fabmob, as before
    assert plan_list(pages, base_of("B")).pages["m"].add == (E("Le WIP", "Caen"),)
    # pending, but both pages still hold it the same way now: they agree, nothing held
    same = plan_list({"f": page("Le WIP=Caen"), "m": page("Le WIP=Caen")}, {},
                     {"Le WIP": {"f", "m"}})
    assert same.conflicts == () and same.new_base == {"Le WIP": E("Le WIP", "Caen")}
