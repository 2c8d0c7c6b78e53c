"""``wikisync audit``: what maintainers must look at, as :class:`~wikisync.model.Finding` objects.

The module has two halves:

- **pure finding functions** (no I/O): :func:`stale_finding`, :func:`field_findings`,
  :func:`missing_template_finding`, :func:`only_on_findings`, :func:`duplicate_findings`,
  :func:`entry_duplicate_findings`, :func:`red_link_findings`, :func:`list_drift_findings`;
- **the read** (:func:`run_audit`): every kind's category on every wiki of its mapping, streamed
  through :meth:`Site.category_pages <wikisync.site.Site.category_pages>` (50 pages with their
  content and last revision a request, 500 once a logged-in bot reads more), then every
  configured list of the audited kinds through :func:`wikisync.listsync.read_list` and the sync
  planner. Only titles are kept between batches (for ``only-on`` and ``duplicate``), so memory is
  bounded by a batch of pages, not by the wiki.

Finding codes, in the order every output uses (:data:`CODES`)
--------------------------------------------------------------
``stale``             the page's last edit is older than ``stale_after_days`` (or ``--stale-days``)
``missing-field``     a required field the wiki maps is absent or empty
``invalid-field``     a value fails its type, choices or pattern (detail: value and expectation)
``missing-template``  a page of the kind's category without a readable call of the kind's template
``red-link``          a list entry (link or plain text) names a lieu with a page on no wiki
``only-on``           a record exists on some of its mapping's wikis only
``list-drift``        a list page differs from the others (a sync is pending or in conflict)
``duplicate``         records (or entries of one list page) whose names fold to the same key

Choices (documented because users and tests depend on them)
-----------------------------------------------------------
- **Details in two languages**: ``Finding.detail`` is French, the language of the wikis and of
  the published report; ``Finding.detail_en`` says the same in English for the terminal, JSON
  and CSV (one language per output). Patterns are said in words there ("5 digits", or the
  field's ``help:``). Messages that come from the wikitext parser (why a template call is
  unreadable) stay as the parser writes them.
- **Details are stable**: they name dates, values and titles, never "N days ago", so that a
  published report does not change (and is not re-edited) while the findings stay the same.
- **Cross-wiki checks read every wiki of the mapping**, even with ``--wiki``: ``--wiki`` only
  selects which wikis' findings are reported (``only-on`` is reported on the wiki that has the
  record, ``duplicate`` on the wiki of the odd spelling, ``red-link`` and ``list-drift`` on the
  wiki of the list page).
- **only-on and duplicate** group records of one kind by :func:`wikisync.titles.fold`. A group
  with several spellings (``Le WIP`` / ``Le Wip``) yields one ``duplicate`` per odd spelling (the
  spelling present on the most wikis is the reference); a group absent from a wiki of the
  mapping yields one ``only-on``, so a duplicate is not reported a second time as ``only-on``.
- **red-link** is about lieux without a page: an entry whose first link names a page of a
  configured wiki (internal, interwiki or article URL), or a plain-text entry whose name is
  the title of no page, when that page exists on no configured wiki. A link to another site
  is not a red link.
- **list-drift** uses the sync planner with the state's merge base when a state exists (without
  one, the first-run rule: the union of the pages), one finding per list page the next sync would
  change or that takes part in a conflict. The audit only reads the state (no lock taken, never
  written), and does not create one where there is none.
- **A list that cannot be read** (its page or section is missing) is left out, and the rest of
  the audit goes on: its findings are reported, the missing list is named at the end (and on
  the published page), and the exit code is 1, since the audit is incomplete.
- **The sync state is opened read-only**: the audit never changes it and never waits for a
  running sync's lock.
- **--publish TITLE --wiki W** needs exactly one ``--wiki``: the page holds W's findings, those
  W's community can act on. It replaces the page's whole text through ``Site.save`` (base
  revision, ``createonly``/``nocreate``), and makes no edit when only the date line would change
  (see :mod:`wikisync.report`).
- **Ignored titles** (the mapping's ``ignore:``, plus ``--ignore TITLE`` for every kind) are left
  out of every check of their kind: their own pages and list entries that name them.
- A page without a timestamp is never reported ``stale``; the age is measured from ``now`` (UTC).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from wikisync import listsync
from wikisync.app import App
from wikisync.config import ListConfig
from wikisync.errors import (
    ListStopped,
    LoginError,
    PageMissingError,
    SectionMissingError,
    UnreachableError,
    WikiError,
    WikisyncError,
    WikitextError,
)
from wikisync.i18n import _
from wikisync.identity import Identity, record_identity, same_line
from wikisync.lists import LinkContext, link_title
from wikisync.mapping import (
    FieldSpec,
    describe_pattern,
    split_list,
    validate_record,
    validate_value,
)
from wikisync.mapping import Mapping as KindMapping
from wikisync.model import Finding, ListEntry, Page, RawEntry, Record
from wikisync.planner import ListPlan
from wikisync.records import at_once, record_from_page
from wikisync.state import State
from wikisync.titles import fold, normalize_title, without_comments

log = logging.getLogger(__name__)

CODES: tuple[str, ...] = (
    "stale",
    "missing-field",
    "invalid-field",
    "missing-template",
    "red-link",
    "only-on",
    "list-drift",
    "duplicate",
)

#: ``progress(what, pages_read_so_far)``: called while pages are read (for a terminal display).
Progress = Callable[[str, int], None]
#: ``has_page(wiki, title)``: whether ``wiki`` has a page called ``title``.
HasPage = Callable[[str, str], bool]

CONFLICT_WORDS = {
    "changed-differently": "modifiée différemment selon les pages",
    "removed-and-changed": "retirée sur une page, modifiée sur une autre",
    "added-differently": "ajoutée différemment selon les pages",
}


# --------------------------------------------------------------------------- options, result


@dataclass(frozen=True)
class AuditOptions:
    """What to audit. Empty ``kinds``/``wikis`` mean every kind/wiki."""

    kinds: tuple[str, ...] = ()
    wikis: tuple[str, ...] = ()
    stale_days: int | None = None  # None: each mapping's stale_after_days
    ignore: tuple[str, ...] = ()  # titles ignored for every kind, on top of the mappings'


@dataclass(frozen=True)
class UnreadList:
    """A list the audit could not read: its page or its section is missing on ``wiki``, or
    ``wiki`` could not be reached."""

    name: str
    wiki: str
    #: "page", "section", "wiki" (unreachable, login refused) or "layout" (a line or a
    #: section the list sync refuses to touch: the list stops there)
    problem: str
    message: str  # what the error said, for the terminal
    hint: str | None = None


@dataclass
class AuditResult:
    """The findings of one audit, sorted in :data:`CODES` order, and what was audited.

    ``unread`` lists what could not be read: the audit is then incomplete (exit 1), but the
    findings of everything else are still reported.
    """

    findings: list[Finding]
    kinds: tuple[str, ...]
    wikis: tuple[str, ...]
    at: datetime
    pages_read: int = 0
    unread: list[UnreadList] = field(default_factory=list)
    #: Wikis that could not be read (down, unreachable, login refused): name -> why. Their
    #: findings are missing, and ``only-on`` is left out for the kinds they hold.
    down: dict[str, str] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Findings per code, every code included (0 when none)."""
        found = Counter(f.code for f in self.findings)
        return {code: found.get(code, 0) for code in CODES}

    @property
    def clean(self) -> bool:
        return not self.findings


