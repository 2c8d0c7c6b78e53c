"""``wikisync check``: reach every wiki, log in, report version, user and rights."""

from __future__ import annotations

from dataclasses import dataclass, field

from wikisync.app import App
from wikisync.errors import WikisyncError


@dataclass
class WikiStatus:
    wiki: str
    api_url: str
    ok: bool
    version: str = ""
    sitename: str = ""
    user: str = ""
    groups: list[str] = field(default_factory=list)
    rights: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    error: str = ""
    hint: str = ""


def check_wikis(app: App) -> list[WikiStatus]:
    """One status per configured wiki; a failing wiki does not stop the others."""
    statuses = []
    for name, site in app.sites.items():
        try:
            site.login()
            rights = site.rights()
        except WikisyncError as exc:
            statuses.append(
                WikiStatus(name, site.api_url, ok=False, error=str(exc), hint=exc.hint or "")
            )
            continue
        statuses.append(
            WikiStatus(
                name, site.api_url, ok=True, version=rights.version, sitename=rights.sitename,
                user=rights.user, groups=[g for g in rights.groups if g not in ("*", "user")],
                rights=[r for r in rights.matter if r in rights.rights], missing=rights.missing,
            )
        )
    return statuses


@dataclass
class ListPageStatus:
    """What ``check`` found on one page of a configured list."""

    list: str
    wiki: str
    title: str
    section: str
    entries: list[str] = field(default_factory=list)  # the keys, in page order
    error: str = ""
    hint: str = ""


def check_lists(app: App) -> list[ListPageStatus]:
    """Read every configured list on every page, as ``sync`` would (nothing is written).

    A section whose own text holds no entry while some of its sub-sections do gets a hint that
    names them and the path to configure (``"Section / Sub-section"``): sub-sections are never
    read as part of the list.
    """
    from wikisync import wikitext
    from wikisync.listsync import link_context, parse_page, read_pages

    ctx = link_context(app.config)
    out = []
    for lst in app.config.lists.values():
        try:
            pages = read_pages(app, lst)
        except WikisyncError as exc:
            ref = next(iter(lst.pages.values()))
            out.append(ListPageStatus(lst.name, "", ref.title, ref.section, error=str(exc),
                                      hint=exc.hint or ""))
            continue
        for wiki, page in pages.items():
            section = lst.pages[wiki].section
            status = ListPageStatus(lst.name, wiki, page.title, section)
            try:
                lp = parse_page(lst, wiki, page, ctx)
            except WikisyncError as exc:
                status.error, status.hint = str(exc), exc.hint or ""
            else:
                status.entries = [e.key for e in lp.entries]
                if not lp.entries and lp.listing is not None:
                    status.hint = _subsection_hint(wikitext, page.text, section,
                                                   lp.listing.subsections)
            out.append(status)
    return out


def _subsection_hint(wikitext, text: str, section: str, subsections: tuple[str, ...]) -> str:
    """Name the sub-sections that hold bullets, with the path that would sync each."""
    found = []
    for sub in subsections:
        path = f"{section} / {sub}"
        try:
            count = len(wikitext.read_list(text, path).entries)
        except WikisyncError:
            continue
        if count:
            found.append(f'"{path}" ({count} bullets)')
    if not found:
        return ""
    return ("the section's own text has no bullet, and sub-sections are never read as part of "
            "it; bullets stand in " + ", ".join(found) + ": to sync one of them, give its path "
            "as the list's section")
