"""Several local wikis together, seeded, with a ``wikisync.yaml`` that points at them."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from wikisync.devwiki import LocalWiki, ensure_mediawiki
from wikisync.devwiki.dump import Revision

log = logging.getLogger(__name__)

SEED_DIR = Path(__file__).with_name("seed")
REPO_ROOT = Path(__file__).resolve().parents[2]

# The real wikis' hostnames; the local wikis stand in for them, so that links written with the
# real hostnames (as on the real pages) resolve to the local copies.
REAL_ARTICLE_URLS = {
    "fabmob": [
        "https://wiki.lafabriquedesmobilites.fr/wiki/",
        "https://wikixd.fabmob.io/wiki/",
        "https://fablog.initiative.place/wiki/",
    ],
    "movilab": [
        "https://movilab.org/wiki/",
        "https://movilab.initiative.place/wiki/",
        "https://wiki.laplumealoup.fr/wiki/",
    ],
}
SECTION = "Tiers Lieux intéressés"
# fabmob knows an interwiki prefix for movilab; movilab knows none (external links are used).
INTERWIKI = {"fabmob": {"movilab": "movilab"}, "movilab": {}}
LISTS = {
    "tiers-lieux-interesses": {
        "kind": "lieu",
        "pages": {
            "fabmob": {"title": "AMI Fabriques de Territoires", "section": SECTION},
            "movilab": {"title": "Fabriques de Territoire", "section": SECTION},
        },
    }
}


def seed_pages(name: str) -> tuple[str, list[dict]]:
    data = yaml.safe_load((SEED_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return data["sitename"], data["pages"]


@dataclass
class LocalFarm:
    """The local FabMob and Movilab wikis (or any names with a seed file)."""

    root: Path
    names: tuple[str, ...] = ("fabmob", "movilab")
    seed: bool = True
    wikis: dict[str, LocalWiki] = field(default_factory=dict)

    def install(self) -> None:
        ensure_mediawiki()
        self.root.mkdir(parents=True, exist_ok=True)
        for name in self.names:
            sitename, _ = seed_pages(name)
            self.wikis[name] = LocalWiki(name, sitename, self.root / name)
            self.wikis[name].install()
        for name, wiki in self.wikis.items():
            for prefix, other in INTERWIKI.get(name, {}).items():
                if other in self.wikis:
                    peer = self.wikis[other]
                    wiki.add_interwiki(prefix, peer.article_url, peer.api_url)
            if self.seed:
                wiki.import_pages(self.revisions(name))
            wiki.snapshot()

    def revisions(self, name: str) -> list[Revision]:
        _, pages = seed_pages(name)
        revs = []
        for page in pages:
            # MediaWiki strips trailing whitespace from every saved text: so do the seeds
            text = self.substitute(page["text"]).rstrip()
            kwargs = {k: page[k] for k in ("timestamp", "user") if k in page}
            revs.append(Revision(page["title"], text, **kwargs))
        return revs

    def substitute(self, text: str) -> str:
        for name, wiki in self.wikis.items():
            text = text.replace(f"@@{name}@@", wiki.article_url)
        return text

    def start(self) -> None:
        for wiki in self.wikis.values():
            wiki.start()

    def stop(self) -> None:
        for wiki in self.wikis.values():
            wiki.stop()

    def reset(self) -> None:
        for wiki in self.wikis.values():
            wiki.reset()

    def write_config(self, folder: Path | None = None, state_dir: str = "state") -> Path:
        """Write ``wikisync.yaml`` and owner-only password files for the local wikis."""
        folder = folder or self.root
        secrets_dir = folder / "secrets"
        secrets_dir.mkdir(parents=True, exist_ok=True)
        wikis = {}
        for name, wiki in self.wikis.items():
            secret = secrets_dir / f"{name}.secret"
            secret.write_text(wiki.bot_password + "\n", encoding="utf-8")
            os.chmod(secret, 0o600)
            entry = {
                "api_url": wiki.api_url,
                "username": wiki.bot_login,
                "password_file": f"secrets/{name}.secret",
                "write_interval": 0,
                "article_urls": [wiki.article_url, *REAL_ARTICLE_URLS.get(name, [])],
            }
            interwiki = {p: o for p, o in INTERWIKI.get(name, {}).items() if o in self.wikis}
            if interwiki:
                entry["interwiki"] = interwiki
            wikis[name] = entry
        config = {
            "wikis": wikis,
            "mappings_dir": str(REPO_ROOT / "mappings"),
            "templates_dir": str(REPO_ROOT / "page_templates"),
            "state_dir": state_dir,
            "lists": LISTS,
        }
        path = folder / "wikisync.yaml"
        header = "# Written by wikisync.devwiki for the local wikis; passwords are in secrets/.\n"
        path.write_text(header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
        return path
