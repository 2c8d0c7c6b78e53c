"""The command line's start-up (issue 16): what it imports, its help, and Tab completion.

``wikisync --version``, ``--help`` and a Tab press must not pay for the network door (mwclient,
requests), the parser (mwparserfromhell) or YAML; an idle ``sync`` (the cron run with nothing
changed) needs requests and YAML, never mwclient (it does not log in) nor the parser (it reads
no page). Each is checked in a fresh interpreter, where ``sys.modules`` tells what was imported.
No figure of time is asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from wikisync import report
from wikisync.cli import COMMANDS, cli
from wikisync.cli.audit import FORMATS

HEAVY = ("mwclient", "requests", "mwparserfromhell", "yaml")

# Runs ``wikisync ARGS`` in this interpreter, then prints its exit code and which heavy modules
# and which command modules it imported. ``import`` as the only argument imports the command line
# and stops there. Its output goes to stderr, so that stdout holds the probe's lines only.
PROBE = """\
import contextlib, sys
from wikisync.cli import main
code = None
if sys.argv[1:] != ["import"]:
    try:
        with contextlib.redirect_stdout(sys.stderr):
            main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
heavy = [m for m in {heavy!r} if m in sys.modules]
commands = sorted(m for m in sys.modules if m.startswith("wikisync.cli."))
print("EXIT=" + str(code))
print("HEAVY=" + ",".join(heavy))
print("COMMANDS=" + ",".join(commands))
print("PARSER=" + str("wikisync.wikitext" in sys.modules))
print("LOGGING=" + str("logging" in sys.modules))
"""

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
lists:
  tiers-lieux-interesses:
    kind: lieu
    pages:
      fabmob: {title: "AMI Fabriques de Territoires", section: "Tiers Lieux intéressés"}
      movilab: {title: "Fabriques de Territoire", section: "Tiers Lieux intéressés"}
  projets-velo:
    kind: projet
    pages:
      fabmob: {title: "Vélo", section: "Projets"}
"""


