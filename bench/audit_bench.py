"""Benchmark of ``wikisync audit`` against a naive one-request-per-page read with mwclient.

Two fresh local wikis (FabMob-like and Movilab-like, :class:`wikisync.devwiki.farm.LocalFarm`
without the seed) each receive ``--pages`` lieu pages (default 2,000) and one list page through
MediaWiki's own ``importDump.php``. Then, in the same run and against the same pages:

1. ``run_audit`` (the core of ``wikisync audit``), ``--repeat`` times (median shown), its API
   requests counted per wiki by the Site's session and by the PHP server's log;
2. ``wikisync audit`` as a user runs it (a subprocess, Python start-up included), timed;
3. a what-if: the same audit with the bot logged in (``apihighlimits``) and
   ``Site.category_pages`` reading 500 pages a request instead of 50 (patched for that run);
4. a naive mwclient loop: list the category, then ``page.text()`` for each page.

Targets (from issue 5): at most ``pages/50 + 10`` requests per wiki for the audit, and the audit
at least 20 times faster than the naive read. Figures are printed; nothing is asserted.

    python -m bench audit -- --pages 2000 [--repeat 3] [--root DIR] [--skip-naive]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import mwclient
import requests

from wikisync import site as site_module
from wikisync.app import App
from wikisync.audit import run_audit
from wikisync.config import load_config
from wikisync.devwiki.dump import Revision
from wikisync.devwiki.farm import LISTS, LocalFarm, seed_pages
from wikisync.records import at_once

CITIES = ["Amiens", "Brest", "Caen", "Dijon", "Gex", "Lille", "Limoges", "Lyon", "Nantes", "Toucy"]
API_LINE = re.compile(r"\]: (GET|POST) /api\.php")
LIST_ENTRIES = 40


@dataclass
class Run:
    """One timed read: label, pages read, seconds, requests per wiki (session and server log)."""

    label: str
    pages: int
    seconds: float
    requests: dict[str, int]
    logged: dict[str, int]


# --------------------------------------------------------------------------- the wikis


def lieu_title(i: int) -> str:
    return f"Tiers-lieu {CITIES[i % len(CITIES)]} n°{i:04d}"


def _filler(i: int) -> str:
    return ("Un lieu ouvert où l'on répare, fabrique et apprend ensemble. " * 12 + f"({i})\n")


def fabmob_lieu(i: int) -> str:
    ville = "" if i % 100 == 1 else CITIES[i % len(CITIES)]
    return (
        "{{Acteur\n"
        f"|Titre={lieu_title(i)}\n"
        f"|shortDescription=Tiers-lieu numéro {i}\n"
        f"|villes d'implantation={ville}\n"
        "|Theme=Vélo et Mobilités Actives,Données ouvertes\n"
        f"|url=https://tl-{i:04d}.example.org/\n"
        f"|Adherent={'oui' if i % 2 else 'non'}\n"
        "}}\n== Présentation ==\n" + _filler(i)
    )


def movilab_lieu(i: int) -> str:
    code = "1446" if i % 100 == 2 else f"{14000 + i:05d}"
    return (
        "{{Tiers-Lieux\n"
        f"|Titre={lieu_title(i)}\n"
        f"|Code postal={code}\n"
        f"|Ville={CITIES[i % len(CITIES)]}\n"
        f"|Site web=https://tl-{i:04d}.example.org/\n"
        "|Thème=Gouvernance, Animation\n"
        "}}\n== Le Lieu ==\n" + _filler(i)
    )


def list_page(title: str, section: str, offset: int) -> str:
    entries = "".join(f"* [[{lieu_title(i)}]] – {CITIES[i % len(CITIES)]}\n"
                      for i in range(offset, offset + LIST_ENTRIES))
    return f"Intro.\n\n== {section} ==\n{entries}\n== Contacts ==\nÉcrire à l'équipe.\n"


def bench_revisions(name: str, pages: int) -> list[Revision]:
    """Templates of the seed, ``pages`` lieux (a few faulty, a few old), and the list page."""
    _, seed = seed_pages(name)
    revs = [Revision(p["title"], p["text"]) for p in seed if p["title"].startswith("Modèle:")]
    recent = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    make = fabmob_lieu if name == "fabmob" else movilab_lieu
    for i in range(pages):
        if name == "movilab" and i % 20 == 0:
            continue  # 5 % of the lieux are on FabMob only
        stamp = "2019-03-01T09:00:00Z" if i % 50 == 3 else recent
        revs.append(Revision(lieu_title(i), make(i), timestamp=stamp))
    ref = LISTS["tiers-lieux-interesses"]["pages"][name]
    revs.append(Revision(ref["title"], list_page(ref["title"], ref["section"],
                                                 0 if name == "fabmob" else 5), timestamp=recent))
    return revs


def build_farm(root: Path, pages: int) -> tuple[LocalFarm, Path]:
    farm = LocalFarm(root / "wikis", seed=False)
    t0 = time.monotonic()
    farm.install()
    print(f"installed 2 wikis in {time.monotonic() - t0:.1f}s", flush=True)
    t0 = time.monotonic()
    revs = {name: bench_revisions(name, pages) for name in farm.wikis}
    at_once(list(farm.wikis), lambda name: farm.wikis[name].import_pages(revs[name]))
    print(f"imported {' and '.join(str(len(r)) for r in revs.values())} pages "
          f"({' and '.join(revs)}) with importDump.php in {time.monotonic() - t0:.1f}s",
          flush=True)
    farm.start()
    return farm, farm.write_config(root)


# --------------------------------------------------------------------------- counting


def logged_requests(farm: LocalFarm) -> dict[str, int]:
    """API requests each PHP server has logged so far."""
    counts = {}
    for name, wiki in farm.wikis.items():
        log = wiki.root / "server.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        counts[name] = sum(1 for line in text.splitlines() if API_LINE.search(line))
    return counts


def _delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before.get(name, 0) for name in after}


class CountingSession(requests.Session):
    """A requests session that counts its API requests (for the naive mwclient loop)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def request(self, method, url, *args, **kwargs):
        if str(url).endswith("api.php"):
            self.count += 1
        return super().request(method, url, *args, **kwargs)


