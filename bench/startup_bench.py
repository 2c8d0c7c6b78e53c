"""Start-up (issue 16): how long a person waits for ``wikisync --version`` and for a Tab press.

    python -m bench startup [-- --reps N] [--no-bytecode-cache]

Rows: ``python -c pass`` (the interpreter alone: the floor), ``wikisync --version``, and Tab
completion as bash runs it (``_WIKISYNC_COMPLETE=bash_complete``): of a command name, and of a
wiki name, which reads the config (a small one written here; its wikis are never contacted). Each
row is the median of ``--reps`` runs (default 10), wall time around the tool's own process (see
:mod:`bench.harness`), after one run that is not counted; the rows take turns, run by run, so
that a machine busy for a while slows them all alike. Python writes and reads its bytecode
caches, as in an installed wikisync (``PYTHONDONTWRITEBYTECODE`` is dropped; the caches go to a
scratch folder); ``--no-bytecode-cache`` measures the other case. No wiki is started and nothing
is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import scratch_root
from bench.harness import Usage, run_process

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


@dataclass(frozen=True)
class Case:
    label: str
    cmd: list[str]
    tab: str | None = None  # the words typed before the Tab press
    expect: str = ""  # a piece of the expected output, so that a broken run is not timed


def wikisync_cmd() -> list[str]:
    """The ``wikisync`` script next to this Python (what a person or cron runs), if any."""
    script = Path(sys.executable).with_name("wikisync")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wikisync"]


def cases() -> list[Case]:
    wikisync = wikisync_cmd()
    return [
        Case("python -c pass", [sys.executable, "-c", "pass"]),
        Case("wikisync --version", [*wikisync, "--version"], expect="wikisync, version"),
        Case("Tab: `wikisync s` (a command)", wikisync, tab="wikisync s", expect="plain,sync"),
        Case("Tab: `wikisync show lieu X --wiki ` (reads the config)", wikisync,
             tab="wikisync show lieu X --wiki ", expect="plain,movilab"),
    ]


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


def measure(cases: list[Case], env: dict[str, str], folder: Path,
            reps: int) -> list[tuple[Case, list[Usage]]]:
    """Every case ``reps`` times, taking turns, after a first run of each that fills the disk
    and bytecode caches."""
    usages: list[list[Usage]] = [[] for _ in cases]
    for run in ("warm", *range(reps)):
        for number, case in enumerate(cases):
            usage = run_case(case, env, folder, f"{number}.{run}")
            if run != "warm":
                usages[number].append(usage)
    return list(zip(cases, usages, strict=True))


def report(results: list[tuple[Case, list[Usage]]], reps: int, bytecode_cache: bool) -> str:
    floor = statistics.median(u.wall for u in results[0][1])
    width = max(len(case.label) for case, _ in results)
    lines = [f"Start-up, median of {reps} runs each (bytecode caches "
             f"{'on' if bytecode_cache else 'off'}):", "",
             f"| {'command':<{width}} | wall s | CPU s | peak RSS MB | × python -c pass |",
             f"|{'-' * (width + 2)}|-------:|------:|------------:|-----------------:|"]
    for case, usages in results:
        wall = statistics.median(u.wall for u in usages)
        cpu = statistics.median(u.cpu for u in usages)
        rss = max(u.rss_kb for u in usages) / 1024
        lines.append(f"| {case.label:<{width}} | {wall:6.3f} | {cpu:5.3f} | {rss:11.0f} | "
                     f"{wall / floor:16.1f} |")
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench startup --")
    parser.add_argument("--reps", type=int, default=10, help="runs per row (default 10)")
    parser.add_argument("--no-bytecode-cache", dest="bytecode_cache", action="store_false",
                        help="every run compiles wikisync's modules from source")
    known, _ = parser.parse_known_args(argv)  # `python -m bench` passes every benchmark the same
    return known


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    folder = scratch_root()
    try:
        (folder / "wikisync.yaml").write_text(CONFIG.format(mappings=REPO / "mappings"),
                                              encoding="utf-8")
        env = environment(folder, args.bytecode_cache)
        results = measure(cases(), env, folder, args.reps)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(report(results, args.reps, args.bytecode_cache), flush=True)
    return 0
