"""Start-up (issue 16): how long a person waits for ``wikisync --version`` and for a Tab press,
and what an idle cron ``sync`` costs above its requests.

    python -m bench startup [-- --reps N] [--no-bytecode-cache] [--no-sync]

Rows: ``python -c pass`` (the interpreter alone: the floor), ``wikisync --version``, and Tab
completion as bash runs it (``_WIKISYNC_COMPLETE=bash_complete``): of a command name, and of a
wiki name, which reads the config (a small one written here; its wikis are never contacted);
with the idle sync, also the import of the libraries it cannot do without (click, requests,
PyYAML), the floor of any command line built on them.
Each row is the median of ``--reps`` runs (default 10), wall time around the tool's own process
(see :mod:`bench.harness`), after one run that is not counted; the rows take turns, run by run,
so that a machine busy for a while slows them all alike. Python writes and reads its bytecode
caches, as in an installed wikisync (``PYTHONDONTWRITEBYTECODE`` is dropped; the caches go to a
scratch folder); ``--no-bytecode-cache`` measures the other case.

The idle ``sync`` row (skipped with ``--no-sync``, or when MediaWiki is not installed: ``make
deps``) runs against the two local seeded wikis of the tests (about a minute to install), once
a first sync has brought their lists in step, so that nothing changes. After each of its runs,
the bench sends the GET requests that run sent again (read from the wikis' access logs, query
strings included), serially, from its own process with a bare requests session per wiki, and
times them: that is the requests' own time (the wikis' work, the loopback and requests' own
handling, with requests already imported). What the idle sync costs above them is the median of
the per-run differences. Its "servers' CPU s" is the CPU the two wikis' PHP servers spent during
its runs (median; see :mod:`bench.harness`), the replays left out; the other rows contact no
server and show "-" there. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.corpus import scratch_root
from bench.harness import Usage, median_known, num_or_dash, run_process, server_cpu
from wikisync.devwiki import MW_ROOT, _php_has_modules
from wikisync.devwiki.farm import LocalFarm

REPO = Path(__file__).resolve().parents[1]

CONFIG = """\
wikis:
  fabmob:
    api_url: http://127.0.0.1:9/api.php
    username: Bot@wikisync
    password_env: WIKISYNC_FABMOB_PASSWORD
  movilab:
    api_url: http://127.0.0.1:9/api.php
    username: Bot@wikisync
    password_env: WIKISYNC_MOVILAB_PASSWORD
mappings_dir: {mappings}
lists:
  tiers-lieux-interesses:
    kind: lieu
    pages:
      fabmob: {{title: "AMI Fabriques de Territoires", section: "Tiers Lieux intéressés"}}
      movilab: {{title: "Fabriques de Territoire", section: "Tiers Lieux intéressés"}}
