"""The pure three-way planner of list sync and record field sync.

No I/O: ``sync``, ``sync --dry-run`` and ``audit`` all call it; the writer only executes its
plan. Shaped after vdirsyncer's ``sync``: one small decision per key from "(base, value on each
page)" (:func:`decide`), then the plan is assembled from the decisions.

Decision table (``B`` = value as last synced, absent on a first run; ``V1..Vn`` = value on each
page, any of which may be absent; "changed" = pages whose value differs from ``B``):

============================================  =====================  =========================
situation                                     decision               pages / new base
============================================  =====================  =========================
no page differs from B                        keep                   nothing / B
B absent, the pages that have it agree on X   set X ("added")        add X where missing / X
B = X, every changed page removed it          set absent (removed)   remove everywhere / -
B = X, every changed page holds the same Y    set Y (changed)        change to Y / Y
B absent, two pages hold different values     conflict               unchanged / (absent)
                                              ``added-differently``
B = X, one changed page removed, one holds Y  conflict               unchanged / X
                                              ``removed-and-changed``
B = X, changed pages hold Y and Z (Y != Z)    conflict               unchanged / X
                                              ``changed-differently``
============================================  =====================  =========================

For list entries, :func:`decide_entry` first tries a finer merge where the table says
``changed-differently``: when the pages disagree only because each edited the entry's sub-lines
(or one its sub-lines, another its first line), the sub-lines merge line by line
(:func:`merge_lines`) and the first line takes the one change made to it.

The first run (no base) is the case "B absent" for every key: only adds, the union of all pages,
and ``added-differently`` where two pages disagree. A conflicting key keeps its base value in
``new_base`` so that it is reported again until a person makes the pages agree.

Choices
-------
- Keys are compared normalised (:func:`wikisync.titles.normalize_title`); every entry the plan
  returns carries the normalised key.
- Duplicate keys within one page: the first entry is the one the planner reads; the later ones
  are reported in :attr:`ListPlan.duplicates` and ignored. A change rewrites the first one only.
  A key written more than once on a page is never removed: the later lines are a person's that
  the planner did not read (a second antenna of the lieu added as a line of its own, or two
  places that read as one key), so a removal elsewhere is a ``removed-and-changed`` conflict
  until a person makes the page list it once.
- An entry added differently on several pages is a conflict with no base; when one of those
  pages later no longer holds it, its person withdrew it: it is not added back there from
  another page (the conflict stands, ``removed-and-changed``, until the pages agree).
- Added entries are listed, for each page, in the order they appear on the page they come from
  (the first page, in page order, that holds the winning value); the ``after`` view appends them
  at the end of the page's list.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar

from .model import ListEntry
from .titles import normalize_title

__all__ = [
    "MISSING",
    "Conflict",
    "ConflictKind",
    "Decision",
    "Duplicate",
    "FieldPlan",
    "ListPlan",
    "PagePlan",
    "decide",
    "decide_entry",
    "merge_lines",
    "plan_fields",
    "plan_list",
    "summary",
]

T = TypeVar("T")
PageId = Hashable
ConflictKind = Literal["changed-differently", "removed-and-changed", "added-differently"]


class _Missing:
    """The type of :data:`MISSING`."""

    def __repr__(self) -> str:
        return "MISSING"


#: "Never synced" for :func:`plan_fields`; by the rules it behaves exactly like ``None``.
MISSING: Any = _Missing()


# --------------------------------------------------------------------------- decision


@dataclass(frozen=True)
class Decision(Generic[T]):
    """What every page must hold for one key. ``None`` stands for "absent"."""

    action: Literal["keep", "set", "conflict"]
    value: T | None = None  # "keep"/"conflict": the base; "set": the value every page must hold
    conflict: ConflictKind | None = None


def decide(base: T | None, values: Sequence[T | None]) -> Decision[T]:
    """The decision for one key from its base and its value on each page (None = absent)."""
    changed: list[T | None] = []
    for value in values:
        if value != base and value not in changed:
            changed.append(value)
    if not changed:
        return Decision("keep", base)
    if len(changed) == 1:
        return Decision("set", changed[0])
    return Decision("conflict", base, _conflict_kind(base, changed))


def _conflict_kind(base: object, changed: Sequence[object]) -> ConflictKind:
    """Name a conflict between several different new values."""
    if base is None:
        return "added-differently"
    if None in changed:
        return "removed-and-changed"
    return "changed-differently"


@dataclass(frozen=True)
class Conflict(Generic[T]):
    """A key the pages changed in ways that cannot be merged without overwriting an edit.

    ``values`` holds the value on each page (None = absent), ``base`` the value as last synced.
    For lists ``key`` is the entry's key and values are :class:`ListEntry`; for record fields
    ``key`` is the field's name and values are strings.
    """

    key: str
    kind: ConflictKind
    values: Mapping[Any, T | None]  # page id (or wiki name) -> value
    base: T | None = None


# --------------------------------------------------------------------------- lists


@dataclass(frozen=True)
class PagePlan:
    """What to write on one page. ``change`` holds the new entries (matched by key)."""

    add: tuple[ListEntry, ...] = ()
    remove: tuple[str, ...] = ()
    change: tuple[ListEntry, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether the page needs no edit."""
        return not (self.add or self.remove or self.change)


