"""Write MediaWiki XML export files, for seeding local wikis through ``importDump.php``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

EXPORT_NS = "http://www.mediawiki.org/xml/export-0.11/"


@dataclass(frozen=True)
class Revision:
    title: str
    text: str
    # seeded pages look recently edited unless they say otherwise (a fixed date would turn stale)
    timestamp: str = field(default_factory=lambda: _days_ago(30))
    user: str = "Contributrice"
    comment: str = "import"


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_dump(path: Path, revisions: list[Revision], sitename: str = "wiki") -> None:
    """Write the revisions as one export file; revisions of one title stay in given order."""
    by_title: dict[str, list[Revision]] = {}
    for rev in revisions:
        by_title.setdefault(rev.title, []).append(rev)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f'<mediawiki xmlns="{EXPORT_NS}" version="0.11" xml:lang="fr">\n')
        fh.write(f"<siteinfo><sitename>{escape(sitename)}</sitename></siteinfo>\n")
        for title, revs in by_title.items():
            fh.write(f"<page><title>{escape(title)}</title>\n")
            for rev in revs:
                fh.write(_revision_xml(rev))
            fh.write("</page>\n")
        fh.write("</mediawiki>\n")


def _revision_xml(rev: Revision) -> str:
    return (
        "<revision>"
        f"<timestamp>{escape(rev.timestamp)}</timestamp>"
        f"<contributor><username>{escape(rev.user)}</username></contributor>"
        f"<comment>{escape(rev.comment)}</comment>"
        "<model>wikitext</model><format>text/x-wiki</format>"
        f'<text xml:space="preserve">{escape(rev.text)}</text>'
        "</revision>\n"
    )
