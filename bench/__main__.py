"""``python -m bench [NAME ...] [-- ARGS]``: run the named benchmarks (default: all).

ARGS after ``--`` go to every benchmark run. To add a benchmark, write ``bench/<name>_bench.py``
with a ``main(argv: list[str]) -> int`` and add it to :data:`BENCHMARKS`.
"""

from __future__ import annotations

import importlib
import logging
import signal
import sys

BENCHMARKS: dict[str, str] = {
    "audit": "bench.audit_bench",  # issue 15: audit and idle sync at N = 2,000 and 10,000
    "compare": "bench.compare_bench",  # issue 6: wikisync vs mwclient, Pywikibot, git-mediawiki
    "startup": "bench.startup_bench",  # issue 16: --version and Tab completion
}


def _exit(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _exit)  # `kill` unwinds, so the bench's wikis are stopped too
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    names, extra = (argv[: argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv \
        else (argv, [])
    if any(n in ("-h", "--help") for n in names):
        print(__doc__)
        print("benchmarks:", ", ".join(BENCHMARKS))
        return 0
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}",
              file=sys.stderr)
        return 2
    status = 0
    for name in names or list(BENCHMARKS):
        print(f"== benchmark: {name} ==", flush=True)
        status = max(status, importlib.import_module(BENCHMARKS[name]).main(extra))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