def sort_key(finding: Finding) -> tuple:
    """Order of findings in every output: code (as in :data:`CODES`), wiki, title, field."""
    code = CODES.index(finding.code) if finding.code in CODES else len(CODES)
    return (code, finding.wiki, finding.title, finding.field or "", finding.detail)


# --------------------------------------------------------------------------- pure: pages


def parse_timestamp(timestamp: str) -> datetime | None:
    """MediaWiki's ISO 8601 UTC timestamp as an aware datetime, or None when empty/invalid."""
    try:
        return datetime.fromisoformat(timestamp)
    except ValueError:
        return None


def stale_finding(wiki: str, page: Page, days: int, now: datetime) -> Finding | None:
    """``stale`` when ``page`` was last edited more than ``days`` days before ``now``."""
    edited = parse_timestamp(page.timestamp)
    if edited is None or (now - edited).days <= days:
        return None
    day = edited.date().isoformat()
    detail = f"dernière modification le {day} par {page.user or '(inconnu)'} (seuil : {days} jours)"
    english = f"last edited on {day} by {page.user or '(unknown)'} (threshold: {days} days)"
    return Finding("stale", wiki, page.title, None, detail, detail_en=english)


def expectation(spec: FieldSpec) -> str:
    """What a valid value of ``spec`` looks like, in French."""
    words = {
        "url": "une adresse web (http:// ou https://)",
        "date": "une date AAAA-MM-JJ",
        "email": "une adresse e-mail",
        "number": "un nombre",
    }
    if spec.choices:
        what = "une des valeurs : " + ", ".join(spec.choices)
    else:
        what = words.get(spec.type, "une valeur")
    if spec.pattern:
        what += f" au format {spec.pattern}"
    if spec.type == "list":
        return f"une liste séparée par des virgules, chaque élément étant {what}"
    return what


def expectation_en(spec: FieldSpec) -> str:
    """What a valid value of ``spec`` looks like, in English (a pattern in words, or its
    ``help:``)."""
    words = {"url": "a web address (http:// or https://)", "date": "a date YYYY-MM-DD",
             "email": "an e-mail address", "number": "a number"}
    if spec.choices:
        what = "one of: " + ", ".join(spec.choices)
    else:
        what = words.get(spec.type, "a value")
    if spec.pattern:
        what += f", {spec.help or describe_pattern(spec.pattern)}"
    if spec.type == "list":
        return f"a comma-separated list, each item {what}"
    return what


