"""Records: the fields of structured pages, read and written through a kind's mapping.

``read_record`` / ``read_records`` turn pages into :class:`~wikisync.model.Record` objects;
``plan_field_edit`` computes the new text of a page whose fields change, proven by re-parsing
(in :mod:`wikisync.wikitext`). Nothing here talks to the network except through a ``WikiAPI``.

The parser is imported by the functions that read or edit a page's text, not with this module:
a run that reads no page (an idle ``sync``) never loads it (issue 16).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Mapping as AbcMapping
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from wikisync.errors import InputError, PageMissingError, WikitextError
from wikisync.i18n import _
from wikisync.mapping import Mapping, validate_value
from wikisync.model import Page, Record, WikiAPI

log = logging.getLogger(__name__)

T = TypeVar("T")


def record_from_page(mapping: Mapping, wiki: str, page: Page) -> Record:
    """The record a page holds; WikitextError when its template is absent or unreadable."""
    from wikisync import wikitext

    names = list(mapping.wiki(wiki).template_names)
    params = wikitext.read_fields(page.text, names)
    return Record(mapping.kind, wiki, page.title, mapping.from_params(wiki, params), page,
                  mapping.counterparts(wiki, params))


def read_record(site: WikiAPI, mapping: Mapping, wiki: str, title: str) -> Record:
    """The record of page ``title``; the error of a page without one readable call names it."""
    page = site.read([title])[title]
    if not page.exists:
        raise PageMissingError(wiki, _("no page %(title)r") % {"title": title},
                               _("check the title (it is case-sensitive after the first "
                                 "letter)"))
    try:
        return record_from_page(mapping, wiki, page)
    except WikitextError as exc:
        raise WikitextError(f"{wiki}:{page.title}: {exc}", exc.hint) from exc


def why_unreadable(mapping: Mapping, wiki: str, page: Page) -> str:
    """Why ``page`` holds no readable record (the parser's words), or "" when it holds one."""
    try:
        record_from_page(mapping, wiki, page)
    except WikitextError as exc:
        return str(exc)
    return ""


def read_records(site: WikiAPI, mapping: Mapping, wiki: str) -> Iterator[Record | Page]:
    """Every page of the kind's category on ``wiki``: a Record, or the bare Page when the page
    lacks the kind's template (the audit reports those)."""
    category = mapping.wiki(wiki).category
    for page in site.category_pages(category):
        try:
            yield record_from_page(mapping, wiki, page)
        except WikitextError as exc:
            log.debug("%s: %s: %s", wiki, page.title, exc)
            yield page


def at_once(wikis: list[str], work: Callable[[str], T]) -> dict[str, T]:
    """``work(wiki)`` for every wiki in ``wikis`` (in that order), the wikis worked on at once:
    each by a thread of its own, so that one wiki's server time does not wait for the other's.
    Requests stay serial on every wiki (see :class:`wikisync.site.Site`)."""
    if len(wikis) < 2:
        return {wiki: work(wiki) for wiki in wikis}
    with ThreadPoolExecutor(max_workers=len(wikis), thread_name_prefix="wiki") as pool:
        return dict(zip(wikis, pool.map(work, wikis), strict=True))


def read_records_of(site_of: Callable[[str], WikiAPI], mapping: Mapping, wikis: list[str]
                    ) -> dict[str, list[Record | Page]]:
    """:func:`read_records` of every wiki in ``wikis``, the wikis read :func:`at_once`."""
    return at_once(wikis, lambda wiki: list(read_records(site_of(wiki), mapping, wiki)))


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["ville=Gex", "nom=A=B"]`` -> ``{"ville": "Gex", "nom": "A=B"}``."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(_("--set %(pair)r: expected FIELD=VALUE") % {"pair": pair})
        values[name.strip()] = value
    return values


def check_fields(mapping: Mapping, values: AbcMapping[str, str]) -> None:
    """Unknown fields and invalid values are InputErrors that name what is expected."""
    unknown = [name for name in values if name not in mapping.fields]
    if unknown:
        raise InputError(
            _("unknown field(s) for kind %(kind)r: %(unknown)s") % {
                "kind": mapping.kind, "unknown": ', '.join(unknown)},
            _("known fields: %(fields)s") % {"fields": ', '.join(mapping.fields)},
        )
    problems = []
    for name, value in values.items():
        if value.strip():
            problem = validate_value(mapping.fields[name], value.strip())
            if problem:
                problems.append(f"{name}={value!r}: {problem}")
    if problems:
        raise InputError(_("invalid value(s): %(problems)s") % {"problems": "; ".join(problems)})


def plan_field_edit(
    mapping: Mapping, wiki: str, page: Page, changes: AbcMapping[str, str]
) -> str:
    """The page's new text with only the mapped params of ``changes`` changed."""
    wmap = mapping.wiki(wiki)
    unmapped = [name for name in changes if wmap.param_for(name) is None]
    if unmapped:
        raise InputError(
            _("%(wiki)s does not map field(s) %(unmapped)s for kind %(kind)r") % {
                "wiki": wiki, "unmapped": ', '.join(unmapped), "kind": mapping.kind},
            _("fields mapped on %(wiki)s: %(mapped_fields)s") % {
                "wiki": wiki, "mapped_fields": ', '.join(mapping.mapped_fields(wiki))},
        )
    from wikisync import wikitext

    params = {wmap.param_for(name): value for name, value in changes.items()}
    return wikitext.set_fields(page.text, list(wmap.template_names), params)


def unified_diff(title: str, before: str, after: str, wiki: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=f"{wiki}:{title} (now)", tofile=f"{wiki}:{title} (after)",
    )
    text = "".join(lines)
    return text if text.endswith("\n") or not text else text + "\n"


def edit_summary(mapping: Mapping, wiki: str, names: Iterable[str]) -> str:
    """The French edit summary of a change to fields, naming the wiki's parameters:
    ``wikisync: mise à jour de « Code postal », « Site web »``."""
    wmap = mapping.wiki(wiki)
    params = [f"« {wmap.param_for(name) or name} »" for name in names]
    return f"wikisync: mise à jour de {', '.join(params)}"