"""


#: a request line of PHP's built-in server log: status, method, path with its query string
LOGGED_REQUEST = re.compile(r"\[(\d{3})\]: (GET|POST|HEAD) (/\S*)")


class IdleSync:
    """The local seeded wikis, synced once so that a ``sync`` has nothing to do, and the
    replay of what each idle run asked them."""

    def __init__(self, folder: Path) -> None:
        self.farm = LocalFarm(folder / "wikis")
        self.farm.install()
        self.farm.start()
        self.folder = folder / "sync"
        self.folder.mkdir()
        self.config = self.farm.write_config(self.folder)

    def command(self, wikisync: list[str]) -> list[str]:
        return [*wikisync, "--config", str(self.config), "sync"]

    def settle(self, wikisync: list[str], env: dict[str, str]) -> None:
        """Sync until a run changes nothing (the first one brings the lists in step)."""
        for attempt in range(3):
            mark = self.mark()
            usage = run_process(self.command(wikisync), env=env, cwd=self.folder,
                                out_dir=self.folder / "runs", label=f"settle.{attempt}")
            if usage.returncode != 0:
                raise SystemExit(f"startup: the first sync failed (exit {usage.returncode}): "
                                 f"{usage.stderr.strip()[-300:]!r}")
            if not usage.stdout.strip() and not self._posts(mark):
                return
        raise SystemExit("startup: the local wikis' lists did not settle after 3 syncs")

    def mark(self) -> dict[str, int]:
        """Where each wiki's access log ends now."""
        return {name: self._log(name).stat().st_size for name in self.farm.wikis}

    def _log(self, name: str) -> Path:
        return self.farm.wikis[name].root / "server.log"

    def _logged(self, mark: dict[str, int]) -> dict[str, list[tuple[str, str, str]]]:
        """wiki -> (status, method, path) of each request it logged since ``mark``."""
        time.sleep(0.2)  # PHP's server logs a request right after answering it
        found = {}
        for name, offset in mark.items():
            with self._log(name).open("rb") as fh:
                fh.seek(offset)
                text = fh.read().decode("utf-8", errors="replace")
            found[name] = [m.groups() for m in LOGGED_REQUEST.finditer(text)]
        return found

    def _posts(self, mark: dict[str, int]) -> int:
        return sum(m == "POST" for lines in self._logged(mark).values() for _, m, _ in lines)

    def replay(self, mark: dict[str, int]) -> tuple[float, int]:
        """Send again, serially and timed, the requests the run since ``mark`` sent: (seconds,
        how many). An idle run sends GET requests only, each answered 200."""
        seconds, count = 0.0, 0
        for name, lines in self._logged(mark).items():
            odd = [line for line in lines if line[:2] != ("200", "GET")]
            if odd:
                raise SystemExit(f"startup: the idle sync was not idle on {name}: {odd[:3]}")
            with requests.Session() as session:
                session.headers["User-Agent"] = "wikisync-bench (startup: replay)"
                for _, _, path in lines:
                    t0 = time.perf_counter()
                    resp = session.get(self.farm.wikis[name].server + path, timeout=30,
                                       allow_redirects=False)
                    resp.content  # noqa: B018 - the whole answer, as the sync reads it
                    seconds += time.perf_counter() - t0
                    if resp.status_code != 200:
                        raise SystemExit(f"startup: replay of {path} on {name}: HTTP "
                                         f"{resp.status_code}")
                    count += 1
        return seconds, count

    def server_cpu(self) -> float:
        """CPU seconds the wikis' PHP servers have used so far (NaN: unknown)."""
        return server_cpu(self.farm.wikis)

    def stop(self) -> None:
        self.farm.stop()


@dataclass(frozen=True)
class Case:
    label: str
    cmd: list[str]
    tab: str | None = None  # the words typed before the Tab press
    expect: str = ""  # a piece of the expected output, so that a broken run is not timed
    idle: IdleSync | None = None  # the idle sync: its requests are replayed after each run


@dataclass
class Result:
    case: Case
    usages: list[Usage] = field(default_factory=list)
    #: the idle sync only: (seconds, count) of its requests, replayed after each run
    requests: list[tuple[float, int]] = field(default_factory=list)
    #: the idle sync only: CPU seconds the wikis' servers spent during each run
    server_cpu: list[float] = field(default_factory=list)


def wikisync_cmd() -> list[str]:
    """The ``wikisync`` script next to this Python (what a person or cron runs), if any."""
    script = Path(sys.executable).with_name("wikisync")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wikisync"]


def cases(idle: IdleSync | None) -> list[Case]:
    wikisync = wikisync_cmd()
    return [
        Case("python -c pass", [sys.executable, "-c", "pass"]),
        Case("wikisync --version", [*wikisync, "--version"], expect="wikisync, version"),
        Case("Tab: `wikisync s` (a command)", wikisync, tab="wikisync s", expect="plain,sync"),
        Case("Tab: `wikisync show lieu X --wiki ` (reads the config)", wikisync,
             tab="wikisync show lieu X --wiki ", expect="plain,movilab"),
        *([Case("python: `import click, requests, yaml` (what the idle sync needs)",
                [sys.executable, "-c", "import click, requests, yaml"]),
           Case("idle `sync` (2 local wikis, nothing changed)", idle.command(wikisync),
                idle=idle)] if idle else []),
    ]


def mediawiki_missing() -> str | None:
    """Why the local wikis cannot be installed here without root, or None."""
    if not (MW_ROOT / "maintenance" / "install.php").exists() or not _php_has_modules():
        return "MediaWiki or PHP's modules are not installed (make deps)"
    return None