def _bad_item(spec: FieldSpec, value: str) -> str | None:
    """The first item of a list value that is invalid on its own."""
    item_spec = replace(spec, type="text")
    for item in split_list(without_comments(value)):
        if validate_value(item_spec, item):
            return item
    return None


def field_findings(mapping: KindMapping, record: Record) -> list[Finding]:
    """``missing-field`` and ``invalid-field`` findings of one record (on its own wiki)."""
    findings = []
    params = mapping.wiki(record.wiki).params
    template = mapping.wiki(record.wiki).template
    for problem in validate_record(mapping, record.fields, record.wiki):
        param = params.get(problem.field, problem.field)
        if problem.code == "missing-field":
            detail = (f"champ obligatoire absent ou vide (paramètre « {param} » "
                      f"du modèle {{{{{template}}}}})")
            english = (f"required field absent or empty (parameter “{param}” of "
                       f"{{{{{template}}}}})")
            findings.append(Finding("missing-field", record.wiki, record.title, problem.field,
                                    detail, detail_en=english))
        elif problem.code == "invalid-field":
            spec = mapping.fields[problem.field]
            value = record.fields.get(problem.field, "")
            detail = f"valeur « {value} » (paramètre « {param} »)"
            english = f"value “{value}” (parameter “{param}”)"
            item = _bad_item(spec, value) if spec.type == "list" else None
            if item is not None:
                detail += f", élément « {item} »"
                english += f", item “{item}”"
            detail += f" ; attendu : {expectation(spec)}"
            english += f"; expected: {expectation_en(spec)}"
            findings.append(Finding("invalid-field", record.wiki, record.title, problem.field,
                                    detail, detail_en=english))
    return findings


def missing_template_finding(mapping: KindMapping, wiki: str, page: Page,
                             reason: str = "") -> Finding:
    """``missing-template``: ``page`` is in the kind's category without a readable call."""
    wmap = mapping.wiki(wiki)
    detail = (f"dans la catégorie « {wmap.category} » sans appel lisible du modèle "
              f"{{{{{wmap.template}}}}}")
    english = (f"in the category “{wmap.category}” without a readable call of "
               f"{{{{{wmap.template}}}}}")
    if reason:
        detail += f" ({reason})"
        english += f" ({reason})"
    return Finding("missing-template", wiki, page.title, None, detail, detail_en=english)


# --------------------------------------------------------------------------- pure: across wikis


def _groups(titles: Mapping[str, Iterable[str]], same: Identity | None = None,
            only: Container[str] | None = None) -> dict[str, dict[str, list[str]]]:
    """``fold(record key) -> {wiki: [titles]}``, in wiki then page order. Without ``same``,
    the record key is the title itself. With ``only``, the groups of those keys only."""
    groups: dict[str, dict[str, list[str]]] = {}
    for wiki, names in titles.items():
        for title in names:
            key = fold(same.key(wiki, title) if same is not None else title)
            if only is None or key in only:
                groups.setdefault(key, {}).setdefault(wiki, []).append(title)
    return groups


def _lacking_groups(wikis: Sequence[str], titles: Mapping[str, Iterable[str]],
                    same: Identity) -> dict[str, dict[str, list[str]]]:
    """The groups of :func:`_groups` that some of ``wikis`` have and some lack.

    Two passes: the first keeps one small int a group (which of ``wikis`` have it), so that
    the groups of the records found on every wiki, most of them, are never built (built all,
    they were 4 MB at the peak of an audit of 2 x 10,000 pages).
    """
    bits = {wiki: 1 << i for i, wiki in enumerate(wikis)}
    every = (1 << len(wikis)) - 1
    found: dict[str, int] = {}
    for wiki, names in titles.items():
        bit = bits.get(wiki, 0)
        for title in names:
            key = fold(same.key(wiki, title))
            found[key] = found.get(key, 0) | bit
    return _groups(titles, same, {key for key, on in found.items() if 0 < on < every})


#: ``(wiki, title) -> [(other wiki, other title)]``: records that are likely one lieu.
Partners = Mapping[tuple[str, str], Sequence[tuple[str, str]]]