def write_config(folder: Path) -> Path:
    """A config with two wikis, two kinds and two lists; its wikis are never reached."""
    (folder / "mappings").mkdir()
    for kind in ("lieu", "projet"):
        (folder / "mappings" / f"{kind}.yaml").write_text(f"kind: {kind}\n", encoding="utf-8")
    (folder / "page_templates").mkdir()
    path = folder / "wikisync.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def run_probe(args: list[str], cwd: Path, complete: str | None = None) -> dict[str, str]:
    """What a fresh ``wikisync ARGS`` printed about itself (see PROBE): EXIT, HEAVY, COMMANDS,
    PARSER, LOGGING, and OUTPUT (its own stdout and stderr).

    With ``complete`` (the words typed so far, the last one being completed), the run is the one
    bash makes at a Tab press.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIKISYNC_", "_WIKISYNC_"))}
    if complete is not None:
        words = complete.split(" ")
        env.update(_WIKISYNC_COMPLETE="bash_complete", COMP_WORDS=complete,
                   COMP_CWORD=str(len(words) - 1))
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    return {**lines, "OUTPUT": proc.stderr}


def probe(args: list[str], cwd: Path, complete: str | None = None) -> tuple[list[str], list[str]]:
    """The heavy modules and the command modules a fresh ``wikisync ARGS`` imported."""
    lines = run_probe(args, cwd, complete)
    return ([m for m in lines["HEAVY"].split(",") if m],
            [m for m in lines["COMMANDS"].split(",") if m])


@pytest.mark.parametrize("args", [["import"], ["--version"], ["-V"], ["--help"], []])
def test_version_and_help_import_no_heavy_module_and_no_command(args, tmp_path):
    heavy, commands = probe(args, tmp_path)
    assert heavy == []
    assert commands == []


def test_tab_on_a_command_name_imports_nothing_heavy(tmp_path):
    heavy, commands = probe([], tmp_path, complete="wikisync s")
    assert heavy == []
    assert commands == []


@pytest.mark.parametrize("complete", [None, "wikisync s"])
def test_version_and_a_command_name_tab_do_without_logging(complete, tmp_path):
    # logging costs ~5 ms of a ~60 ms --version; it loads once a command runs
    args = ["--version"] if complete is None else []
    assert run_probe(args, tmp_path, complete)["LOGGING"] == "False"


@pytest.mark.parametrize("words", [
    "wikisync show lieu X --wiki ",
    "wikisync sync --list ",
    "wikisync audit --kind ",
    "wikisync export ",
])
def test_tab_that_reads_the_config_imports_neither_network_nor_parser(words, tmp_path):
    write_config(tmp_path)
    heavy, _ = probe([], tmp_path, complete=words)
    assert heavy == ["yaml"]  # the config is YAML; mwclient, requests, mwparserfromhell stay out


def test_a_command_help_imports_nothing_heavy(tmp_path):
    heavy, commands = probe(["sync", "--help"], tmp_path)
    assert heavy == []
    assert commands == ["wikisync.cli.options", "wikisync.cli.sync"]


# --------------------------------------------------------------------------- the idle sync

LISTS = {"fabmob": "AMI Fabriques de Territoires", "movilab": "Fabriques de Territoire"}

# The modules an idle ``sync`` runs through: the command, the core it calls, what it prints with.
SYNC_PATH = ("wikisync.cli.sync", "wikisync.sync", "wikisync.cli.output", "wikisync.app",
             "wikisync.site", "wikisync.listgroup", "wikisync.listsync", "wikisync.fieldsync",
             "wikisync.records", "wikisync.provenance", "wikisync.check", "wikisync.settle",
             "wikisync.state")


def _python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter; it must exit 0."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_the_sync_path_imports_neither_mwclient_nor_the_parser():
    code = ("import sys\n"
            f"for name in {SYNC_PATH!r}:\n"
            "    __import__(name)\n"
            "print(','.join(m for m in ('mwclient', 'mwparserfromhell', 'wikisync.wikitext',\n"
            "                            'requests', 'yaml') if m in sys.modules))\n")
    proc = _python(code)
    # requests is the network door's HTTP stack and YAML the config: both are needed
    assert proc.stdout.strip() == "requests,yaml"


def test_an_idle_sync_on_the_wikis_loads_neither_mwclient_nor_the_parser(wikis):
    first = wikis.run("sync")
    assert first.returncode == 0, first.stderr
    before = {wiki: wikis.site(wiki).read([title])[title].revid for wiki, title in LISTS.items()}
    idle = run_probe(["--config", str(wikis.config), "sync"], wikis.folder)
    assert idle["EXIT"] == "0", idle["OUTPUT"]
    assert idle["OUTPUT"] == ""  # quiet: nothing changed
    assert idle["HEAVY"] == "requests,yaml"
    assert idle["PARSER"] == "False"
    after = {wiki: wikis.site(wiki).read([title])[title].revid for wiki, title in LISTS.items()}
    assert after == before
    # once a list page has changed, the same run reads and parses it: the probe can tell
    site = wikis.site("fabmob")
    page = site.read([LISTS["fabmob"]])[LISTS["fabmob"]]
    site.save(page, page.text + "\n\nUne phrase de plus.", "test: a change outside the list")
    busy = run_probe(["--config", str(wikis.config), "sync"], wikis.folder)
    assert busy["EXIT"] == "0", busy["OUTPUT"]
    assert "mwparserfromhell" in busy["HEAVY"].split(",")
    assert busy["PARSER"] == "True"


# --------------------------------------------------------------------------- the command list


def test_every_command_of_the_table_says_its_docstring_first_sentence():
    ctx = click.Context(cli, info_name="wikisync")
    for name, (_, _, summary) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None, name
        assert command.get_short_help_str(limit=1000) == summary, name


def test_help_is_that_of_a_plain_click_group_with_every_command_loaded():
    ctx = click.Context(cli, info_name="wikisync")
    eager = click.Group(cli.name, commands={name: cli.get_command(ctx, name) for name in COMMANDS},
                        params=cli.params, help=cli.help,
                        context_settings=cli.context_settings)
    lazy_help = CliRunner().invoke(cli, ["--help"], prog_name="wikisync")
    eager_help = CliRunner().invoke(eager, ["--help"], prog_name="wikisync")
    assert lazy_help.exit_code == eager_help.exit_code == 0
    assert "\n  new-project  Create a project's pages (kind `projet`).\n" in lazy_help.output
    assert lazy_help.output == eager_help.output


def test_a_mistyped_command_gets_the_closest_name():
    result = CliRunner().invoke(cli, ["synk"], prog_name="wikisync")
    assert result.exit_code == 2
    assert "No such command 'synk'. Did you mean 'sync'?" in result.output


def test_short_version_option_is_the_long_one():
    short = CliRunner().invoke(cli, ["-V"], prog_name="wikisync")
    long = CliRunner().invoke(cli, ["--version"], prog_name="wikisync")
    assert short.exit_code == long.exit_code == 0
    assert short.output == long.output == "wikisync, version 0.1.0\n"


def test_audit_offers_the_report_formats():
    assert FORMATS == report.FORMATS


# --------------------------------------------------------------------------- Tab completion


def complete(words: str) -> list[str]:
    """What bash gets at a Tab press after ``words`` (in process)."""
    env = {"_WIKISYNC_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split(" ")) - 1)}
    result = CliRunner().invoke(cli, [], prog_name="wikisync", env=env)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines() if line]


@pytest.fixture
def in_folder(tmp_path, monkeypatch):
    """The current folder is an empty ``tmp_path``, with no ``$WIKISYNC_CONFIG``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WIKISYNC_CONFIG", raising=False)
    return tmp_path