@dataclass(frozen=True)
class Duplicate:
    """A key written more than once on one page; ``entries`` are the ignored later ones."""

    page: PageId
    key: str
    entries: tuple[ListEntry, ...]


@dataclass(frozen=True)
class ListPlan:
    """The plan of one list: per-page actions, conflicts, duplicates and the state to store."""

    pages: Mapping[PageId, PagePlan]
    conflicts: tuple[Conflict[ListEntry], ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    new_base: Mapping[str, ListEntry] = field(default_factory=dict)
    after: Mapping[PageId, tuple[ListEntry, ...]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Whether no page needs an edit (conflicts may still need a person)."""
        return all(page.is_empty for page in self.pages.values())


def plan_list(
    current: Mapping[PageId, Sequence[ListEntry]],
    base: Mapping[str, ListEntry] | None,
    added_differently: Mapping[str, Collection[PageId]] | None = None,
) -> ListPlan:
    """Plan one list from every page's entries (in page order) and the list as last synced.

    ``base`` is None on the first run. ``added_differently``: the keys an earlier run found
    added differently on several pages (a conflict still pending, no base entry), each with
    the pages that held it then. See the module docstring for the rules.
    """
    pages, duplicates = _index_pages(current)
    base_index = {entry.key: entry for entry in map(_normalized, (base or {}).values())}
    keys = _key_order(pages, base_index)
    listed_twice = {duplicate.key for duplicate in duplicates}
    held = {normalize_title(k): v for k, v in (added_differently or {}).items()}
    decisions = {}
    for k in keys:
        values = {pid: p.get(k) for pid, p in pages.items()}
        decision = decide_entry(base_index.get(k), list(values.values()))
        decision = _held_if_listed_twice(decision, base_index.get(k), k in listed_twice)
        decisions[k] = _held_if_withdrawn(decision, held.get(k, ()), values)
    conflicts = tuple(
        Conflict(k, d.conflict, {pid: p.get(k) for pid, p in pages.items()}, base_index.get(k))
        for k, d in decisions.items()
        if d.conflict is not None
    )
    page_plans = {pid: _page_plan(page, decisions, pages) for pid, page in pages.items()}
    new_base = {k: d.value for k, d in decisions.items() if d.value is not None}
    after = {pid: _after(pages[pid], page_plans[pid]) for pid in pages}
    return ListPlan(page_plans, conflicts, duplicates, new_base, after)


def _held_if_listed_twice(decision: Decision, base: ListEntry | None,
                          listed_twice: bool) -> Decision:
    """A removal of a key some page lists more than once is a conflict (see the module
    docstring): removing it there would take lines the planner never read."""
    if listed_twice and decision.action == "set" and decision.value is None:
        return Decision("conflict", base, "removed-and-changed")
    return decision


def _held_if_withdrawn(decision: Decision, held_by: Collection[PageId],
                       values: Mapping[PageId, ListEntry | None]) -> Decision:
    """An entry added differently on several pages at an earlier run (a pending conflict)
    that one of those pages no longer holds: that page's person withdrew it, so it is not
    added back there from another page; the conflict stands (``removed-and-changed``) until
    the pages agree or the entry is gone from all of them."""
    withdrawn = any(values.get(pid) is None for pid in held_by if pid in values)
    if withdrawn and decision.action == "set" and decision.value is not None:
        return Decision("conflict", None, "removed-and-changed")
    return decision


def decide_entry(base: ListEntry | None, values: Sequence[ListEntry | None]) -> Decision:
    """:func:`decide` for a list entry, with sub-lines merged line by line.

    When every page still holds the entry and what would conflict is only their sub-lines
    (``**`` lines), each page's sub-line edits are merged three-way: a line removed on one
    page is removed, a line added on one is added after the line it follows there.
    """
    decision = decide(base, values)
    if decision.conflict != "changed-differently" or base is None:
        return decision
    present = [v for v in values if v is not None]
    heads = decide((base.label, base.annotation, base.lead),
                   [(v.label, v.annotation, v.lead) for v in present])
    if heads.conflict is not None:
        return decision
    label, annotation, lead = heads.value
    children = merge_lines(base.children, [v.children for v in present])
    return Decision("set", replace(base, label=label, annotation=annotation, lead=lead,
                                   children=children, linked=present[0].linked))


def merge_lines(base: Sequence[str], versions: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """Three-way merge of line lists: a base line survives unless a version removed it; a line
    a version added is inserted after the line that precedes it in that version."""
    merged = [line for line in base if all(line in version for version in versions)]
    for version in versions:
        for index, line in enumerate(version):
            if line in base or line in merged:
                continue
            before = next((version[j] for j in range(index - 1, -1, -1)
                           if version[j] in merged), None)
            merged.insert(merged.index(before) + 1 if before is not None else 0, line)
    return tuple(merged)


def _normalized(entry: ListEntry) -> ListEntry:
    """``entry`` with its key normalised."""
    key = normalize_title(entry.key)
    return entry if key == entry.key else replace(entry, key=key)


def _index_pages(
    current: Mapping[PageId, Sequence[ListEntry]],
) -> tuple[dict[PageId, dict[str, ListEntry]], tuple[Duplicate, ...]]:
    """Each page as an ordered ``key -> first entry`` dict, and the duplicates left out."""
    pages: dict[PageId, dict[str, ListEntry]] = {}
    duplicates: list[Duplicate] = []
    for pid, entries in current.items():
        page: dict[str, ListEntry] = {}
        extra: dict[str, list[ListEntry]] = {}
        for entry in map(_normalized, entries):
            if entry.key in page:
                extra.setdefault(entry.key, []).append(entry)
            else:
                page[entry.key] = entry
        pages[pid] = page
        duplicates.extend(Duplicate(pid, k, tuple(es)) for k, es in extra.items())
    return pages, tuple(duplicates)


def _key_order(
    pages: Mapping[PageId, Mapping[str, ListEntry]], base: Mapping[str, Any]
) -> list[str]:
    """Every key: first as they appear on the pages (in page order), then base-only ones."""
    order: dict[str, None] = {}
    for page in pages.values():
        order.update(dict.fromkeys(page))
    order.update(dict.fromkeys(base))
    return list(order)


def _page_plan(
    page: Mapping[str, ListEntry],
    decisions: Mapping[str, Decision[ListEntry]],
    pages: Mapping[PageId, Mapping[str, ListEntry]],
) -> PagePlan:
    """The actions that bring one page to every "set" decision."""
    adds, removes, changes = [], [], []
    for key, decision in decisions.items():
        if decision.action != "set" or page.get(key) == decision.value:
            continue
        if decision.value is None:
            removes.append(key)
        elif key in page:
            changes.append(decision.value)
        else:
            adds.append(decision.value)
    adds.sort(key=lambda entry: _source_position(entry, pages))
    return PagePlan(tuple(adds), tuple(removes), tuple(changes))


def _source_position(
    entry: ListEntry, pages: Mapping[PageId, Mapping[str, ListEntry]]
) -> tuple[int, int]:
    """(page index, position) of the first page holding ``entry``: the order of additions."""
    for page_index, page in enumerate(pages.values()):
        if page.get(entry.key) == entry:
            return page_index, list(page).index(entry.key)
    return len(pages), 0


def _after(page: Mapping[str, ListEntry], plan: PagePlan) -> tuple[ListEntry, ...]:
    """The page's entries once ``plan`` is written (duplicates left out)."""
    changed = {entry.key: entry for entry in plan.change}
    kept = [changed.get(k, e) for k, e in page.items() if k not in plan.remove]
    return tuple(kept) + plan.add


def summary(plan: ListPlan, page_id: PageId) -> tuple[int, int, int]:
    """``(added, removed, changed)`` on one page, for the edit summary."""
    page = plan.pages.get(page_id, PagePlan())
    return len(page.add), len(page.remove), len(page.change)


# --------------------------------------------------------------------------- record fields


@dataclass(frozen=True)
class FieldPlan:
    """The three-way merge of one record field across wikis.

    ``set`` maps each wiki whose value must change to its new value (None = clear the field).
    """

    name: str
    set: Mapping[str, str | None] = field(default_factory=dict)
    conflict: Conflict[str] | None = None
    new_base: str | None = None


def plan_fields(
    current: Mapping[str, str | None],
    base: str | None = MISSING,
    *,
    name: str = "",
) -> FieldPlan:
    """Merge one field: ``current`` maps each wiki that has the record to its value.

    Same rules as lists, with an empty or absent value playing "absent": a value set on one
    wiki is set on the others, a value cleared on one wiki (and unchanged elsewhere) is cleared
    everywhere, a first run (``base`` missing or None) only fills in. Wikis that do not map the
    field must be left out of ``current``.
    """
    base_value = _field_value(None if base is MISSING else base)
    values = {wiki: _field_value(value) for wiki, value in current.items()}
    decision = decide(base_value, list(values.values()))
    if decision.conflict is not None:
        conflict = Conflict(name, decision.conflict, values, base_value)
        return FieldPlan(name, {}, conflict, base_value)
    if decision.action == "keep":
        return FieldPlan(name, {}, None, decision.value)
    changes = {wiki: decision.value for wiki, v in values.items() if v != decision.value}
    return FieldPlan(name, changes, None, decision.value)


def _field_value(value: str | None) -> str | None:
    """An empty field is an absent one."""
    return value if value else None