def only_on_findings(wikis: Sequence[str], titles: Mapping[str, Iterable[str]],
                     same: Identity = Identity(), suggest: Partners | None = None, *,
                     groups: dict[str, dict[str, list[str]]] | None = None
                     ) -> list[Finding]:
    """``only-on`` for each record (grouped by :func:`fold` of its record key, so that the
    ``same:`` pairs are one record) absent from some of ``wikis``.

    ``wikis`` are the mapping's wikis in order; ``titles`` maps each to its record titles. The
    finding is reported on the first wiki that has the record. A likely partner (``suggest``)
    that is itself a record of a missing wiki only is named with the ``same:`` line to paste.
    ``groups``: ``_lacking_groups(wikis, titles, same)`` when the caller has it already.
    """
    findings: list[Finding] = []
    lonely: dict[tuple[str, str], list[str]] = {}  # (wiki, title) -> its group's wikis
    if groups is None:
        groups = _lacking_groups(wikis, titles, same)
    for group in groups.values():
        present = [w for w in wikis if group.get(w)]
        missing = [w for w in wikis if not group.get(w)]
        if not present or not missing:
            continue
        for wiki in present:
            for title in group[wiki]:
                lonely[(wiki, title)] = present
        detail = f"fiche présente sur {', '.join(present)} ; absente de {', '.join(missing)}"
        english = f"on {', '.join(present)}; missing on {', '.join(missing)}"
        findings.append(Finding("only-on", present[0], group[present[0]][0], None, detail,
                                detail_en=english))
    if not suggest:
        return findings
    out = []
    for finding in findings:
        here = lonely[(finding.wiki, finding.title)]
        mates = [(w, t) for w, t in suggest.get((finding.wiki, finding.title), ())
                 if w not in here and (w, t) in lonely and finding.wiki not in lonely[(w, t)]]
        if mates:
            pairs = [same_line(dict(sorted([(finding.wiki, finding.title), mate],
                                           key=lambda pair: wikis.index(pair[0]))))
                     for mate in mates]
            finding = replace(finding, detail=f"{finding.detail} ; peut-être le même lieu "
                              f"(mêmes valeurs des champs synchronisés), à ajouter au mapping : "
                              f"{' ou '.join(pairs)}",
                              detail_en=f"{finding.detail_en}; perhaps the same lieu (same "
                              f"values of the synced fields), to add to the mapping: "
                              f"{' or '.join(pairs)}")
        out.append(finding)
    return out


def likely_pairs(mapping: KindMapping,
                 records: Mapping[str, Iterable[tuple[str, Sequence[str]]]]) -> Partners:
    """Records of different wikis that are likely one lieu: every ``sync`` field both wikis
    map and both fill agrees (case, accents and punctuation folded), and there is one.

    ``records``: wiki -> its records as ``(title, values)``, ``values`` in the order of the
    mapping's ``sync`` ("" where unset).
    """
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    flat = [(wiki, title, {f: fold(v) for f, v in zip(mapping.sync, values, strict=True) if v})
            for wiki, rs in records.items() for title, values in rs]
    for i, (wiki, title, values) in enumerate(flat):
        for other_wiki, other, others in flat[i + 1:]:
            shared = values.keys() & others.keys()
            if other_wiki != wiki and shared and all(values[f] == others[f] for f in shared):
                found.setdefault((wiki, title), []).append((other_wiki, other))
                found.setdefault((other_wiki, other), []).append((wiki, title))
    return found


def duplicate_findings(titles: Mapping[str, Iterable[str]],
                       same: Identity = Identity()) -> list[Finding]:
    """``duplicate`` for each record whose title folds like another record's title.

    Records are told apart by their record key (a ``same:`` pair is one record whatever its
    titles). The record found on the most wikis (then the first found) is the reference; every
    other one is reported on each wiki that has it, naming the reference and where it is.
    """
    findings = []
    # the groups of one title's fold with two record keys or more, the only ones reported,
    # found before any group is built (see _lacking_groups)
    first: dict[str, str] = {}  # fold(title) -> the first record key found with it
    clashing = set()
    for wiki, names in titles.items():
        for title in names:
            folded, key = fold(title), same.key(wiki, title)
            if first.setdefault(folded, key) != key:
                clashing.add(folded)
    del first
    for group in _groups(titles, only=clashing).values():
        where: dict[str, list[tuple[str, str]]] = {}  # record key -> [(wiki, title)]
        for wiki, names in group.items():
            for title in names:
                where.setdefault(same.key(wiki, title), []).append((wiki, normalize_title(title)))
        if len(where) < 2:
            continue
        keys = list(where)
        reference = max(keys, key=lambda k: (len(where[k]), -keys.index(k)))
        ref_title = where[reference][0][1]
        ref_wikis = ", ".join(w for w, _t in where[reference])
        for key in keys:
            if key == reference:
                continue
            detail = (f"même nom que « {ref_title} » ({ref_wikis}) une fois "
                      "la casse, les accents et la ponctuation ignorés")
            english = (f"same name as “{ref_title}” ({ref_wikis}) once case, accents and "
                       "punctuation are ignored")
            findings.extend(Finding("duplicate", wiki, title, None, detail, detail_en=english)
                            for wiki, title in where[key])
    return findings


# --------------------------------------------------------------------------- pure: lists


