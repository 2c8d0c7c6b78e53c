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
