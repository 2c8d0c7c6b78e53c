"""The outputs of ``wikisync audit``: a terminal table, JSON, CSV and a French wiki page.

Pure functions of an :class:`~wikisync.audit.AuditResult`; nothing here reads or writes a wiki.

- :func:`as_table`: findings grouped by code, each group headed by its count, then a total.
- :func:`as_json`: one document ``{"generated_at", "kinds", "wikis", "total", "counts",
  "findings": [{"code", "wiki", "title", "field", "detail", "kind", "url", "detail_fr"}],
  "unread_lists":
  [{"name", "wiki", "problem", "message", "hint"}], "failed_wikis": [{"wiki", "error"}]}``;
  every code is in ``counts``; an absent field or URL is ``null``.
- Lists the audit could not read (a missing page or section) end the table, sit in the JSON's
  ``unread_lists`` and follow the counts on the wiki page; CSV rows are findings only.
- :func:`as_csv`: one row per finding, columns ``code, wiki, title, field, detail, kind, url,
  detail_fr``.
- Details are English on the terminal, in JSON's and CSV's ``detail``; French (the wikis'
  language) on the published page and in ``detail_fr``.
- :func:`as_wikitext`: the report page in French: an introduction with the date and the counts,
  then one sortable ``wikitable`` per code that has findings, with a link to each page.

The date of a published report
------------------------------
The date sits alone on one line of the page, marked with :data:`DATE_MARKER`.
:func:`same_report` compares two reports without that line, so publishing again while the
findings are the same makes no edit (no watchlist noise, no history growth): the date on the
wiki is then the date of the report that last *changed* the page, which the introduction says.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime

from wikisync.audit import CODES, AuditResult
from wikisync.config import Config
from wikisync.i18n import _, language, ngettext
from wikisync.model import Finding

DATE_MARKER = "<!-- wikisync:date -->"
CSV_COLUMNS = ("code", "wiki", "title", "field", "detail", "kind", "url", "detail_fr")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
HEADINGS = {
    "stale": "Pages non modifiées depuis longtemps",
    "missing-field": "Champs obligatoires manquants",
    "invalid-field": "Valeurs invalides",
    "missing-template": "Pages de la catégorie sans le modèle",
    "red-link": "Liens rouges dans les listes",
    "only-on": "Fiches absentes d'un des wikis",
    "list-drift": "Listes différentes d'un wiki à l'autre",
    "duplicate": "Doublons",
}
FORMATS = ("table", "json", "csv")
UNREAD_WORDS = {"page": "page absente", "section": "section absente de la page",
                "wiki": "wiki injoignable",
                "layout": "une ligne de la section que wikisync ne sait pas lire sans risque"}

#: ``link(wiki, title)``: wikitext of a link to ``title`` on ``wiki``, from the report's wiki.
LinkMaker = Callable[[str, str], str]


#: ``url(wiki, title)``: the address of a page (``WikiConfig.page_url``).
UrlMaker = Callable[[str, str], str]


def render(result: AuditResult, fmt: str, url: UrlMaker | None = None) -> str:
    """The result in ``fmt`` (one of :data:`FORMATS`); ``url`` gives JSON findings their
    page's address."""
    if fmt == "table":
        return as_table(result)
    return (as_json if fmt == "json" else as_csv)(result, url)