def entry_duplicate_findings(lp: listsync.ListPage) -> list[Finding]:
    """``duplicate`` for entries of one list page whose keys fold to the same name."""
    groups: dict[str, list[str]] = {}
    for entry in lp.entries:
        groups.setdefault(fold(entry.key), []).append(entry.key)
    findings = []
    for keys in groups.values():
        if len(keys) > 1:
            names = ", ".join(f"« {k} »" for k in keys)
            detail = f"entrées en double dans la section « {lp.section} » : {names}"
            english = (f"entries listed twice in the section “{lp.section}”: "
                       + ", ".join(f"“{k}”" for k in keys))
            findings.append(Finding("duplicate", lp.wiki, lp.page.title, None, detail,
                                    detail_en=english))
    return findings


def named_title(raw: RawEntry, entry: ListEntry, wiki: str, ctx: LinkContext) -> str | None:
    """The lieu an entry names (its record key): its link's page on a configured wiki, or a
    plain name (words before a link to another site are one); None for a link to another
    site."""
    if entry.linked and link_title(raw.link, wiki, ctx) is None:
        return None
    return entry.key or None


def red_link_findings(lp: listsync.ListPage, ctx: LinkContext, has_page: HasPage,
                      ignored: Callable[[str], bool] = lambda title: False) -> list[Finding]:
    """``red-link`` for each entry of ``lp``, linked or plain text, naming a lieu that has a
    page on no configured wiki."""
    wikis = ctx.names()
    findings = []
    for raw, entry in zip(lp.raw, lp.entries, strict=True):
        title = named_title(raw, entry, lp.wiki, ctx)  # None for foreign links
        if title is None or ignored(title) or any(
                has_page(w, ctx.same.title_on(w, title)) for w in wikis):
            continue
        written = raw.text.split("\n", 1)[0].strip()[len(raw.bullet):].strip()
        verb = "pointe vers" if entry.linked else "nomme"
        detail = (f"l'entrée « {written} » (section « {lp.section} ») {verb} « {title} », "
                  f"qui n'a de page sur aucun wiki ({', '.join(wikis)})")
        english = (f"the entry “{written}” (section “{lp.section}”) "
                   f"{'links to' if entry.linked else 'names'} “{title}”, which "
                   f"has a page on no wiki ({', '.join(wikis)})")
        findings.append(Finding("red-link", lp.wiki, lp.page.title, None, detail,
                                detail_en=english))
    return findings


def _holders(entries: Mapping[str, Sequence[ListEntry]], key: str,
             wanted: ListEntry | None = None) -> list[str]:
    """The wikis whose page holds ``key`` (with exactly ``wanted`` when given)."""
    return [
        wiki for wiki, items in entries.items()
        if any(e.key == key and (wanted is None or e == wanted) for e in items)
    ]


def _lacking(entries: Mapping[str, Sequence[ListEntry]], key: str) -> list[str]:
    """The wikis whose page does not hold ``key``."""
    holders = _holders(entries, key)
    return [wiki for wiki in entries if wiki not in holders]


#: The words of a ``list-drift`` detail, in French (the report's) and in English.
DRIFT_WORDS = {
    "fr": {"on": "sur", "removed on": "retirée sur", "written otherwise on": "écrite autrement sur",
           "missing here": "manquantes ici", "to remove": "à retirer", "to change": "à modifier",
           "in conflict": "en conflit", "sep": " : "},
    "en": {"on": "on", "removed on": "removed on", "written otherwise on": "written otherwise on",
           "missing here": "missing here", "to remove": "to remove", "to change": "to change",
           "in conflict": "in conflict", "sep": ": "},
}
CONFLICT_WORDS_EN = {
    "changed-differently": "changed differently on the pages",
    "removed-and-changed": "removed on one page, changed on another",
    "added-differently": "added differently on the pages",
}


def _drift_parts(wiki: str, plan: ListPlan, entries: Mapping[str, Sequence[ListEntry]],
                 lang: str = "fr") -> list[str]:
    """What differs on one list page, each part naming the entries and the other pages."""
    w = DRIFT_WORDS[lang]
    conflict_words = CONFLICT_WORDS if lang == "fr" else CONFLICT_WORDS_EN
    page = plan.pages.get(wiki)
    parts = []
    if page is not None and page.add:
        items = [f"{e.key} ({w['on']} {', '.join(_holders(entries, e.key))})" for e in page.add]
        parts.append(w["missing here"] + w["sep"] + ", ".join(items))
    if page is not None and page.remove:
        items = [f"{k} ({w['removed on']} {', '.join(_lacking(entries, k))})"
                 for k in page.remove]
        parts.append(w["to remove"] + w["sep"] + ", ".join(items))
    if page is not None and page.change:
        items = [f"{e.key} ({w['written otherwise on']} "
                 f"{', '.join(_holders(entries, e.key, e))})" for e in page.change]
        parts.append(w["to change"] + w["sep"] + ", ".join(items))
    if plan.conflicts:
        items = [f"{c.key} ({conflict_words.get(c.kind, c.kind)})" for c in plan.conflicts]
        parts.append(w["in conflict"] + w["sep"] + ", ".join(items))
    return parts


