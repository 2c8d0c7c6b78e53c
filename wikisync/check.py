"""``wikisync check``: reach every wiki, log in, report version, user and rights; and the same
check made by a run before its first write (:class:`WriteCheck`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from wikisync.app import App
from wikisync.errors import NotWritableError, WikisyncError
from wikisync.i18n import _, ngettext

log = logging.getLogger(__name__)


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
    #: rights held beyond what wikisync needs that can harm the wiki if the password leaks
    extra_rights: list[str] = field(default_factory=list)
    #: what to do about them (the grants to untick), one warning each
    warnings: list[str] = field(default_factory=list)
    #: the grants of Special:BotPasswords to untick, every one named by ``warnings``
    untick: list[str] = field(default_factory=list)
    error: str = ""
    hint: str = ""


def check_wikis(app: App) -> list[WikiStatus]:
    """One status per configured wiki; a failing wiki does not stop the others. A password
    that cannot be had is a config problem (:class:`ConfigError`), raised before any request.

    The bot password's effective rights (its grants as its account's groups allow them) are
    compared with what wikisync needs: each extra right that can harm the wiki is a warning
    naming the grants to untick (least privilege: a leaked password then does little harm)."""
    from wikisync.grants import extra_rights, grants_to_untick

    app.config.check_passwords()
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
        extras = extra_rights(rights.rights)
        statuses.append(
            WikiStatus(
                name, site.api_url, ok=True, version=rights.version, sitename=rights.sitename,
                user=rights.user, groups=[g for g in rights.groups if g not in ("*", "user")],
                rights=[r for r in rights.matter if r in rights.rights], missing=rights.missing,
                extra_rights=[e.right for e in extras], warnings=[e.message for e in extras],
                untick=grants_to_untick(extras),
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
    from wikisync.listsync import parse_page, read_pages

    ctx = app.links
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
            found.append(ngettext('"%(path)s" (%(count)d bullet)', '"%(path)s" (%(count)d bullets)',
                                  count) % {"path": path, "count": count})
    if not found:
        return ""
    return _("the section's own text has no bullet, and sub-sections are never read as part "
             "of it; bullets stand in %(places)s: to sync one of them, give its path as the "
             "list's section") % {"places": ", ".join(found)}


class WriteCheck:
    """Before a run's first save: every wiki it may write is reached, the account logged in
    with the right to edit and not blocked, and no page it is to write is protected against it
    (one batched request per wiki once logged in). A run that cannot finish everywhere writes
    nowhere: called before each first save, it raises :class:`NotWritableError` naming every
    problem. It checks once per run and remembers its verdict."""

    def __init__(self, app: App, pages: Mapping[str, list[str]]) -> None:
        self.app = app
        self.pages = pages  # wiki -> titles the run may write there (others: any record)
        self._verdict: NotWritableError | None = None
        self._done = False

    def __call__(self) -> None:
        if not self._done:
            self._verdict = self._check()
            self._done = True
        if self._verdict is not None:
            raise self._verdict

    def _check(self) -> NotWritableError | None:
        problems: list[tuple[str, str, str | None]] = []  # (wiki, problem, hint)
        for wiki, titles in self.pages.items():
            site = self.app.site(wiki)
            try:
                access = site.write_access(titles)
            except WikisyncError as exc:
                problems.append((wiki, str(exc), exc.hint))
                continue
            if access.blocked:
                problems.append((wiki, _("%(wiki)s: the account %(user)s is blocked")
                                 % {"wiki": wiki, "user": access.user}, None))
            elif "edit" not in access.rights:
                problems.append((wiki, _("%(wiki)s: the account %(user)s may not edit")
                                 % {"wiki": wiki, "user": access.user},
                                 _("give the bot password the grant 'Edit existing pages'")))
            for title, why in access.refused.items():
                problems.append((wiki, _("%(wiki)s: %(title)r is protected (%(why)s); the account "
                                         "%(user)s may not edit it")
                                 % {"wiki": wiki, "title": title, "why": why, "user": access.user},
                                 _("ask an administrator to unprotect the page or to give the "
                                   "account the right, or leave the page out of the config")))
        if not problems:
            return None
        log.debug("write check failed: %s", problems)
        return NotWritableError(
            problems[0][0],
            _("nothing was written, since the run could not finish on every wiki: "
              "%(problems)s") % {"problems": "; ".join(p for _w, p, _h in problems)},
            " ".join(dict.fromkeys(h for _w, _p, h in problems if h)) or None,
        )