def test_tab_completes_command_names(in_folder):
    assert complete("wikisync s") == ["plain,set", "plain,show", "plain,status", "plain,sync"]


def test_tab_completes_kinds_from_the_mapping_files(in_folder):
    write_config(in_folder)
    assert complete("wikisync show ") == ["plain,lieu", "plain,projet"]
    assert complete("wikisync new p") == ["plain,projet"]
    assert complete("wikisync audit --kind l") == ["plain,lieu"]


def test_tab_completes_wikis(in_folder):
    write_config(in_folder)
    assert complete("wikisync show lieu X --wiki ") == ["plain,fabmob", "plain,movilab"]
    assert complete("wikisync export lieu --wiki m") == ["plain,movilab"]
    assert complete("wikisync audit --wiki f") == ["plain,fabmob"]


def test_tab_completes_lists(in_folder):
    write_config(in_folder)
    assert complete("wikisync sync --list ") == ["plain,projets-velo",
                                                 "plain,tiers-lieux-interesses"]
    assert complete("wikisync new-lieu X --list t") == ["plain,tiers-lieux-interesses"]


def test_tab_reads_the_config_given_by_option_or_environment(in_folder, monkeypatch):
    elsewhere = in_folder / "elsewhere"
    elsewhere.mkdir()
    config = write_config(elsewhere)
    assert complete("wikisync sync --list ") == []
    assert complete(f"wikisync --config {config} sync --list t") == [
        "plain,tiers-lieux-interesses"]
    monkeypatch.setenv("WIKISYNC_CONFIG", str(config))
    assert complete("wikisync show lieu X --wiki mo") == ["plain,movilab"]


@pytest.mark.parametrize("text", [None, "wikis: [unclosed\n", "wikis: {}\nlists: 3\n"])
def test_tab_without_a_usable_config_completes_nothing(in_folder, text):
    if text is not None:
        (in_folder / "wikisync.yaml").write_text(text, encoding="utf-8")
    assert complete("wikisync show ") == []
    assert complete("wikisync show lieu X --wiki ") == []
    assert complete("wikisync sync --list ") == []


def test_the_process_ends_without_a_last_collection_over_its_objects():
    """At exit, every object still alive is frozen out of the garbage collector's last passes
    (after an export of 2,000 pages those took 0.09 s); an exit handler registered before the
    command runs after wikisync's, and sees it done, once."""
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('FROZEN=' + str(gc.get_freeze_count() > 0)))\n"
            "from wikisync.cli import main\n"
            "try:\n"
            "    main(['--version'])\n"
            "except SystemExit:\n"
            "    pass\n"
            "print('BEFORE EXIT=' + str(gc.get_freeze_count() > 0))\n")
    proc = _python(code)
    assert "BEFORE EXIT=False" in proc.stdout  # nothing frozen while the process works
    assert "FROZEN=True" in proc.stdout