def list_drift_findings(name: str, pages: Mapping[str, listsync.ListPage],
                        plan: ListPlan) -> list[Finding]:
    """``list-drift`` for each page of list ``name`` that the next sync would change, or all
    of them when the list has conflicts."""
    entries = {wiki: lp.entries for wiki, lp in pages.items()}
    entries = {wiki: [replace(e, key=normalize_title(e.key)) for e in es]
               for wiki, es in entries.items()}
    findings = []
    for wiki, lp in pages.items():
        parts = _drift_parts(wiki, plan, entries)
        if parts:
            detail = f"liste « {name} », section « {lp.section} » : " + " ; ".join(parts)
            english = (f"list “{name}”, section “{lp.section}”: "
                       + "; ".join(_drift_parts(wiki, plan, entries, "en")))
            findings.append(Finding("list-drift", wiki, lp.page.title, None, detail,
                                    detail_en=english))
    return findings


# --------------------------------------------------------------------------- reading


def ignore_rule(mapping: KindMapping, extra: Iterable[str]) -> Callable[[str], bool]:
    """Whether a title is ignored for ``mapping``'s kind (its ``ignore:`` or ``extra``)."""
    keys = {normalize_title(t) for t in extra}
    return lambda title: mapping.is_ignored(title) or normalize_title(title) in keys


@dataclass
class _KindScan:
    """What the read of one kind keeps between batches: findings and titles, no page text."""

    findings: list[Finding] = field(default_factory=list)
    titles: dict[str, list[str]] = field(default_factory=dict)
    pages: int = 0
    #: per wiki, in the order of ``titles``: each record's ``sync`` values in the mapping's
    #: order ("" where unset), None where all are unset (for the likely ``same:`` pairs). A
    #: tuple, not a record: at 2 x 10,000 pages, a ``Record`` and its dicts were 0.4 KB more
    #: a page at the audit's peak.
    synced: dict[str, list[tuple[str, ...] | None]] = field(default_factory=dict)
    #: the records whose page names their title on other wikis (the mapping's
    #: ``counterparts``), kept whole: they make the kind's identity
    named: list[Record] = field(default_factory=list)


def scan_pages(mapping: KindMapping, wiki: str, pages: Iterable[Page], *, stale_days: int,
               now: datetime, ignored: Callable[[str], bool], scan: _KindScan,
               progress: Progress | None = None) -> None:
    """Per-page findings of a stream of pages of ``mapping``'s category on ``wiki``.

    Each page is checked and dropped; only its title is kept (in ``scan.titles``) when it is a
    record.
    """
    titles = scan.titles.setdefault(wiki, [])
    synced = scan.synced.setdefault(wiki, [])
    for page in pages:
        scan.pages += 1
        if progress is not None:
            progress(f"{mapping.kind} / {wiki}", scan.pages)
        if ignored(page.title):
            continue
        stale = stale_finding(wiki, page, stale_days, now)
        if stale is not None:
            scan.findings.append(stale)
        try:
            record = record_from_page(mapping, wiki, page)
        except WikitextError as exc:
            scan.findings.append(missing_template_finding(mapping, wiki, page, str(exc)))
            continue
        titles.append(page.title)
        values = tuple(record.fields.get(f, "") for f in mapping.sync)
        synced.append(values if any(values) else None)
        if record.same:
            # kept without its page (the text): built, not replace()d, which took 6 µs a page
            scan.named.append(Record(record.kind, record.wiki, record.title, {}, None,
                                     record.same))
        scan.findings.extend(field_findings(mapping, record))


