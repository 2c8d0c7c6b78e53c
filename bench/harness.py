"""Measuring tool runs from the outside, and the table of results.

Every figure comes from outside the tool:

- wall time: around the tool's subprocess (Python or Perl start-up included);
- CPU seconds and peak RSS: the ``rusage`` that ``os.wait4`` returns for that subprocess (its
  waited-for children included, e.g. ``git`` under the git peer's script), read by a small
  launcher (``tools/rusage.py``) so that the benchmark's own size does not leak into it;
- servers' CPU seconds: the user + system CPU time the wikis' PHP servers (``php -S`` and its
  worker processes) spent meanwhile, read from ``/proc/<pid>/stat`` before and after the run.
  The servers share the machine's cores with the tool, so the tool's CPU plus the servers',
  divided by the number of cores, is a lower bound on the wall time;
- API requests: lines the PHP server of each wiki appended to its ``server.log`` meanwhile;
- edits: revisions each wiki's SQLite database gained meanwhile.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from wikisync.devwiki import LocalWiki

log = logging.getLogger(__name__)

REQUEST_LINE = re.compile(r"\[\d{3}\]: (GET|POST|HEAD) (/\S*)")
RUN_TIMEOUT = 900.0
LAUNCHER = Path(__file__).resolve().parent / "tools" / "rusage.py"


def tool_env(pycache: Path, **extra: str) -> dict[str, str]:
    """The environment of a measured tool run: none of the caller's ``WIKISYNC_*``, and Python
    writing and reading its bytecode caches (in ``pycache``), as an installed wikisync and the
    peers' installed packages do: a ``PYTHONDONTWRITEBYTECODE`` in the caller's environment
    would make every run compile wikisync's sources again (0.1 to 0.2 CPU s a run here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKISYNC_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.update(extra)
    return env


@dataclass(frozen=True)
class Usage:
    """One subprocess: wall and CPU seconds, peak RSS (KiB), exit code, output file."""

    wall: float
    cpu: float
    rss_kb: int
    returncode: int
    stdout: str = ""
    stderr: str = ""


def run_process(cmd: Sequence[str], *, env: dict[str, str] | None = None,
                cwd: Path | None = None, out_dir: Path, label: str,
                cpus: set[int] | None = None) -> Usage:
    """Run ``cmd`` to completion through the small launcher ``tools/rusage.py``; stdout and
    stderr go to files in ``out_dir``. ``cpus``: the cores it may run on (all by default)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = out_dir / f"{label}.out", out_dir / f"{label}.err"
    figures = out_dir / f"{label}.rusage.json"
    figures.unlink(missing_ok=True)
    launcher = [sys.executable, "-I", "-S", str(LAUNCHER), str(figures), *cmd]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(launcher, env=env, cwd=cwd, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus
                                else None)
        try:
            returncode = proc.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            returncode = proc.wait()
    try:
        usage = json.loads(figures.read_text())
    except (OSError, ValueError):
        usage = {"wall": float("nan"), "cpu": float("nan"), "rss_kb": 0}
        returncode = returncode or -1
    return Usage(
        wall=usage["wall"],
        cpu=usage["cpu"],
        rss_kb=usage["rss_kb"],
        returncode=returncode,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )


def launcher_floor(out_dir: Path) -> float:
    """Peak RSS (MB) the launcher reports for ``true``: no figure can be below it."""
    return run_process(["true"], out_dir=out_dir, label="floor").rss_kb / 1024


# --------------------------------------------------------------------------- the wikis' side


@dataclass(frozen=True)
class Mark:
    log_offsets: dict[str, int]
    revisions: dict[str, int]
    server_cpu: float = math.nan  # the servers' CPU seconds so far, all wikis together


@dataclass(frozen=True)
class ServerCounts:
    api: dict[str, int]
    posts: dict[str, int]  # API requests sent with POST (logins and writes need one)
    other: dict[str, int]  # index.php, load.php, ...: not API requests
    edits: dict[str, int]
    #: CPU seconds the wikis' servers spent meanwhile, all wikis together (NaN: unknown)
    server_cpu: float = math.nan


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` from the 3rd on (after the command name, which may
    hold spaces and parentheses), or None when it cannot be read."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        return text[text.rindex(")") + 2:].split()
    except (OSError, ValueError):
        return None


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` and its descendants have used so far,
    those of the children they have reaped included; NaN when ``pid`` cannot be read."""
    fields = _stat(pid)
    if fields is None:
        return math.nan
    children = _children()
    ticks, todo = 0, [(pid, fields)]
    while todo:
        proc, stat = todo.pop()
        # fields 14-17 of stat(5): utime, stime, cutime, cstime (here from index 11)
        ticks += sum(int(v) for v in stat[11:15])
        todo += children.get(proc, [])
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu(wikis: dict[str, LocalWiki]) -> float:
    """CPU seconds the PHP servers of ``wikis`` (``php -S`` and its workers) have used so far,
    summed; NaN when one of them cannot be read (not started here, no ``/proc``)."""
    total = 0.0
    for wiki in wikis.values():
        # LocalWiki keeps the Popen of its ``php -S`` in ``_proc`` (wikisync.devwiki); the bench
        # only reads its pid.
        proc = getattr(wiki, "_proc", None)
        total += math.nan if proc is None else process_tree_cpu(proc.pid)
    return total