def _by_code(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by code, in :data:`CODES` order (codes without findings left out)."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.code, []).append(finding)
    order = {code: i for i, code in enumerate(CODES)}
    return dict(sorted(groups.items(), key=lambda item: order.get(item[0], len(CODES))))


# --------------------------------------------------------------------------- terminal


def as_table(result: AuditResult) -> str:
    """Findings grouped by code with counts, for a terminal."""
    scope = _("%(count)d kind(s) (%(kinds)s) on %(wikis)s; %(pages)d page(s) read") % {
        "count": len(result.kinds), "kinds": ", ".join(result.kinds),
        "wikis": ", ".join(result.wikis), "pages": result.pages_read}
    not_read = _("Not read: %(why)s.")
    unread = [not_read % {"why": why} for why in result.down.values()]  # each names its wiki
    unread += [not_read % {"why": u.message} for u in result.unread if u.wiki not in result.down]
    if result.clean:
        return "\n".join([_("No findings: %(scope)s.") % {"scope": scope}, *unread]) + "\n"
    lines: list[str] = []
    for code, findings in _by_code(result.findings).items():
        lines.append(f"{code} ({len(findings)})")
        lines.extend(_table_rows(findings))
        lines.append("")
    counts = ", ".join(f"{code} {n}" for code, n in result.counts.items() if n)
    lines.append(ngettext("%(count)d finding: %(counts)s. Audited %(scope)s.",
                          "%(count)d findings: %(counts)s. Audited %(scope)s.",
                          len(result.findings)) % {
        "count": len(result.findings), "counts": counts, "scope": scope})
    lines.extend(unread)
    return "\n".join(lines) + "\n"


def _table_rows(findings: list[Finding]) -> list[str]:
    """Aligned rows ``wiki  title  field  detail`` of one code's findings, the detail in the
    person's language (French: as the published report says it)."""
    french = language() == "fr"
    cells = [(f.wiki, f.title, f.field or "", f.detail if french else english(f))
             for f in findings]
    widths = [max(_width(row[i]) for row in cells) for i in range(3)]
    rows = []
    for row in cells:
        head = "  ".join(cell + " " * (width - _width(cell))
                         for cell, width in zip(row[:3], widths, strict=True) if width)
        rows.append(f"  {head}  {row[3]}".rstrip())
    return rows


# --------------------------------------------------------------------------- data formats


def english(finding: Finding) -> str:
    """A finding's detail in English (the terminal's, JSON's and CSV's language)."""
    return finding.detail_en if finding.detail_en is not None else finding.detail


def _finding_json(finding: Finding, url: UrlMaker | None) -> dict:
    """A finding as JSON: ``detail`` in English, ``detail_fr`` as the published report says it,
    ``null`` for what is absent."""
    doc = asdict(finding)
    del doc["detail_en"]
    doc["detail"] = english(finding)
    doc["detail_fr"] = finding.detail
    doc["url"] = url(finding.wiki, finding.title) if url else None
    return doc


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal (wide characters such as emoji take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def as_json(result: AuditResult, url: UrlMaker | None = None) -> str:
    """One JSON document: what was audited, the counts and the findings (each with its kind
    and, given ``url``, its page's address; ``null`` when absent)."""
    document = {
        "generated_at": result.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kinds": list(result.kinds),
        "wikis": list(result.wikis),
        "total": len(result.findings),
        "counts": result.counts,
        "findings": [_finding_json(f, url) for f in result.findings],
        "unread_lists": [asdict(u) for u in result.unread],
        "failed_wikis": [{"wiki": wiki, "error": why} for wiki, why in result.down.items()],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def as_csv(result: AuditResult, url: UrlMaker | None = None) -> str:
    """One CSV row per finding, with a header row (the columns of the JSON findings)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for finding in result.findings:
        writer.writerow([finding.code, finding.wiki, finding.title, finding.field or "",
                         english(finding), finding.kind or "",
                         url(finding.wiki, finding.title) if url else "", finding.detail])
    return out.getvalue()


# --------------------------------------------------------------------------- wiki page


def french_date(moment: datetime) -> str:
    """``28 novembre 2026 à 11:13 UTC`` (no locale needed)."""
    return (f"{moment.day} {MONTHS[moment.month - 1]} {moment.year} à "
            f"{moment.strftime('%H:%M')} UTC")


def link_maker(config: Config, on_wiki: str) -> LinkMaker:
    """Links from a page of ``on_wiki``: internal, else interwiki, else an external link."""
    prefixes = config.wiki(on_wiki).interwiki  # other wiki -> prefix

    def link(wiki: str, title: str) -> str:
        if wiki == on_wiki:
            return f"[[:{title}]]"
        if wiki in prefixes:
            return f"[[:{prefixes[wiki]}:{title}|{title}]]"
        return f"[{config.wiki(wiki).page_url(title)} {_nowiki(title)}]"

    return link


def _nowiki(text: str) -> str:
    """``text`` shown as it is in a table cell: no markup, no line break, no cell separator."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return "<nowiki>" + flat.replace("&", "&amp;").replace("<", "&lt;") + "</nowiki>"


def as_wikitext(result: AuditResult, link: LinkMaker) -> str:
    """The French report page: introduction (date, counts), one sortable table per code."""
    total = len(result.findings)
    lines = [
        ("<!-- Page écrite par « wikisync audit --publish » : elle est remplacée à chaque "
         "rapport, les modifications faites ici seront perdues. -->"),
        f"Rapport du {french_date(result.at)}.{DATE_MARKER}",
        "",
        (f"Audit des fiches ({', '.join(result.kinds)}) sur {', '.join(result.wikis)} : "
         f"'''{_plural(total, 'constat', 'constats')}'''. "
         "La page n'est réécrite que lorsque les constats changent ; la date ci-dessus est "
         "celle du dernier changement."),
        "",
        '{| class="wikitable sortable"',
        "! Constat !! Code !! Nombre",
    ]
    for code, count in result.counts.items():
        lines += ["|-", f"| {HEADINGS.get(code, code)} || {code} || {count}"]
    lines.append("|}")
    lines += [f"\n'''Wiki non lu''' : {wiki} (injoignable) ; ses constats manquent à ce "
              "rapport." for wiki in result.down]
    lines += [f"\n'''Liste non lue''' : « {u.name} » sur {u.wiki} ({UNREAD_WORDS[u.problem]}) ; "
              "ses constats manquent à ce rapport." for u in result.unread]
    if result.clean:
        lines += ["", "Aucun constat : rien à reprendre."]
    for code, findings in _by_code(result.findings).items():
        lines += ["", f"== {HEADINGS.get(code, code)} ({len(findings)}) ==", *_wikitable(findings,
                                                                                     link)]
    return "\n".join(lines) + "\n"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n < 2 else many}"


def _wikitable(findings: list[Finding], link: LinkMaker) -> list[str]:
    """One sortable table; the ``Champ`` column only when some finding names a field."""
    with_field = any(f.field for f in findings)
    header = "! Wiki !! Page" + (" !! Champ" if with_field else "") + " !! Détail"
    lines = ['{| class="wikitable sortable"', header]
    for f in findings:
        cells = [f.wiki, link(f.wiki, f.title)]
        if with_field:
            cells.append(_nowiki(f.field or ""))
        cells.append(_nowiki(f.detail))
        lines += ["|-", "| " + " || ".join(cells)]
    lines.append("|}")
    return lines


def edit_summary(result: AuditResult) -> str:
    """The summary of the report's edit."""
    return f"wikisync : rapport d'audit, {_plural(len(result.findings), 'constat', 'constats')}"


def same_report(old: str, new: str) -> bool:
    """Whether two report texts differ only by their date line."""
    return _without_date(old) == _without_date(new)


def _without_date(text: str) -> str:
    kept = [line for line in text.splitlines() if DATE_MARKER not in line]
    return "\n".join(kept).strip()