def audit_kind(app: App, mapping: KindMapping, options: AuditOptions, now: datetime,
               progress: Progress | None = None, down: dict[str, str] | None = None,
               lists: ListsAhead | None = None,
               after_read: Callable[[str], None] | None = None,
               ) -> tuple[list[Finding], int]:
    """Findings of one kind on every wiki of its mapping, and the number of pages read.

    With ``down``, a wiki that cannot be reached (or refuses the login) is added to it and its
    findings are left out, the other wikis' are still reported; a wiki already in ``down`` is
    not tried again. Without it, the error is raised.

    With ``lists``, each wiki's pages of the kind's lists are read and parsed into it too,
    while that wiki's category is read (:func:`audit_lists` then takes them from there).
    ``after_read(wiki)`` is called once a wiki's category is read, before the findings across
    wikis are worked out.
    """
    ignored = ignore_rule(mapping, options.ignore)
    days = options.stale_days or mapping.stale_after_days
    wikis = [w for w in mapping.wikis if w in app.config.wikis]

    def read_one(wiki: str) -> _KindScan:
        one = _KindScan()
        if down is not None and wiki in down:
            return one
        category = mapping.wiki(wiki).category
        log.info(_("audit: reading %(kind)s (Catégorie:%(category)s) on %(wiki)s")
                 % {"kind": mapping.kind, "category": category, "wiki": wiki})
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{wiki}-lists") as pool:
            # the list pages' one request and their parsing, while the category's later
            # answers are awaited: once its first answer is in, so that they never delay the
            # login (requests stay serial on the wiki)
            ahead: list[Future] = []
            pages = app.site(wiki).category_pages(category)
            if lists is not None:
                pages = _first_then(pages, lambda: ahead.append(
                    pool.submit(lists.read, app, mapping, wiki)))
            try:
                scan_pages(mapping, wiki, pages, stale_days=days, now=now, ignored=ignored,
                           scan=one, progress=progress)
            except (UnreachableError, LoginError) as exc:
                if down is None:
                    raise
                down[wiki] = str(exc)
                return _KindScan()
            finally:
                for future in ahead:
                    future.result()
        if after_read is not None:
            after_read(wiki)
        return one

    scan = _KindScan()
    for wiki, one in at_once(wikis, read_one).items():
        scan.findings.extend(one.findings)
        scan.titles[wiki] = one.titles.get(wiki, [])
        scan.synced[wiki] = one.synced.get(wiki, [])
        scan.named.extend(one.named)
        scan.pages += one.pages
    same = record_identity(mapping.same, scan.named, list(app.config.wikis))
    if not any(w in (down or {}) for w in wikis):  # else a record would seem to be missing
        scan.findings.extend(_only_on_with_partners(mapping, wikis, scan, same))
    scan.findings.extend(duplicate_findings(scan.titles, same))
    return scan.findings, scan.pages


def _only_on_with_partners(mapping: KindMapping, wikis: Sequence[str], scan: _KindScan,
                           same: Identity) -> list[Finding]:
    """``only-on`` findings, each naming its likely partners. The groups of the records some
    wikis lack are built once for both passes."""
    groups = _lacking_groups(wikis, scan.titles, same)
    lonely = {(f.wiki, f.title) for f in only_on_findings(wikis, scan.titles, same,
                                                           groups=groups)}
    candidates = {w: [(title, values)
                      for title, values in zip(scan.titles[w], scan.synced[w], strict=True)
                      if values is not None and (w, title) in lonely]
                  for w in scan.titles}
    return only_on_findings(wikis, scan.titles, same, likely_pairs(mapping, candidates),
                            groups=groups)


def _first_then(pages: Iterable[Page], then: Callable[[], None]) -> Iterator[Page]:
    """``pages``, calling ``then()`` once the first page is in (or at the end, if none)."""
    called = False
    for page in pages:
        yield page
        if not called:
            called = True
            then()
    if not called:
        then()


@dataclass
class ListsAhead:
    """The pages of a kind's lists, read and parsed while the kind's categories are read.

    ``pages``: (wiki, title) -> page; ``parsed``: (list, wiki) -> the page as
    :func:`listsync.parse_page` reads it; once all of a list's pages are parsed, their links'
    redirects are asked too (the Sites keep the answers). A page that cannot be read or parsed
    now is left out: :func:`audit_lists` reads it again and says why.
    """

    pages: dict[tuple[str, str], Page] = field(default_factory=dict)
    parsed: dict[tuple[str, str], listsync.ListPage] = field(default_factory=dict)
    _redirects_asked: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def read(self, app: App, mapping: KindMapping, wiki: str) -> None:
        lists = [lst for lst in app.config.lists_of_kind(mapping.kind) if wiki in lst.pages]
        titles = sorted({lst.pages[wiki].title for lst in lists})
        if not titles:
            return
        try:
            pages = app.site(wiki).read(titles)
        except WikiError as exc:
            log.debug("audit: list pages of %s not read ahead: %s", wiki, exc)
            return
        for title, page in pages.items():
            self.pages[(wiki, title)] = page
        for lst in lists:
            page = pages[lst.pages[wiki].title]
            if not page.exists:
                continue
            try:
                parsed = listsync.parse_page(lst, wiki, page, app.links)
            except WikisyncError as exc:
                log.debug("audit: list %s on %s not parsed ahead: %s", lst.name, wiki, exc)
                continue
            with self._lock:
                self.parsed[(lst.name, wiki)] = parsed
        for lst in lists:
            self._redirects_once_parsed(app, lst)

    def _redirects_once_parsed(self, app: App, lst: ListConfig) -> None:
        """Once every page of ``lst`` is parsed (by whichever thread parses the last), ask
        which of their links are redirects: the same requests as the list's own read would
        send, sent now; the Sites keep the answers, so that read sends none."""
        with self._lock:
            pages = {w: self.parsed.get((lst.name, w)) for w in lst.pages
                     if w in app.config.wikis}
            if lst.name in self._redirects_asked or any(p is None for p in pages.values()):
                return
            self._redirects_asked.add(lst.name)
        try:
            listsync.follow_redirects(app, pages, app.links)
        except WikiError as exc:  # the list's own read asks again and says why
            log.debug("audit: redirects of list %s not read ahead: %s", lst.name, exc)


