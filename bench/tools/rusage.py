"""Run a command; write its wall time, CPU seconds and peak RSS (KiB) to a JSON file.

    python -I -S rusage.py RESULT.json CMD [ARG ...]

Linux keeps a process's peak RSS across fork and exec, so a command started straight from the
(large) benchmark process would report the benchmark's own size. This launcher is small: what
``wait4`` reports for the command is the command's own peak (and its waited-for children's).
Exits with the command's exit code.
"""

import json
import os
import sys
import time


def main() -> int:
    result, cmd = sys.argv[1], sys.argv[2:]
    t0 = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    with open(result, "w") as fh:
        json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                   "rss_kb": usage.ru_maxrss}, fh)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
