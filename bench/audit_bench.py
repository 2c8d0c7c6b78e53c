"""The audit's read and the idle sync, against the floor and the peers, at N = 2,000 and 10,000.

    python -m bench audit [-- [--quick] [--sizes 2000,10000] [--reps 3] [--skip-naive]
                              [--out DIR] [--keep]]

For each N, a farm of the two local wikis (:mod:`bench.corpus`: N lieux on each, the same
titles, a 300-entry list page, seeded with ``importDump.php``), then, each tool in its own
process and measured from outside (:mod:`bench.harness`):

- ``wikisync audit`` with the config's bot (it logs in for the big read and takes 500 pages a
  request), its runs alternated with those of the floor in the same mode (9 of each, after
  one run of each that is not counted, at the first N), and, at
  the first N, without any login (50 a request), alternated with the anonymous floor;
- the floor in both modes (``tools/floor_read.py --spec``: bare requests, no parsing, both
  wikis at once) reads what the audit reads: both kinds' categories, the list pages and the
  existence of the titles they link to;
- at the first N, on a machine of two cores or more, the audit and the floor (bot) again, the
  wikis' PHP servers confined to the first core and the tool to the others: the client's work
  then does not take the servers' CPU, as when the wikis are on another machine;
- at the first N, the audit and the floor (bot) again with both wikis one round trip of 30 ms
  away (:class:`bench.latency.DelayProxy`, one per wiki, in the bench's process), the cores
  shared as in the first rows: what the ratio becomes against wikis on the Internet;
- at the first N, the peers reading both wikis' lieu categories at once: Pywikibot's
  PreloadingGenerator anonymous and logged in as the same bot, and the naive mwclient loop (one
  run: it takes about a minute);
- ``wikisync sync``: a first run (no state: the full read), then runs with nothing changed.

Then the table, and the figures issue 15 asks for: the audit over the floor in the same mode,
over the fastest peer, and the largest N over the first in time, requests and peak RSS.
``--quick`` uses N = 300 and 1,500 with a 100-entry list. A tool whose first run takes over
10 s runs once (:func:`bench.harness.repeat`). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench import corpus as corpus_mod
from bench import peers
from bench.harness import (
    PAIRED_REPS,
    SERVER_CPU_NOTE,
    Meter,
    Row,
    Sample,
    alternate,
    echo,
    measure,
    pair_spread,
    repeat,
    servers_on,
    summarize,
    table,
    tool_env,
)
from bench.latency import DelayProxy
from bench.scenarios import FAR_RTT, TOOLS, anonymous_config, via, wikisync_cmd
from wikisync.app import App
from wikisync.config import load_config

log = logging.getLogger(__name__)

OUT = Path(__file__).resolve().parent / "out"
AUDIT, IDLE, FIRST = "audit (2 wikis)", "sync, nothing changed", "sync, first run (no state)"
AUDIT_SPLIT = "audit, wikis on core 0, tool on 1"
AUDIT_FAR = f"audit, both wikis {FAR_RTT * 1000:.0f} ms away"
WIKISYNC_BOT = "wikisync audit (bot: logs in, 500 a request)"
WIKISYNC_ANON = "wikisync audit (anonymous, 50 a request)"
FLOOR_BOT = "floor: bot logged in, 500 a request"
FLOOR_ANON = "floor: anonymous, 50 a request"
FLOOR_NOTE = "what the audit reads: both kinds' categories, the list pages, their links"


@dataclass
class Bench:
    out: Path
    reps: int
    pywikibot: str | None  # None when ready, else why not
    naive: bool
    rows: list[Row]

    def emit(self, row: Row) -> Row:
        self.rows.append(row)
        return echo(row, 28, 46)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench audit --")
    parser.add_argument("--quick", action="store_true", help="N = 300 and 1,500")
    parser.add_argument("--sizes", help="lieux per wiki, comma-separated (default 2000,10000)")
    parser.add_argument("--reps", type=int, default=3, help="runs per tool (median)")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive mwclient loop")
    parser.add_argument("--out", type=Path, default=OUT, help="where results and logs go")
    parser.add_argument("--keep", action="store_true", help="keep the wikis' folder")
    args, _ = parser.parse_known_args(argv)  # options meant for other benchmarks are ignored
    default = "300,1500" if args.quick else "2000,10000"
    args.sizes = [int(n) for n in (args.sizes or default).split(",")]
    args.list_size = 100 if args.quick else 300
    return args


def run_size(bench: Bench, corpus: corpus_mod.Corpus, first: bool) -> None:
    """Every row of one N."""
    n = str(corpus.n)
    folder = bench.out / f"n{n}"
    config = corpus.config(folder)
    names = list(corpus.wikis)
    meter = Meter(corpus.wikis)
    env = tool_env(bench.out / "pycache")
    app = App(load_config(config))
    lieu = app.mapping("lieu")
    cats = {w: (lieu.wiki(w).category, lieu.wiki(w).template_names[0]) for w in names}

    def one(label: str, cmd: list[str], *, before=None,
            extra_env: dict[str, str] | None = None, codes=(0, 3), cpus=None):
        def once(i: int) -> Sample:
            if before:
                before()
            return measure([cmd], meter, out_dir=folder, label=f"{label}.{i}",
                           env={**env, **(extra_env or {})}, cwd=folder, ok_codes=codes,
                           cpus=cpus)
        return once

    def runs(label: str, cmd: list[str], *, reps: int | None = None, **how):
        return repeat(reps or bench.reps, one(label, cmd, **how))

    def alternated(*tools: tuple[str, list[str]], reps: int,
                   cpus: set[int] | None = None) -> list[list[Sample]]:
        return alternate([one(label, cmd, cpus=cpus) for label, cmd in tools], reps)

    def row(scenario: str, tool: str, samples, note: str = "") -> Row:
        return bench.emit(summarize(scenario, tool, n, samples, names, note))

    audit = wikisync_cmd(config, "audit", "--format", "json", "--output",
                         str(folder / "audit.json"))
    floor = [sys.executable, str(TOOLS / "floor_read.py"), "--spec"]
    bot_floor = [*floor, str(floor_spec(app, corpus, folder, login=True))]
    if first:
        # one run of each, not counted: no measured run then writes the bytecode caches (in a
        # fresh checkout, the first audit compiled wikisync and its libraries: 3.7x its floor)
        one("warm-audit", audit)(0)
        one("warm-floor", bot_floor)(0)
    ours, bare = alternated(("audit-bot", audit), ("floor-bot", bot_floor),
                            reps=max(PAIRED_REPS, bench.reps))
    row(AUDIT, WIKISYNC_BOT, ours, "runs alternated with the floor's")
    row(AUDIT, FLOOR_BOT, bare, FLOOR_NOTE)
    cores = sorted(os.sched_getaffinity(0))
    if first and len(cores) >= 2:
        # the wikis on a core of their own, as where they are another machine: what the
        # audit's client work costs when it does not take the servers' CPU
        with servers_on(corpus.wikis, {cores[0]}):
            ours, bare = alternated(("audit-split", audit), ("floor-split", bot_floor),
                                    reps=bench.reps, cpus=set(cores[1:]))
        row(AUDIT_SPLIT, WIKISYNC_BOT, ours, "runs alternated with the floor's")
        row(AUDIT_SPLIT, FLOOR_BOT, bare, FLOOR_NOTE)
    if first:
        # both wikis one round trip away (a delay proxy each, in this process), the cores
        # still shared: the audit against its floor where the wikis are on the Internet
        with ExitStack() as stack:
            proxies = {name: stack.enter_context(DelayProxy(wiki.port, FAR_RTT))
                       for name, wiki in corpus.wikis.items()}
            urls = {name: f"http://127.0.0.1:{proxy.port}/api.php"
                    for name, proxy in proxies.items()}
            far = far_config(config, urls)
            ours, bare = alternated(
                ("audit-far", wikisync_cmd(far, "audit", "--format", "json", "--output",
                                           str(folder / "far.json"))),
                ("floor-far", [*floor, str(floor_spec(app, corpus, folder, login=True,
                                                      urls=urls))]),
                reps=max(PAIRED_REPS, bench.reps))
        row(AUDIT_FAR, WIKISYNC_BOT, ours, "runs alternated with the floor's")
        row(AUDIT_FAR, FLOOR_BOT, bare, FLOOR_NOTE)
    if first:
        anonymous = anonymous_config(config, config.with_name("anonymous.yaml"))
        ours, bare = alternated(
            ("audit-anon", wikisync_cmd(anonymous, "audit", "--format", "json", "--output",
                                        str(folder / "anon.json"))),
            ("floor-anon", [*floor, str(floor_spec(app, corpus, folder, login=False))]),
            reps=bench.reps)
        row(AUDIT, WIKISYNC_ANON, ours, "runs alternated with the floor's")
        row(AUDIT, FLOOR_ANON, bare, FLOOR_NOTE)
        _peers(bench, corpus, folder, cats, runs, row)
    first_sync = runs("sync-first", wikisync_cmd(config, "sync"), reps=1)
    row(FIRST, "wikisync sync", first_sync, f"{corpus.list_size}-entry list + {n} records/wiki")
    row(IDLE, "wikisync sync", runs("sync-idle", wikisync_cmd(config, "sync")),
        f"{corpus.list_size}-entry list + {n} records/wiki")


def far_config(config: Path, urls: dict[str, str]) -> Path:
    """``config`` with each wiki reached at ``urls[wiki]``, written beside it (the same
    secrets and state)."""
    target = config.with_name("far.yaml")
    shutil.copyfile(config, target)
    for name, url in urls.items():
        via(target, name, url)
    return target


def floor_spec(app: App, corpus: corpus_mod.Corpus, folder: Path, *, login: bool,
               urls: dict[str, str] | None = None) -> Path:
    """The floor's reading of each wiki, like for like with the audit's: every kind's
    category, the lists' pages, and whether the titles they link to exist; with ``urls``,
    each wiki reached there."""
    spec = []
    for name, wiki in corpus.wikis.items():
        spec.append({
            "api_url": (urls or {}).get(name, wiki.api_url),
            "categories": [m.wiki(name).category for m in app.mappings.values()
                           if name in m.wikis],
            "pages": sorted({lst.pages[name].title for lst in app.config.lists.values()
                             if name in lst.pages}),
            "login": [wiki.bot_login, str(folder / "secrets" / f"{name}.secret")]
            if login else None,
        })
    path = folder / f"floor-{'bot' if login else 'anonymous'}{'-far' if urls else ''}.json"
    path.write_text(json.dumps(spec, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _peers(bench: Bench, corpus: corpus_mod.Corpus, folder: Path, cats, runs, row) -> None:
    wikis = list(corpus.wikis.values())
    for login, tool in ((False, "Pywikibot PreloadingGenerator"),
                        (True, "Pywikibot PreloadingGenerator, bot logged in")):
        if bench.pywikibot:
            bench.emit(Row(AUDIT, tool, str(corpus.n), note=f"not run: {bench.pywikibot}"))
            continue
        label = "pywikibot-bot" if login else "pywikibot"
        pwb_dir = peers.write_pywikibot_dir(folder / label, wikis, login=login)
        cmd = [str(peers.pywikibot_python()), str(TOOLS / "pywikibot_read.py"),
               *(["--login"] if login else [])]
        for wiki in wikis:
            cmd += [peers.family_name(wiki), *cats[wiki.name]]
        row(AUDIT, tool, runs(label, cmd, before=lambda d=pwb_dir:
                              peers.forget_pywikibot_sessions(d),
                              extra_env={"PYWIKIBOT_DIR": str(pwb_dir)}, codes=(0,)),
            "lieu categories only, both wikis at once")
    if bench.naive:
        cmds = [[sys.executable, str(TOOLS / "mwclient_read.py"),
                 w.server.removeprefix("http://"), *cats[w.name]] for w in wikis]
        samples = [measure(cmds, Meter(corpus.wikis), out_dir=folder, label="naive",
                           cwd=folder)]
        row(AUDIT, "mwclient naive loop (page.text())", samples,
            "lieu categories only, one wiki after the other; 1 run")


# --------------------------------------------------------------------------- the figures


def _wall(rows: list[Row], scenario: str, tool: str, n: str) -> Row | None:
    return next((r for r in rows if (r.scenario, r.tool, r.n) == (scenario, tool, n)
                 and r.wall), None)


def targets(rows: list[Row], sizes: list[int]) -> list[str]:
    """Issue 15's targets in words, read from the rows (nothing asserted)."""
    lines = []
    first, last = str(sizes[0]), str(sizes[-1])
    for ours, floor, mode in ((WIKISYNC_BOT, FLOOR_BOT, "bot"), (WIKISYNC_ANON, FLOOR_ANON,
                                                                 "anonymous")):
        mine, bare = _wall(rows, AUDIT, ours, first), _wall(rows, AUDIT, floor, first)
        if mine and bare:
            lines.append(f"Audit, N={first}, {mode}: {mine.wall:.2f} s = "
                         f"{mine.wall / bare.wall:.2f}x the floor in the same mode "
                         f"({bare.wall:.2f} s{pair_spread(mine, bare)}); "
                         f"target (bot) <= 1.15x.")
    for scenario, how, floor_how in (
            (AUDIT_SPLIT, "the wikis' servers on one core and the tool on the other",
             "on the same cores"),
            (AUDIT_FAR, f"both wikis {FAR_RTT * 1000:.0f} ms away, cores shared",
             "the same way")):
        mine, bare = (_wall(rows, scenario, WIKISYNC_BOT, first),
                      _wall(rows, scenario, FLOOR_BOT, first))
        if mine and bare:
            lines.append(f"Audit, N={first}, bot, {how}: {mine.wall:.2f} s = "
                         f"{mine.wall / bare.wall:.2f}x the floor {floor_how} "
                         f"({bare.wall:.2f} s{pair_spread(mine, bare)}).")
    mine = _wall(rows, AUDIT, WIKISYNC_BOT, first)
    others = [r for r in rows if r.scenario == AUDIT and r.n == first and r.wall
              and not r.tool.startswith(("wikisync", "floor"))]
    if mine and others:
        for peer in others:
            lines.append(f"Audit, N={first}: {peer.tool} {peer.wall:.2f} s, "
                         f"{peer.wall / mine.wall:.1f}x wikisync's time (bot).")
    if len(sizes) > 1:
        for scenario, tool in ((AUDIT, WIKISYNC_BOT), (IDLE, "wikisync sync")):
            small, big = _wall(rows, scenario, tool, first), _wall(rows, scenario, tool, last)
            if small and big:
                lines.append(
                    f"{scenario}, N={last} against N={first}: time {big.wall / small.wall:.2f}x"
                    f", peak RSS {big.rss_mb / small.rss_mb:.2f}x, requests {small.requests} -> "
                    f"{big.requests}" + ("; targets <= 5.5x and <= 1.2x" if scenario == AUDIT
                                         else "; target 1 request per wiki"))
    return lines


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    out = args.out / ("audit-quick" if args.quick else "audit")
    if out.exists():
        shutil.rmtree(out)
    bench = Bench(out, max(1, args.reps), peers.ensure_pywikibot(), not args.skip_naive, [])
    if bench.pywikibot:
        print(f"  Pywikibot will be skipped: {bench.pywikibot}", flush=True)
    root = corpus_mod.scratch_root()
    print(f"audit: N = {', '.join(map(str, args.sizes))} lieux per wiki; wikis in {root}",
          flush=True)
    try:
        for i, n in enumerate(args.sizes):
            corpus = corpus_mod.build(root / f"n{n}", n, args.list_size)
            try:
                run_size(bench, corpus, first=i == 0)
            finally:
                corpus.farm.stop()
                if not args.keep:
                    shutil.rmtree(root / f"n{n}", ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    text = "\n".join([
        "", f"Audit and scale: {(time.monotonic() - started) / 60:.1f} min; load average at the "
        f"end {' '.join(load)}. Wall and CPU s: median of the runs, each tool in its own process "
        f"(start-up included); {SERVER_CPU_NOTE}; API requests per wiki (FabMob / Movilab) "
        "from the PHP servers' logs; peak RSS of the tool's process tree.", "",
        table(bench.rows), "",
        *targets(bench.rows, args.sizes), ""])
    print(text, flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "audit.md").write_text(text, encoding="utf-8")
    print(f"(written to {out / 'audit.md'})")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(main(sys.argv[1:]))