def _open_state(state_dir: Path) -> State | None:
    """The sync state when one exists (its merge bases make list-drift exact), else None.
    Read-only: the audit never changes the state, nor waits for a running sync's lock."""
    if not (Path(state_dir) / "state.sqlite").exists():
        return None
    return State(state_dir, readonly=True)


def audit_lists(app: App, mapping: KindMapping, options: AuditOptions,
                state: State | None, unread: list[UnreadList] | None = None,
                ahead: ListsAhead | None = None) -> list[Finding]:
    """``red-link``, ``list-drift`` and entry ``duplicate`` findings of the kind's lists.

    A list whose page or section is missing is left out and added to ``unread`` (when given;
    else the error is raised), so that one renamed page does not hide every other finding.
    ``ahead``: list pages read and parsed already (by :func:`audit_kind`).
    """
    lists = app.config.lists_of_kind(mapping.kind)
    if not lists:
        return []
    ignored = ignore_rule(mapping, options.ignore)
    ctx = app.links
    findings: list[Finding] = []
    for lst in lists:
        log.info(_("audit: reading list %(list)s") % {"list": lst.name})
        try:
            read = listsync.read_list(app, lst, state, *(
                (ahead.pages, ahead.parsed) if ahead is not None else ()))
        except (PageMissingError, SectionMissingError, UnreachableError, LoginError,
                ListStopped) as exc:
            if unread is None:
                raise
            problem = ("page" if isinstance(exc, PageMissingError) else
                       "section" if isinstance(exc, SectionMissingError) else
                       "layout" if isinstance(exc, ListStopped) else "wiki")
            unread.append(UnreadList(lst.name, exc.wiki, problem, str(exc), exc.hint))
            continue
        findings.extend(list_drift_findings(lst.name, read.pages, read.plan))
        linked = sorted({
            title for lp in read.pages.values()
            for raw, entry in zip(lp.raw, lp.entries, strict=True)
            if (title := named_title(raw, entry, lp.wiki, ctx)) is not None
        })
        has_page = listsync.page_existence(app, linked)
        for lp in read.pages.values():
            findings.extend(red_link_findings(lp, ctx, has_page, ignored))
            findings.extend(entry_duplicate_findings(lp))
    return findings


def run_audit(app: App, options: AuditOptions = AuditOptions(), *,
              now: datetime | None = None, progress: Progress | None = None) -> AuditResult:
    """Read every audited kind and list and return the findings of the selected wikis."""
    now = now or datetime.now(UTC)
    kinds = tuple(dict.fromkeys(options.kinds)) or tuple(app.mappings)
    wikis = tuple(dict.fromkeys(options.wikis)) or tuple(app.config.wikis)
    for name in wikis:
        app.config.wiki(name)  # an unknown wiki is a usage error, before any read
    mappings = [app.mapping(kind) for kind in kinds]
    findings: list[Finding] = []
    unread: list[UnreadList] = []
    down: dict[str, str] = {}
    pages = 0
    state = _open_state(app.config.state_dir)
    try:
        for mapping, after in zip(mappings, [*mappings[1:], None], strict=True):
            def begin_next(wiki: str, after: KindMapping | None = after) -> None:
                # the next kind's category on this wiki is read while this kind's findings
                # across wikis and its lists are worked out
                if after is not None and wiki in after.wikis:
                    app.site(wiki).begin_category_read(after.wiki(wiki).category, whole=True)

            lists = ListsAhead()
            found, read = audit_kind(app, mapping, options, now, progress, down, lists,
                                     begin_next)
            pages += read
            found += audit_lists(app, mapping, options, state, unread, lists)
            findings.extend(replace(f, kind=mapping.kind) for f in found)
    finally:
        if state is not None:
            state.close()
    selected = sorted((f for f in findings if f.wiki in wikis), key=sort_key)
    return AuditResult(selected, tuple(kinds), tuple(wikis), now, pages, unread, down)


# --------------------------------------------------------------------------- publishing


def publish_report(app: App, wiki: str, title: str, text: str, summary: str,
                   same: Callable[[str, str], bool]) -> bool:
    """Write ``text`` as the whole of page ``title`` on ``wiki``, through the safe edit path.

    No edit when the page already holds the same report (``same(old, new)``, which ignores the
    date line). Returns whether an edit was made.
    """
    site = app.site(wiki)
    page = site.read([title])[title]
    if page.exists and same(page.text, text):
        log.info(_("audit: %(title)s on %(wiki)s already holds this report; no edit")
                 % {"title": title, "wiki": wiki})
        return False
    site.save(page, text, summary, create=not page.exists)
    log.info(_("audit: report written to %(title)s on %(wiki)s")
             % {"title": title, "wiki": wiki})
    return True
