"""Identity across wikis: which titles on which wikis are one record (pure, no I/O).

A lieu may be titled differently on each wiki ("WIP Colombelles" on FabMob, "Le WIP" on
Movilab). A mapping says so with ``same: [{fabmob: "WIP Colombelles", movilab: "Le WIP"}]``;
:class:`Identity` turns those pairs into one *record key* per lieu, used wherever records or list
entries of several wikis are matched: list entries (:mod:`wikisync.lists`), field sync, the
audit's ``only-on`` and ``duplicate``, ``export``.

- :meth:`Identity.key` gives the record key of a title on a wiki: the title (normalised) when no
  pair names it, else the pair's title on its first wiki in the config's order, so that the key
  does not depend on how the pair is written. ``wiki=None`` (a plain name, a key from the state)
  matches a pair's title on any wiki.
- :meth:`Identity.title_on` is the reverse: the title of a key's record on one wiki (the key
  itself when the pair names no title there).

Titles compare as MediaWiki titles (:func:`wikisync.titles.normalize_title`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from wikisync.model import Record
from wikisync.titles import normalize_title

Group = tuple[tuple[str, str], ...]  # ((wiki, title), ...), in the config's wiki order


@dataclass(frozen=True)
class Identity:
    """The ``same:`` pairs of the mappings, as groups of (wiki, normalised title)."""

    groups: tuple[Group, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: Iterable[Mapping[str, str]],
                   wiki_order: Sequence[str] = ()) -> Identity:
        """Build from ``[{wiki: title, ...}, ...]``; wikis sort by ``wiki_order`` (then name).

        Items that share a title on a wiki are one group (``same:`` and a page's counterpart
        parameter naming one record); where they give a wiki two titles, the first is kept.
        """
        rank = {wiki: i for i, wiki in enumerate(wiki_order)}
        merged: list[dict[str, str]] = []
        for pair in pairs:
            titles = {wiki: normalize_title(title) for wiki, title in pair.items()}
            joined = [g for g in merged if any(g.get(w) == t for w, t in titles.items())]
            group: dict[str, str] = {}
            for old in joined:
                merged.remove(old)
                for wiki, title in old.items():
                    group.setdefault(wiki, title)
            for wiki, title in titles.items():
                group.setdefault(wiki, title)
            merged.append(group)
        groups = tuple(
            tuple(sorted(g.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))
            for g in merged
        )
        return cls(groups)

    @cached_property
    def _by_title(self) -> dict[tuple[str, str], Group]:
        return {member: group for group in self.groups for member in group}

    @cached_property
    def _by_name(self) -> dict[str, Group]:
        """Any wiki's title -> its group (a title named by two groups is left out)."""
        seen: dict[str, list[Group]] = {}
        for group in self.groups:
            for _wiki, title in group:
                seen.setdefault(title, []).append(group)
        return {title: found[0] for title, found in seen.items() if len(set(found)) == 1}

    @cached_property
    def _by_key(self) -> dict[str, Group]:
        return {group[0][1]: group for group in self.groups}

    def group(self, wiki: str | None, title: str) -> Group | None:
        """The pair that names ``title`` on ``wiki`` (on any wiki when ``wiki`` is None)."""
        name = normalize_title(title)
        if wiki is not None:
            return self._by_title.get((wiki, name))
        return self._by_key.get(name) or self._by_name.get(name)

    def key(self, wiki: str | None, title: str) -> str:
        """The record key of ``title`` read on ``wiki``."""
        found = self.group(wiki, title)
        return found[0][1] if found else normalize_title(title)

    def title_on(self, wiki: str, key: str) -> str:
        """The title of the record ``key`` on ``wiki``."""
        found = self._by_key.get(normalize_title(key))
        if found is None:
            return normalize_title(key)
        return dict(found).get(wiki, found[0][1])

    def pairs(self) -> list[dict[str, str]]:
        """The groups as ``{wiki: title}`` (for messages)."""
        return [dict(group) for group in self.groups]


def record_identity(same: Iterable[Mapping[str, str]], records: Iterable[Record],
                    wiki_order: Sequence[str]) -> Identity:
    """The identity of a kind: its mapping's ``same:`` items, and each record's counterpart
    parameters (a Movilab fiche's "Page FabMob" naming its FabMob title)."""
    found = [{record.wiki: record.title, **record.same} for record in records if record.same]
    return Identity.from_pairs([*same, *found], wiki_order)


def same_line(titles: Mapping[str, str]) -> str:
    """The ``same:`` item to paste into a mapping for ``{wiki: title}``."""
    inner = ", ".join(f'{wiki}: "{title}"' for wiki, title in titles.items())
    return f"same: [{{{inner}}}]"
