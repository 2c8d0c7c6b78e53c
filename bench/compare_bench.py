"""wikisync against the tools people use today (issue 6), on local wikis, side by side.

    python -m bench compare [-- SCENARIO ... [--quick] [--reps N] [--out DIR] [--keep]]

Scenarios (default: all): ``read`` (N = 500 and 2,000 pages of one category: wikisync, a
naive mwclient loop, Pywikibot's PreloadingGenerator, git-remote-mediawiki), ``sync-idle``,
``sync-changes``, ``create`` (200 lieux: wikisync import vs Pywikibot pagefromfile), ``cpu``.
``--quick`` uses N = 100 and 400 (and a 100-entry list, 40 creations) for a run of a few minutes.

Two farms (FabMob-like and Movilab-like wikis, Debian's MediaWiki 1.39 on ``php -S``) are
built and seeded through ``importDump.php``: one with the small N, one with the large N. Each
tool runs in its own subprocess; wall time is the median of ``--reps`` runs (default 3; a tool
whose first run takes over 10 s runs once: :func:`bench.harness.repeat`). In ``read``, wikisync
and its floor in the same mode take turns, run for run (9 runs each with the bot). The
table is printed and written, with a JSON copy, to ``--out`` (default ``bench/out/``).
Pywikibot goes into ``bench/.venv`` and git-mediawiki comes from apt-get, both on first use; a
peer that cannot be installed is reported in its row. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import corpus as corpus_mod
from bench import peers
from bench.harness import SERVER_CPU_NOTE, Row, launcher_floor, table
from bench.scenarios import (
    READ,
    Context,
    scenario_cpu,
    scenario_create,
    scenario_read,
    scenario_read_far,
    scenario_sync_changes,
    scenario_sync_idle,
)

log = logging.getLogger(__name__)

SCENARIOS = ("read", "read-far", "sync-idle", "sync-changes", "create", "cpu")
OUT = Path(__file__).resolve().parent / "out"


@dataclass(frozen=True)
class Sizes:
    small: int
    large: int
    list_size: int
    creations: int


FULL = Sizes(small=500, large=2000, list_size=300, creations=200)
QUICK = Sizes(small=100, large=400, list_size=100, creations=40)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench compare --",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help=f"among {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller N, for a short run")
    parser.add_argument("--reps", type=int, default=3, help="runs per tool (median; >= 3)")
    parser.add_argument("--out", type=Path, default=OUT, help="where results and logs go")
    parser.add_argument("--keep", action="store_true", help="keep the wikis' folder")
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        log.warning("compare: ignoring options meant for other benchmarks: %s", unknown)
    bad = [s for s in args.scenarios if s not in SCENARIOS]
    if bad:
        parser.error(f"unknown scenario(s) {', '.join(bad)}; choose among {', '.join(SCENARIOS)}")
    args.scenarios = [s for s in SCENARIOS if s in args.scenarios] or list(SCENARIOS)
    return args


# --------------------------------------------------------------------------- the machine


def _first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mediawiki = _first_line(["dpkg-query", "-W", "-f", "${Version}", "mediawiki"])
    return {
        "cores (nproc)": _first_line(["nproc"]),
        "cpu": cpu,
        "python": platform.python_version(),
        "php": _first_line(["php", "-r", "echo PHP_VERSION;"]),
        "mediawiki": f"Debian mediawiki {mediawiki}, SQLite, php -S (2 workers)",
        "git-mediawiki": _first_line(["dpkg-query", "-W", "-f", "${Version}", "git-mediawiki"]),
        "pywikibot": _first_line([str(peers.pywikibot_python()), "-c",
                                  "import pywikibot; print(pywikibot.__version__)"])
        if peers.pywikibot_python().exists() else "not installed",
    }


# --------------------------------------------------------------------------- running


def prepare_peers(ctx: Context, scenarios: list[str]) -> None:
    if {"read", "read-far", "create"} & set(scenarios):
        ctx.pywikibot = peers.ensure_pywikibot()
    if "read" in scenarios:
        ctx.git = peers.ensure_git_mediawiki()
    for name, reason in (("Pywikibot", ctx.pywikibot), ("git-mediawiki", ctx.git)):
        if reason:
            print(f"  {name} will be skipped: {reason}", flush=True)


def run_on(ctx: Context, root: Path, n: int, sizes: Sizes, scenarios: list[str],
           large: bool) -> None:
    """Build one farm with ``n`` lieux per wiki and run the scenarios meant for it."""
    print(f"farm with {n} lieux per wiki:", flush=True)
    corpus = corpus_mod.build(root / f"n{n}", n, sizes.list_size)
    try:
        if "read" in scenarios:  # git-remote-mediawiki at the small N only (2 min at 2,000)
            scenario_read(ctx, corpus, git=not large)
        if "read-far" in scenarios and not large:
            scenario_read_far(ctx, corpus)
        synced = None
        if "sync-idle" in scenarios or (large and "sync-changes" in scenarios):
            _, synced = scenario_sync_idle(ctx, corpus)
        if not large:
            return
        if "cpu" in scenarios:
            scenario_cpu(ctx, corpus)
        if "sync-changes" in scenarios and synced is not None:
            scenario_sync_changes(ctx, corpus, synced)
        if "create" in scenarios:
            scenario_create(ctx, corpus, sizes.creations)
    finally:
        corpus.farm.stop()


def _order(row: Row) -> tuple[str, int]:
    return row.scenario[:1], int(row.n) if row.n.isdigit() else 0


def read_ratios(rows: list[Row]) -> list[str]:
    """Scenario 1's targets in words: how many times faster than the naive loop each reader is,
    next to the floor's ratio (the best any serial reader of 50 pages a request can do there)."""
    lines = []
    groups = dict.fromkeys((r.scenario, r.n) for r in rows if r.scenario.startswith(READ[:6]))
    for scenario, n in sorted(groups, key=lambda g: (g[0] != READ, int(g[1]))):
        wall = {r.tool: r.wall for r in rows if (r.scenario, r.n) == (scenario, n) and r.wall}
        naive = next((w for tool, w in wall.items() if tool.startswith("mwclient naive")), None)
        if not naive:
            continue
        parts = [f"{tool} {naive / w:.1f}x" for tool, w in wall.items()
                 if not tool.startswith("mwclient naive")]
        lines.append(f"{scenario}, N={n}, times faster than the naive loop ({naive:.2f} s): "
                     + "; ".join(parts) + ".")
        lines += floor_ratios(f"{scenario}, N={n}", wall)
    return lines


