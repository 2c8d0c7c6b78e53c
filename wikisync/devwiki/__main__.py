"""``python -m wikisync.devwiki``: install, serve and demonstrate the local wikis.

    install-deps   install Debian's MediaWiki and PHP if missing
    up [DIR]       install and seed the local wikis in DIR (default .devwiki), serve until Ctrl-C
    demo [DIR]     install and seed them, then run wikisync against them and stop
"""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from wikisync.devwiki import ensure_mediawiki
from wikisync.devwiki.farm import SECTION, LocalFarm

DEMO_STEPS = [
    ["check"],
    ["show", "lieu", "Le WIP", "--wiki", "movilab"],
    ["sync", "--dry-run"],
    ["sync"],
    ["sync"],
    ["audit"],
]

# The seed page's real layout (wikisync/devwiki/seed/fabmob.yaml, "reading A"): the interested
# tiers-lieux are the bullets of a sub-section, named by its path; the prose bullets of the other
# sub-section are not a list.
SEED_PAGE = "AMI Fabriques de Territoires (sous-sections)"
SEED_PAGE_LISTS = {
    "selection-ami": {
        "kind": "lieu",
        "pages": {
            "fabmob": {"title": SEED_PAGE,
                       "section": f"{SECTION} / Sélection AMI Fabriques des Territoires"},
            "movilab": {"title": "Fabriques de Territoire", "section": SECTION},
        },
    }
}
SEED_PAGE_STEPS = [
    ["check"],
    ["sync", "--dry-run"],
    ["sync"],
]


def _run_wikisync(config: Path, args: list[str]) -> int:
    cmd = [sys.executable, "-m", "wikisync", "--config", str(config), *args]
    print(f"\n$ wikisync {' '.join(args)}", flush=True)
    return subprocess.run(cmd).returncode


def _config_with_lists(farm: LocalFarm, folder: Path, lists: dict) -> Path:
    """A config for the local wikis (with its own state) that syncs ``lists``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = farm.write_config(folder)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["lists"] = lists
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _fresh_state(folder: Path) -> None:
    """Drop the sync state a demo before left in ``folder``: each demo installs its wikis anew,
    and wikisync rightly refuses a state made against other wikis (exit 2)."""
    shutil.rmtree(folder / "state", ignore_errors=True)


def demo(root: Path) -> int:
    farm = LocalFarm(root)
    print(f"Installing and seeding local wikis in {root} ...", flush=True)
    farm.install()
    farm.start()
    for folder in (root, root / "seed-page"):
        _fresh_state(folder)
    try:
        config = farm.write_config()
        for name, wiki in farm.wikis.items():
            print(f"  {name}: {wiki.server}/wiki/  (API {wiki.api_url})")
        for step in DEMO_STEPS:
            code = _run_wikisync(config, step)
            print(f"(exit {code})", flush=True)
        print(f"\n# The seed page as people wrote it: {SEED_PAGE!r}, the list under the path "
              f"{SEED_PAGE_LISTS['selection-ami']['pages']['fabmob']['section']!r}", flush=True)
        seed_config = _config_with_lists(farm, root / "seed-page", SEED_PAGE_LISTS)
        for step in SEED_PAGE_STEPS:
            code = _run_wikisync(seed_config, step)
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