def _children() -> dict[int, list[tuple[int, list[str]]]]:
    """parent pid -> [(pid, its stat fields)] of every process now."""
    children: dict[int, list[tuple[int, list[str]]]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                children.setdefault(int(stat[1]), []).append((int(entry.name), stat))
    return children


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants' pids."""
    children = _children()
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += [child for child, _stat in children.get(found[-1], [])]
    return found


@contextmanager
def servers_on(wikis: dict[str, LocalWiki], cpus: set[int]) -> Iterator[None]:
    """The wikis' PHP servers (``php -S`` and its workers) confined to ``cpus`` meanwhile,
    then let back on every core."""
    pids = [p for w in wikis.values() if getattr(w, "_proc", None) is not None
            for p in _tree(w._proc.pid)]
    every = set(range(os.cpu_count() or 1))
    for pid in pids:
        os.sched_setaffinity(pid, cpus)
    try:
        yield
    finally:
        for pid in pids:
            try:
                os.sched_setaffinity(pid, every)
            except ProcessLookupError:
                pass


def median_known(values: Sequence[float]) -> float | None:
    """The median of ``values`` left when the unknown (NaN) ones are dropped; None if none."""
    known = [v for v in values if not math.isnan(v)]
    return statistics.median(known) if known else None


#: What the servers' CPU column says, for the reports' notes under their tables.
SERVER_CPU_NOTE = ("servers' CPU s: what the wikis' PHP servers spent during the tool's runs "
                   "(median), on the same cores as the tool")


def revision_count(wiki: LocalWiki) -> int:
    uri = f"file:{wiki.data / (wiki.name + '.sqlite')}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=30) as db:
        return db.execute("SELECT COUNT(*) FROM revision").fetchone()[0]


class Meter:
    """Counts, for a set of wikis, the requests their servers logged, the edits they got and
    the CPU time their servers spent."""

    def __init__(self, wikis: dict[str, LocalWiki]) -> None:
        self.wikis = wikis

    def _log(self, wiki: LocalWiki) -> Path:
        return wiki.root / "server.log"

    def mark(self) -> Mark:
        return Mark(
            {n: self._log(w).stat().st_size if self._log(w).exists() else 0
             for n, w in self.wikis.items()},
            {n: revision_count(w) for n, w in self.wikis.items()},
            server_cpu(self.wikis),
        )

    def since(self, mark: Mark) -> ServerCounts:
        time.sleep(0.3)  # the server writes its log line right after answering
        api: dict[str, int] = {}
        posts: dict[str, int] = {}
        other: dict[str, int] = {}
        for name, wiki in self.wikis.items():
            with self._log(wiki).open("rb") as fh:
                fh.seek(mark.log_offsets[name])
                text = fh.read().decode("utf-8", errors="replace")
            requests = [(m.group(1), m.group(2)) for m in REQUEST_LINE.finditer(text)]
            calls = [method for method, path in requests if path.startswith("/api.php")]
            api[name] = len(calls)
            posts[name] = calls.count("POST")
            other[name] = len(requests) - api[name]
        edits = {n: revision_count(w) - mark.revisions[n] for n, w in self.wikis.items()}
        return ServerCounts(api, posts, other, edits, server_cpu(self.wikis) - mark.server_cpu)


# --------------------------------------------------------------------------- samples and rows


@dataclass(frozen=True)
class Sample:
    """One run of one tool, possibly several processes (their figures added, RSS maxed)."""

    wall: float
    cpu: float
    rss_kb: int
    counts: ServerCounts
    ok: bool
    problem: str = ""


def measure(commands: Sequence[Sequence[str]], meter: Meter, *, out_dir: Path, label: str,
            env: dict[str, str] | None = None, cwd: Path | None = None,
            ok_codes: tuple[int, ...] = (0,), cpus: set[int] | None = None) -> Sample:
    """Run ``commands`` one after the other as one tool run (on ``cpus`` when given), and
    measure them."""
    mark = meter.mark()
    usages = [run_process(cmd, env=env, cwd=cwd, out_dir=out_dir, label=f"{label}.{i}",
                          cpus=cpus)
              for i, cmd in enumerate(commands)]
    counts = meter.since(mark)
    bad = [u for u in usages if u.returncode not in ok_codes]
    problem = ""
    if bad:
        tail = " | ".join((bad[0].stderr or bad[0].stdout).strip().splitlines()[-2:])
        problem = f"exit {bad[0].returncode}: {tail[:160]}"
        log.warning("%s: %s", label, problem)
    return Sample(
        wall=sum(u.wall for u in usages),
        cpu=sum(u.cpu for u in usages),
        rss_kb=max(u.rss_kb for u in usages),
        counts=counts,
        ok=not bad,
        problem=problem,
    )


@dataclass
class Row:
    """One line of the table."""

    scenario: str
    tool: str
    n: str
    runs: int = 0
    wall: float | None = None
    cpu: float | None = None
    server_cpu: float | None = None  # the wikis' servers' CPU seconds (None: not measured)
    requests: str = "-"
    edits: str = "-"
    rss_mb: float | None = None
    note: str = ""
    samples: list[Sample] = field(default_factory=list, repr=False)


def _per_wiki(values: list[dict[str, int]], wikis: Sequence[str]) -> str:
    medians = [int(statistics.median(v[w] for v in values)) for w in wikis]
    return " / ".join(str(m) for m in medians)


def summarize(scenario: str, tool: str, n: str, samples: list[Sample],
              wikis: Sequence[str], note: str = "") -> Row:
    """The row of ``samples``: median wall, CPU and servers' CPU, median counts per wiki, the
    highest RSS."""
    good = [s for s in samples if s.ok]
    if not good:
        problem = samples[0].problem if samples else "not run"
        return Row(scenario, tool, n, len(samples), note=f"FAILED: {problem}", samples=samples)
    extra = [] if len(good) == len(samples) else [f"{len(samples) - len(good)} run(s) failed"]
    posts = sum(statistics.median(s.counts.posts[w] for s in good) for w in wikis)
    extra.append("GET only: no login, no write" if not posts else f"{posts:g} POST")
    other = sum(statistics.median(s.counts.other[w] for s in good) for w in wikis)
    if other:
        extra.append(f"+{int(other)} non-API requests")
    return Row(
        scenario, tool, n, len(good),
        wall=statistics.median(s.wall for s in good),
        cpu=statistics.median(s.cpu for s in good),
        server_cpu=median_known([s.counts.server_cpu for s in good]),
        requests=_per_wiki([s.counts.api for s in good], wikis),
        edits=_per_wiki([s.counts.edits for s in good], wikis),
        rss_mb=max(s.rss_kb for s in good) / 1024,
        note="; ".join([note, *extra]).strip("; "),
        samples=samples,
    )


#: A tool run that takes longer is not repeated: its spread is small next to the gap between
#: it and wikisync (the peers above it are 5 to 60 times slower), and repeating the slow peers
#: would double the bench's time.
SLOW_RUN = 10.0


#: Runs of each tool of a binding pair (wikisync and its floor in the same mode), alternated.
#: With 5, the audit's median ratio on two shared cores moved by 0.1 from one bench to the
#: next while its pairs within one bench spread over 0.3. A median's spread shrinks about as
#: one over the square root of the runs: 9 instead of 5 narrow it by a quarter, for about
#: 100 s more in all.
PAIRED_REPS = 9


def alternate(runs: Sequence[Callable[[int], Sample]], reps: int) -> list[list[Sample]]:
    """``reps`` runs of each of ``runs``, taken in turn (a, b, a, b...): a machine that slows
    down or speeds up meanwhile weighs on each alike."""
    samples: list[list[Sample]] = [[] for _ in runs]
    for i in range(reps):
        for run, got in zip(runs, samples, strict=True):
            got.append(run(i))
    return samples


def pair_spread(ours: Row, floor: Row) -> str:
    """The lowest, median and highest ratio of the runs taken in turn by :func:`alternate`
    (run i of ``ours`` over run i of ``floor``), as a clause to append ("; its 9 pairs in
    turn: ..."), "" with fewer than two good pairs. A median ratio moves from one bench to
    the next by about what this range shows."""
    ratios = sorted(a.wall / b.wall for a, b in zip(ours.samples, floor.samples, strict=False)
                    if a.ok and b.ok and b.wall)
    if len(ratios) < 2:
        return ""
    middle = statistics.median(ratios)
    return (f"; its {len(ratios)} pairs in turn: {ratios[0]:.2f}x to {ratios[-1]:.2f}x, "
            f"median {middle:.2f}x")


def repeat(times: int, run: Callable[[int], Sample]) -> list[Sample]:
    """``run(i)`` for i in 0..times-1, or only ``run(0)`` when it took over
    :data:`SLOW_RUN` seconds."""
    first = run(0)
    if first.wall > SLOW_RUN:
        return [first]
    return [first, *(run(i) for i in range(1, times))]


def num_or_dash(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def echo(row: Row, scenario_width: int, tool_width: int) -> Row:
    """Print ``row`` as a progress line, while the bench runs (the table comes at the end):
    wall s, the tool's CPU s and the servers' CPU s, requests, edits, peak RSS."""
    shown = "-" if row.wall is None else f"{row.wall:.2f}s"
    print(f"  {row.scenario:<{scenario_width}} {row.tool:<{tool_width}} N={row.n:<6} "
          f"{shown:>8}  CPU {num_or_dash(row.cpu, '.3f'):>6} "
          f"servers {num_or_dash(row.server_cpu, '.3f'):>6}  "
          f"req {row.requests:<11} edits {row.edits:<7} "
          f"RSS {row.rss_mb or 0:.0f} MB  {row.note}", flush=True)
    return row


# --------------------------------------------------------------------------- the table

#: "CPU s" is the tool's own (its process tree's); "servers' CPU s" that of the wikis' PHP
#: servers during the tool's runs (both medians over the runs).
COLUMNS = ("scenario", "tool", "N", "runs", "wall s", "CPU s", "servers' CPU s", "API requests",
           "edits", "peak RSS MB", "note")


def _cells(row: Row) -> list[str]:
    return [row.scenario, row.tool, row.n, str(row.runs), num_or_dash(row.wall, ".2f"),
            num_or_dash(row.cpu, ".3f"), num_or_dash(row.server_cpu, ".3f"), row.requests,
            row.edits, num_or_dash(row.rss_mb, ".0f"), row.note]


def table(rows: list[Row]) -> str:
    """A Markdown table (readable on a terminal, pasteable into the README)."""
    lines = [[*COLUMNS], *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    right = {2, 3, 4, 5, 6, 8, 9}

    def fmt(cells: list[str]) -> str:
        return "| " + " | ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else "-" * (w + 2)
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([fmt(lines[0]), rule, *(fmt(line) for line in lines[1:])])
