"""``python -m wikisync.devwiki``: install, serve and demonstrate the local wikis.

    install-deps   install Debian's MediaWiki and PHP if missing
    up [DIR]       install and seed the local wikis in DIR (default .devwiki), serve until Ctrl-C
    demo [DIR]     install and seed them, then run wikisync against them and stop
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

from wikisync.devwiki import ensure_mediawiki
from wikisync.devwiki.farm import LocalFarm

DEMO_STEPS = [
    ["check"],
    ["show", "lieu", "Le WIP", "--wiki", "movilab"],
    ["sync", "--dry-run"],
    ["sync"],
    ["sync"],
    ["audit"],
]


def _run_wikisync(config: Path, args: list[str]) -> int:
    cmd = [sys.executable, "-m", "wikisync", "--config", str(config), *args]
    print(f"\n$ wikisync {' '.join(args)}", flush=True)
    return subprocess.run(cmd).returncode


def demo(root: Path) -> int:
    farm = LocalFarm(root)
    print(f"Installing and seeding local wikis in {root} ...", flush=True)
    farm.install()
    farm.start()
    try:
        config = farm.write_config()
        for name, wiki in farm.wikis.items():
            print(f"  {name}: {wiki.server}/wiki/  (API {wiki.api_url})")
        for step in DEMO_STEPS:
            code = _run_wikisync(config, step)
            print(f"(exit {code})", flush=True)
    finally:
        farm.stop()
    return 0


def up(root: Path) -> int:
    farm = LocalFarm(root)
    farm.install()
    farm.start()
    config = farm.write_config()
    print(f"Local wikis are up; config: {config}")
    for name, wiki in farm.wikis.items():
        print(f"  {name}: {wiki.server}/wiki/  (bot {wiki.bot_login})")
    print("Ctrl-C stops them.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        farm.stop()
    return 0


def _exit(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # `kill PID` unwinds like Ctrl-C does, so the PHP servers (in sessions of their own, out of
    # the terminal's reach) are stopped too instead of being left serving the ports.
    signal.signal(signal.SIGTERM, _exit)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    root = Path(rest[0] if rest else ".devwiki").resolve()
    if command == "install-deps":
        ensure_mediawiki()
        return 0
    if command == "demo":
        return demo(root)
    if command == "up":
        return up(root)
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
