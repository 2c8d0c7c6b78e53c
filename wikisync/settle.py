"""Conflicts people can settle, and what the state holds, for ``status``.

- :func:`settle` (pure) turns a list plan's conflicts into actions by taking one wiki's
  version: what ``wikisync resolve LIST KEY --take WIKI`` asks for once, and what a list's
  ``conflict_resolution: WIKI`` asks for at every run. The version taken is written on every
  other page: its entry (with its annotation and sub-lines), or its absence.
- :func:`remember_conflicts` keeps the pending conflicts of each list (and of each kind's
  fields) in the state, each with since when it stands as it is, so that a run reports a
  conflict in full when it appears or changes and, while it stays the same, only says that it
  is still pending (``-q``: says nothing of it; the run still exits 3).
- :func:`status` is what the state holds, per list (no request to any wiki).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace

from wikisync.config import Config
from wikisync.i18n import _
from wikisync.model import ListEntry
from wikisync.planner import Conflict, ListPlan, PagePlan
from wikisync.state import State
from wikisync.titles import normalize_title

log = logging.getLogger(__name__)


def settle(plan: ListPlan, wiki: str, keys: Collection[str] | None = None
           ) -> tuple[ListPlan, list[Conflict]]:
    """``plan`` with its conflicts on ``keys`` (all when None) settled by taking ``wiki``'s
    version, and the conflicts settled. A conflict on a page of no such wiki stays."""
    wanted = None if keys is None else {normalize_title(k) for k in keys}
    settled = [c for c in plan.conflicts if wiki in c.values
               and (wanted is None or normalize_title(c.key) in wanted)]
    if not settled:
        return plan, []
    pages = {pid: (list(p.add), list(p.remove), list(p.change)) for pid, p in plan.pages.items()}
    new_base = dict(plan.new_base)
    for conflict in settled:
        taken: ListEntry | None = conflict.values[wiki]
        for pid, value in conflict.values.items():
            add, remove, change = pages.setdefault(pid, ([], [], []))
            if pid == wiki or value == taken:
                continue
            if taken is None:
                remove.append(conflict.key)
            elif value is None:
                add.append(taken)
            else:
                change.append(taken)
        if taken is None:
            new_base.pop(conflict.key, None)
        else:
            new_base[conflict.key] = taken
    return replace(
        plan,
        pages={pid: PagePlan(tuple(a), tuple(r), tuple(c)) for pid, (a, r, c) in pages.items()},
        conflicts=tuple(c for c in plan.conflicts if c not in settled),
        new_base=new_base,
    ), settled


def settle_plan(name: str, plan: ListPlan, conflict_resolution: str | None,
                asked: Mapping[str, tuple[str, frozenset[str] | None]]) -> ListPlan:
    """The plan once settled as ``wikisync resolve`` asked (``asked``: list -> wiki, keys)
    and then as the list's ``conflict_resolution`` says; each settlement is logged."""
    if name in asked:
        wiki, keys = asked[name]
        plan, done = settle(plan, wiki, keys)
        for conflict in done:
            log.warning(_("list %(list)s: conflict on %(key)r settled: %(wiki)s's version is "
                          "written everywhere (wikisync resolve)")
                        % {"list": name, "key": conflict.key, "wiki": wiki})
    if conflict_resolution and conflict_resolution != "ask":
        plan, done = settle(plan, conflict_resolution)
        for conflict in done:
            log.warning(_("list %(list)s: conflict on %(key)r settled: %(wiki)s's version is "
                          "written everywhere (conflict_resolution: %(wiki)s)")
                        % {"list": name, "key": conflict.key, "wiki": conflict_resolution})
    return plan


def _signature(conflict: Conflict) -> list:
    def text(value: object) -> object:
        return None if value is None else repr(value)

    found = [conflict.key, conflict.kind, text(conflict.base),
             sorted([str(p), text(v)] for p, v in conflict.values.items())]
    return json.loads(json.dumps(found))  # as the state gives it back


def remember_conflicts(state: State, name: str, conflicts: Mapping[str, Conflict], now: str,
                       *, looked_at: Callable[[str], bool] | None = None) -> dict[str, str]:
    """Keep the pending conflicts of ``name`` (a list, or ``fields:KIND``) in the state, by id
    (a list's conflict: its key); returns, for each conflict that stands exactly as at an
    earlier run, since when (it was reported then: it need not be printed again). A conflict
    that appears or changes is not returned: it is new.

    A conflict of an earlier run not found again is settled, and forgotten, when this run
    looked where it was: a list is read whole (``looked_at`` None); a kind's fields are read
    only for the records changed since the last run, so ``looked_at(id)`` says whether the
    conflict's record was read, and the others stay in mind."""
    key = f"conflicts:{name}"
    before = state.note(key)
    earlier = {c.get("id"): c for c in (before or {}).get("conflicts", [])}
    known: dict[str, str] = {}
    kept = [c for cid, c in earlier.items() if cid not in conflicts
            and looked_at is not None and not looked_at(cid)]
    if not conflicts and not kept:
        if before is not None:
            state.set_note(key, None)
        return {}
    for cid, conflict in conflicts.items():
        signature = _signature(conflict)
        seen = earlier.get(cid)
        since = now
        if seen is not None and seen.get("signature") == signature and seen.get("since"):
            since = known[cid] = seen["since"]
        kept.append({"id": cid, "key": conflict.key, "kind": conflict.kind,
                     "pages": {str(p): _line(v) for p, v in conflict.values.items()},
                     "base": _line(conflict.base), "signature": signature, "since": since})
    state.set_note(key, {"since": min(c["since"] for c in kept), "conflicts": kept})
    return known


def _line(entry: object) -> str | None:
    if entry is None:
        return None
    if isinstance(entry, ListEntry):
        return "".join([entry.lead, f"[[{entry.key}]]", entry.annotation,
                        *(f"\n{child}" for child in entry.children)])
    return str(entry)


def status(config: Config, state: State) -> dict:
    """Per configured list: its pages and their revision at the last run, when it was last
    synced, its entries, and its pending conflicts with since when."""
    identities = state.identities()
    lists = []
    for name, lst in config.lists.items():
        base = state.list_base(name)
        note = state.note(f"conflicts:{name}") or {}
        pages = []
        for wiki, ref in lst.pages.items():
            seen = identities.get(f"page:{name}:{wiki}", {})
            revid = (base.page_revs.get(wiki) if base else None) or seen.get("revid")
            pages.append({"wiki": wiki, "title": ref.title, "section": ref.section,
                          "revision": revid, "page_id": seen.get("pageid")})
        lists.append({
            "name": name,
            "synced_at": state.synced_at(name),
            "pages": pages,
            "entries": list(base.entries) if base else None,
            "conflicts": [{k: c.get(k) for k in ("key", "kind", "pages", "base", "since")}
                          for c in note.get("conflicts", [])],
            "conflicts_since": note.get("since"),
            "conflict_resolution": lst.conflict_resolution or "ask",
        })
    return {"state": str(state.path), "lists": lists}


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