# --------------------------------------------------------------------------- the runs


def run_core(farm: LocalFarm, config: Path, repeat: int, label: str = "wikisync audit (core)",
             login: bool = False) -> tuple[Run, int]:
    """``run_audit`` ``repeat`` times on a fresh App each time; the median run is kept."""
    runs = []
    for _ in range(repeat):
        app = App(load_config(config))
        for site in app.sites.values():
            if login:
                site.login()
            site.session.counts.clear()
        before = logged_requests(farm)
        t0 = time.perf_counter()
        result = run_audit(app)
        seconds = time.perf_counter() - t0
        requests_ = {name: site.session.total for name, site in app.sites.items()}
        runs.append(Run(label, result.pages_read, seconds, requests_,
                        _delta(logged_requests(farm), before)))
    detail = {name: dict(site.session.counts) for name, site in app.sites.items()}
    print(f"{label}: requests by kind: {detail}; seconds: "
          f"{', '.join(f'{r.seconds:.2f}' for r in runs)}", flush=True)
    return sorted(runs, key=lambda r: r.seconds)[(len(runs) - 1) // 2], len(result.findings)


def run_core_highlimits(farm: LocalFarm, config: Path, repeat: int) -> Run:
    """What if: the bot logged in (apihighlimits) and Site.category_pages read 500 pages a
    request. Site reads 50 today; the batch size is patched for this run only."""
    saved = site_module.CONTENT_BATCH
    site_module.CONTENT_BATCH = 500
    try:
        run, _ = run_core(farm, config, repeat, "what-if: 500/request (login excluded)", login=True)
    finally:
        site_module.CONTENT_BATCH = saved
    return run


def run_cli(farm: LocalFarm, config: Path, out: Path) -> Run:
    before = logged_requests(farm)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "wikisync", "--config", str(config), "audit", "--format", "json",
         "--output", str(out)], capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 3):
        print(proc.stderr, file=sys.stderr)
    logged = _delta(logged_requests(farm), before)
    return Run("wikisync audit (CLI, subprocess)", 0, seconds, dict(logged), logged)