def floor_ratios(what: str, wall: dict[str, float]) -> list[str]:
    """wikisync's time over the floor's in the same mode (bot / anonymous), and over the
    fastest peer: the targets of issue 15 (within 1.15x of the floor; faster than any peer)."""
    lines = []
    for mode, floor_prefix, ours in (("bot", "floor: bot", "wikisync export (bot"),
                                     ("anonymous", "floor: bare", "wikisync export (anon")):
        floor = next((w for t, w in wall.items() if t.startswith(floor_prefix)), None)
        mine = next((w for t, w in wall.items() if t.startswith(ours)), None)
        if floor and mine:
            lines.append(f"{what}, {mode}: wikisync {mine:.2f} s = {mine / floor:.2f}x the "
                         f"floor in the same mode ({floor:.2f} s).")
    peers_ = {t: w for t, w in wall.items()
              if not t.startswith(("wikisync", "floor", "mwclient naive"))}
    mine = next((w for t, w in wall.items() if t.startswith("wikisync export (bot")), None)
    if peers_ and mine:
        tool, best = min(peers_.items(), key=lambda item: item[1])
        lines.append(f"{what}: fastest peer {tool} {best:.2f} s; wikisync (bot) is "
                     f"{best / mine:.2f}x faster.")
    return lines


def report(ctx: Context, info: dict[str, str], seconds: float) -> str:
    floor = launcher_floor(ctx.out / "floor")
    lines = ["", "Machine: " + "; ".join(f"{k}: {v}" for k, v in info.items()),
             f"Whole run: {seconds / 60:.1f} min. Wall and CPU s: median of the runs, each "
             f"tool in its own process (start-up included); {SERVER_CPU_NOTE}. "
             "API requests and edits per wiki "
             "(FabMob / Movilab where two), from the PHP servers' logs and the wikis' "
             f"databases. Peak RSS of the tool's process tree (floor {floor:.0f} MB).",
             "", table(sorted(ctx.rows, key=_order)), "", *read_ratios(ctx.rows), ""]
    return "\n".join(lines)


def save(ctx: Context, out: Path, info: dict[str, str], text: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.md").write_text(text, encoding="utf-8")
    rows = [{k: v for k, v in asdict(r).items() if k != "samples"} for r in ctx.rows]
    (out / "compare.json").write_text(
        json.dumps({"machine": info, "rows": rows}, ensure_ascii=False, indent=2),
        encoding="utf-8")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.monotonic()
    root = corpus_mod.scratch_root()
    ctx = Context(out=args.out / ("compare-quick" if args.quick else "compare"),
                  reps=max(3, args.reps))
    if ctx.out.exists():
        shutil.rmtree(ctx.out)
    print(f"compare: scenarios {', '.join(args.scenarios)}; wikis in {root}", flush=True)
    try:
        prepare_peers(ctx, args.scenarios)
        small_needed = {"read", "read-far", "sync-idle"} & set(args.scenarios)
        if small_needed:
            run_on(ctx, root, sizes.small, sizes, args.scenarios, large=False)
        if set(args.scenarios) - {"read-far"}:  # read-far runs at the small N only
            run_on(ctx, root, sizes.large, sizes, args.scenarios, large=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    info = machine()
    text = report(ctx, info, time.monotonic() - started)
    print(text, flush=True)
    save(ctx, ctx.out, info, text)
    print(f"(written to {ctx.out / 'compare.md'})")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(main(sys.argv[1:]))
