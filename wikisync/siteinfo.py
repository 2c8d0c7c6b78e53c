"""Titles as one particular wiki normalises them, from its siteinfo (pure, no I/O).

:func:`wikisync.titles.normalize_title` knows nothing of namespaces. :class:`TitleRules` adds
what the wiki says: namespace names, canonical English names and aliases all map to the local
name (``template:acteur``, ``Modèle:acteur`` and ``modèle:Acteur`` are ``Modèle:Acteur`` on a
French wiki), and each namespace's case rule (``first-letter`` or ``case-sensitive``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from wikisync.titles import namespace_key as _ns_key
from wikisync.titles import normalize_title


@dataclass(frozen=True)
class TitleRules:
    names: dict[int, str] = field(default_factory=dict)  # id -> local name
    lookup: dict[str, int] = field(default_factory=dict)  # any known name (folded) -> id
    case: dict[int, str] = field(default_factory=dict)  # id -> "first-letter" | ...

    @classmethod
    def from_siteinfo(cls, query: dict) -> TitleRules:
        """Build from the ``query`` part of ``meta=siteinfo&siprop=namespaces|namespacealiases``
        (formatversion 2)."""
        names, lookup, case = {}, {}, {}
        for raw_id, ns in query.get("namespaces", {}).items():
            ns_id = int(raw_id)
            names[ns_id] = ns.get("name", "")
            case[ns_id] = ns.get("case", "first-letter")
            for name in (ns.get("name"), ns.get("canonical")):
                if name:
                    lookup[_ns_key(name)] = ns_id
        for alias in query.get("namespacealiases", []):
            lookup[_ns_key(alias["alias"])] = int(alias["id"])
        return cls(names, lookup, case)

    def split(self, title: str) -> tuple[int, str]:
        """``(namespace id, rest)``; a prefix that names no namespace stays in the title."""
        text = unicodedata.normalize("NFC", title).replace("_", " ").strip().lstrip(":")
        prefix, sep, rest = text.partition(":")
        if sep and _ns_key(prefix) in self.lookup:
            return self.lookup[_ns_key(prefix)], rest.strip()
        return 0, text

    def normalize(self, title: str) -> str:
        """The title as this wiki stores it, with the namespace's local name."""
        ns_id, rest = self.split(title)
        if self.case.get(ns_id, "first-letter") == "first-letter":
            rest = normalize_title(rest)
        else:
            rest = " ".join(rest.split())
        name = self.names.get(ns_id, "")
        return f"{name}:{rest}" if name else rest

    def in_namespace(self, name: str, ns_id: int) -> str:
        """``name`` as a title of namespace ``ns_id`` unless it already names one."""
        split_id, _ = self.split(name)
        if split_id == ns_id:
            return self.normalize(name)
        return self.normalize(f"{self.names.get(ns_id, '')}:{name}")
