"""The benchmark's wikis and what they hold, seeded through MediaWiki's own ``importDump.php``
(``--no-updates``), the lieux' category rows then written as ``refreshLinks.php`` writes them
(:meth:`wikisync.devwiki.LocalWiki.add_category_links`: it would parse every page, 80 % of the
seeding's time).

A :class:`Corpus` farm is the local FabMob and Movilab wikis (no test seed) with:

- the seed's templates (they put the lieux in their categories);
- ``n`` lieux on each wiki, the same titles on both, with equal ``sync`` fields (so that a sync
  of an untouched farm has nothing to do);
- the list page of each wiki, whose section holds the same ``list_size`` entries.

Revisions are stamped with the time of the import (after the wiki's own first revision):
git-remote-mediawiki enumerates revisions from revision 1's timestamp on, so older imported
revisions would be invisible to it.

The wikis live on ``/dev/shm`` when it exists (no disk writes: faster imports, steadier
timings, the same for every tool).
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wikisync.devwiki import LocalWiki
from wikisync.devwiki.dump import Revision
from wikisync.devwiki.farm import LISTS, REPO_ROOT, LocalFarm, seed_pages
from wikisync.mapping import load_mappings
from wikisync.records import at_once

log = logging.getLogger(__name__)

CITIES = ["Amiens", "Brest", "Caen", "Dijon", "Gex", "Lille", "Limoges", "Lyon", "Nantes", "Toucy"]
LIST_NAME = "tiers-lieux-interesses"
FILLER = ("Un lieu ouvert où l'on répare, fabrique et apprend ensemble : ateliers vélo, "
          "fablab, café associatif et permanences numériques. ")


def scratch_root() -> Path:
    """A fresh folder for the wikis, in memory when the machine has ``/dev/shm``."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() else None
    return Path(tempfile.mkdtemp(prefix="wikisync-bench-", dir=base))


def lieu_title(i: int) -> str:
    return f"Tiers-lieu {CITIES[i % len(CITIES)]} n°{i:04d}"


def city(i: int) -> str:
    return CITIES[i % len(CITIES)]


def _body(i: int) -> str:
    return FILLER * 8 + f"Fiche n°{i}.\n\n== Contacts ==\nÉcrire au lieu.\n"


def fabmob_lieu(i: int) -> str:
    return (
        "{{Acteur\n"
        f"|Titre={lieu_title(i)}\n"
        f"|shortDescription=Tiers-lieu numéro {i}\n"
        f"|villes d'implantation={city(i)}\n"
        "|Theme=Vélo et Mobilités Actives,Données ouvertes\n"
        f"|url=https://tl-{i:04d}.example.org/\n"
        f"|Adherent={'oui' if i % 2 else 'non'}\n"
        "}}\n== Présentation ==\n" + _body(i)
    )


def movilab_lieu(i: int) -> str:
    return (
        "{{Tiers-Lieux\n"
        f"|Titre={lieu_title(i)}\n"
        f"|Code postal={14000 + i:05d}\n"
        f"|Ville={city(i)}\n"
        f"|Site web=https://tl-{i:04d}.example.org/\n"
        "|Thème=Gouvernance, Animation\n"
        "}}\n== Le Lieu ==\n" + _body(i)
    )


def list_line(i: int, annotation: str | None = None) -> str:
    return f"* [[{lieu_title(i)}]] – {annotation or city(i)}\n"


def list_page(section: str, lines: list[str]) -> str:
    return (f"Les lieux qui ont répondu à l'appel.\n\n== {section} ==\n{''.join(lines)}\n"
            "== Contacts ==\nÉcrire à l'équipe.")


def list_ref(wiki: str) -> dict[str, str]:
    """``{"title": ..., "section": ...}`` of the list's page on ``wiki``."""
    return LISTS[LIST_NAME]["pages"][wiki]


def revisions(wiki: str, n: int, list_size: int) -> list[Revision]:
    """What one wiki of the farm is seeded with."""
    _, seed = seed_pages(wiki)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    revs = [Revision(p["title"], p["text"], timestamp=stamp) for p in seed
            if p["title"].startswith("Modèle:")]
    make = fabmob_lieu if wiki == "fabmob" else movilab_lieu
    revs += [Revision(lieu_title(i), make(i), timestamp=stamp) for i in range(n)]
    ref = list_ref(wiki)
    lines = [list_line(i) for i in range(list_size)]
    revs.append(Revision(ref["title"], list_page(ref["section"], lines), timestamp=stamp))
    return revs


def lieu_categories(farm: LocalFarm) -> dict[str, str]:
    """wiki -> the category its lieu template puts a page in (the ``lieu`` mapping's, from the
    mappings the farm's config names)."""
    lieu = load_mappings(REPO_ROOT / "mappings")["lieu"]
    return {name: lieu.wiki(name).category for name in farm.wikis}


def members(wiki: str, n: int, category: str) -> dict[str, str]:
    """title -> category of the ``n`` lieux of ``wiki``: the only category links the bench
    reads (the list page is in none)."""
    return {lieu_title(i): category for i in range(n)}


@dataclass
class Corpus:
    """A farm of the two wikis with ``n`` lieux each and a list of ``list_size`` entries."""

    farm: LocalFarm
    root: Path
    n: int
    list_size: int

    @property
    def wikis(self) -> dict[str, LocalWiki]:
        return self.farm.wikis

    def config(self, folder: Path) -> Path:
        """A fresh ``wikisync.yaml`` (with its own state folder) in ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        return self.farm.write_config(folder)


def build(root: Path, n: int, list_size: int) -> Corpus:
    """Install both wikis, import their pages (in parallel, one per core), snapshot, serve."""
    farm = LocalFarm(root / "wikis", seed=False)
    t0 = time.monotonic()
    farm.install()
    t1 = time.monotonic()
    categories = lieu_categories(farm)
    at_once(list(farm.wikis),  # importDump --no-updates, then the lieux' category rows
            lambda name: farm.wikis[name].import_pages(
                revisions(name, n, list_size), bulk=True,
                categories=members(name, n, categories[name])))
    for wiki in farm.wikis.values():
        wiki.snapshot()
    farm.start()
    print(f"  wikis with {n} lieux each: installed in {t1 - t0:.0f}s, "
          f"{n} lieux and a {list_size}-entry list imported per wiki with importDump.php "
          "--no-updates and their category rows in "
          f"{time.monotonic() - t1:.0f}s", flush=True)
    return Corpus(farm, root, n, list_size)