def environment(folder: Path, bytecode_cache: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WIKISYNC_", "_WIKISYNC_", "COMP_"))}
    env["WIKISYNC_CONFIG"] = str(folder / "wikisync.yaml")
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_case(case: Case, env: dict[str, str], folder: Path, label: str) -> Usage:
    if case.tab is not None:
        env = {**env, "_WIKISYNC_COMPLETE": "bash_complete", "COMP_WORDS": case.tab,
               "COMP_CWORD": str(len(case.tab.split(" ")) - 1)}
    usage = run_process(case.cmd, env=env, cwd=folder, out_dir=folder / "runs",
                        label=label)
    if usage.returncode != 0 or case.expect not in usage.stdout:
        raise SystemExit(f"startup: {case.label}: exit {usage.returncode}, output "
                         f"{(usage.stdout + usage.stderr).strip()[:300]!r}")
    return usage


def measure(cases: list[Case], env: dict[str, str], folder: Path, reps: int) -> list[Result]:
    """Every case ``reps`` times, taking turns, after a first run of each that fills the disk
    and bytecode caches; the idle sync's requests are replayed right after each of its runs."""
    results = [Result(case) for case in cases]
    for run in ("warm", *range(reps)):
        for number, (case, result) in enumerate(zip(cases, results, strict=True)):
            mark = case.idle.mark() if case.idle else None
            before = case.idle.server_cpu() if case.idle else math.nan
            usage = run_case(case, env, folder, f"{number}.{run}")
            spent = case.idle.server_cpu() - before if case.idle else math.nan
            replayed = case.idle.replay(mark) if case.idle and mark is not None else None
            if run != "warm":
                result.usages.append(usage)
                if case.idle:
                    result.server_cpu.append(spent)
                if replayed is not None:
                    result.requests.append(replayed)
    return results


def report(results: list[Result], reps: int, bytecode_cache: bool) -> str:
    floor = statistics.median(u.wall for u in results[0].usages)
    width = max(len(r.case.label) for r in results)
    lines = [f"Start-up, median of {reps} runs each (bytecode caches "
             f"{'on' if bytecode_cache else 'off'}):", "",
             f"| {'command':<{width}} | wall s | CPU s | servers' CPU s | peak RSS MB "
             "| × python -c pass |",
             f"|{'-' * (width + 2)}|-------:|------:|---------------:|------------:"
             "|-----------------:|"]
    for result in results:
        wall = statistics.median(u.wall for u in result.usages)
        cpu = statistics.median(u.cpu for u in result.usages)
        servers = num_or_dash(median_known(result.server_cpu), ".3f")
        rss = max(u.rss_kb for u in result.usages) / 1024
        lines.append(f"| {result.case.label:<{width}} | {wall:6.3f} | {cpu:5.3f} | "
                     f"{servers:>14} | {rss:11.0f} | {wall / floor:16.1f} |")
    for result in results:
        if result.requests:
            lines += ["", *idle_lines(result)]
    return "\n".join(lines)


def idle_lines(result: Result) -> list[str]:
    """The idle sync against its requests' own time (medians over the runs)."""
    walls = [u.wall for u in result.usages]
    own = [seconds for seconds, _ in result.requests]
    counts = sorted({count for _, count in result.requests})
    above = [wall - seconds for wall, seconds in zip(walls, own, strict=True)]
    return [
        f"Idle `sync`: {'/'.join(map(str, counts))} GET request(s) a run, no POST; median "
        f"wall {statistics.median(walls):.3f} s, its requests alone "
        f"{statistics.median(own):.3f} s (sent again by the bench after each run),",
        f"above them {statistics.median(above):.3f} s (median of the per-run differences; "
        f"lowest {min(above):.3f} s, highest {max(above):.3f} s).",
    ]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench startup --")
    parser.add_argument("--reps", type=int, default=10, help="runs per row (default 10)")
    parser.add_argument("--no-bytecode-cache", dest="bytecode_cache", action="store_false",
                        help="every run compiles wikisync's modules from source")
    parser.add_argument("--no-sync", dest="sync", action="store_false",
                        help="leave out the idle sync (no local wiki is started)")
    known, _ = parser.parse_known_args(argv)  # `python -m bench` passes every benchmark the same
    return known


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    folder = scratch_root()
    idle: IdleSync | None = None
    try:
        (folder / "wikisync.yaml").write_text(CONFIG.format(mappings=REPO / "mappings"),
                                              encoding="utf-8")
        env = environment(folder, args.bytecode_cache)
        missing = mediawiki_missing() if args.sync else None
        if missing:
            print(f"  idle sync left out: {missing}", flush=True)
        elif args.sync:
            t0 = time.monotonic()
            idle = IdleSync(folder)
            idle.settle(wikisync_cmd(), env)
            print(f"  local wikis installed and synced in {time.monotonic() - t0:.0f}s",
                  flush=True)
        results = measure(cases(idle), env, folder, args.reps)
    finally:
        if idle is not None:
            idle.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(report(results, args.reps, args.bytecode_cache), flush=True)
    return 0