def run_naive(farm: LocalFarm) -> Run:
    """List each lieu category, then one ``page.text()`` request per page, with mwclient."""
    categories = {"fabmob": "Acteur", "movilab": "Tiers-Lieux"}
    before = logged_requests(farm)
    counts: dict[str, int] = {}
    pages = 0
    t0 = time.perf_counter()
    for name, wiki in farm.wikis.items():
        session = CountingSession()
        parts = urlsplit(wiki.api_url)
        site = mwclient.Site(parts.netloc, path="/", scheme=parts.scheme, pool=session,
                             clients_useragent="wikisync-bench (naive loop)")
        for page in site.categories[categories[name]]:
            page.text()
            pages += 1
        counts[name] = session.count
    seconds = time.perf_counter() - t0
    return Run("naive mwclient loop (page.text())", pages, seconds, counts,
               _delta(logged_requests(farm), before))


# --------------------------------------------------------------------------- output


def print_table(runs: list[Run], names: list[str], pages: int) -> None:
    cols = [f"req {n}" for n in names] + [f"log {n}" for n in names]
    head = f"{'read':<36} {'pages':>6} {'seconds':>8} " + " ".join(f"{c:>12}" for c in cols)
    print()
    print(head)
    print("-" * len(head))
    for run in runs:
        cells = [run.requests.get(n, 0) for n in names] + [run.logged.get(n, 0) for n in names]
        shown = str(run.pages) if run.pages else "-"
        print(f"{run.label:<36} {shown:>6} {run.seconds:>8.2f} "
              + " ".join(f"{c:>12}" for c in cells))
    print()
    limit = pages // 50 + 10
    core = runs[0]
    worst = max(core.requests.values())
    print(f"requests per wiki (audit): at most {worst}; target <= {pages}/50 + 10 = {limit}: "
          f"{'met' if worst <= limit else 'MISSED'}")
    naive = next((r for r in runs if r.label.startswith("naive")), None)
    if naive is not None:
        ratio = naive.seconds / core.seconds
        print(f"speed-up of the audit over the naive read: {ratio:.1f}x; target >= 20x: "
              f"{'met' if ratio >= 20 else 'MISSED'}")
        for run in runs[1:]:
            if run is not naive:
                print(f"speed-up of {run.label}: {naive.seconds / run.seconds:.1f}x")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench audit")
    parser.add_argument("--pages", type=int, default=2000, help="lieu pages per wiki")
    parser.add_argument("--root", type=Path, help="where to build the wikis (default: a temp dir)")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive mwclient loop")
    parser.add_argument("--repeat", type=int, default=3,
                        help="audit runs (the median is shown; the naive loop runs once)")
    parser.add_argument("--quick", action="store_true", help="300 pages per wiki, 2 runs")
    args, _ = parser.parse_known_args(argv)  # options meant for other benchmarks are ignored
    if args.quick:
        args.pages, args.repeat = min(args.pages, 300), min(args.repeat, 2)
    with tempfile.TemporaryDirectory(prefix="wikisync-bench-") as tmp:
        root = (args.root or Path(tmp)).resolve()
        farm, config = build_farm(root, args.pages)
        try:
            core, findings = run_core(farm, config, args.repeat)
            print(f"audit: {core.pages} pages read, {findings} findings", flush=True)
            runs = [core, run_cli(farm, config, root / "audit.json"),
                    run_core_highlimits(farm, config, args.repeat)]
            if not args.skip_naive:
                runs.append(run_naive(farm))
            print_table(runs, list(farm.wikis), args.pages)
        finally:
            farm.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
