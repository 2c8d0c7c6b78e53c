"""Quiet, paged and coloured output on the two real local wikis (issue 14, points 1 and 5):
``-q`` prints only errors and new conflicts; long previews go through the pager at a terminal;
colour at a terminal only, never in a pipe nor with ``NO_COLOR``."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pexpect

from tests.test_settle_wikis import annotate
from wikisync.errors import EXIT_ATTENTION, EXIT_FAILED, EXIT_OK

ESC = "\x1b["


def spawn(wikis, *args: str, rows: int = 24, shell_suffix: str = "", **env: str
          ) -> pexpect.spawn:
    """``wikisync --config CONFIG ARGS`` on a pseudo-terminal of ``rows`` lines, with ``env``
    added to this process's environment (less NO_COLOR, PAGER and WIKISYNC_*)."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("WIKISYNC_") and k not in ("NO_COLOR", "PAGER", "LESS")}
    argv = [sys.executable, "-m", "wikisync", "--config", str(wikis.config), *args]
    command, argv = ("/bin/sh", ["-c", shlex.join(argv) + " " + shell_suffix]) if shell_suffix \
        else (argv[0], argv[1:])
    return pexpect.spawn(command, argv, cwd=str(wikis.folder), encoding="utf-8", timeout=60,
                         env={**base, **env}, dimensions=(rows, 100))


def finish(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def recording_pager(folder: Path) -> tuple[str, Path]:
    """A pager that notes it was called (with the LESS it got) and shows its input."""
    marker = folder / "pager-called"
    script = folder / "pager.sh"
    script.write_text(f'#!/bin/sh\necho "LESS=$LESS" > {shlex.quote(str(marker))}\ncat\n',
                      encoding="utf-8")
    script.chmod(0o755)
    return str(script), marker


SET = ("set", "lieu", "Le WIP", "--wiki", "movilab", "--set", "code_postal=14461")


# --------------------------------------------------------------------------- -q


def test_quiet_sync_prints_nothing_when_all_is_well_and_each_conflict_once(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    idle = wikis.run("-q", "sync")
    assert (idle.returncode, idle.stdout, idle.stderr) == (EXIT_OK, "", "")

    annotate(wikis, "fabmob", "Le WIP", " (version FabMob)")
    annotate(wikis, "movilab", "Le WIP", " (version Movilab)")
    first = wikis.run("-q", "sync")
    assert first.returncode == EXIT_ATTENTION
    assert first.stdout.startswith("CONFLICT list tiers-lieux-interesses: 'Le WIP'"), first.stdout
    assert "(version Movilab)" in first.stdout
    assert first.stderr == ""
    again = wikis.run("-q", "sync")  # the same conflict, pending: nothing to say
    assert (again.returncode, again.stdout, again.stderr) == (EXIT_ATTENTION, "", "")
    loud = wikis.run("sync")  # without -q: one line says it is still pending
    assert loud.returncode == EXIT_ATTENTION
    assert "CONFLICT" not in loud.stdout
    assert "1 conflict still pending since" in loud.stdout

    annotate(wikis, "fabmob", "Konk Ar Lab", " (version FabMob)")
    annotate(wikis, "movilab", "Konk Ar Lab", " (version Movilab)")
    newer = wikis.run("-q", "sync")  # a new conflict beside the pending one: only it
    assert newer.returncode == EXIT_ATTENTION
    assert newer.stdout.startswith("CONFLICT list tiers-lieux-interesses: 'Konk Ar Lab'")
    assert "Le WIP" not in newer.stdout
    assert newer.stdout.count("CONFLICT") == 1


def test_quiet_sync_still_prints_errors(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    peer = wikis.peer("movilab")
    page = peer.read(["Fabriques de Territoire"])["Fabriques de Territoire"]
    peer.save(page, page.text.replace("== Tiers Lieux intéressés ==", "== Autre titre =="),
              "titre")
    failed = wikis.run("-q", "sync")
    assert failed.returncode == EXIT_FAILED
    assert failed.stdout == ""
    assert "FAILED list tiers-lieux-interesses" in failed.stderr


# --------------------------------------------------------------------------- pager


def test_a_preview_longer_than_the_terminal_goes_through_the_pager(wikis):
    pager, marker = recording_pager(wikis.folder)
    child = spawn(wikis, *SET, rows=6, PAGER=pager, NO_COLOR="1")
    child.expect_exact("+|Code postal=14461")
    child.expect_exact("Write this change to movilab:Le WIP? [y/N]: ")
    child.sendline("n")
    assert finish(child)[0] == EXIT_FAILED
    assert marker.read_text(encoding="utf-8") == "LESS=FRX\n"  # colours kept, left on screen


def test_a_preview_that_fits_is_not_paged(wikis):
    pager, marker = recording_pager(wikis.folder)
    child = spawn(wikis, *SET, rows=200, PAGER=pager)
    child.expect_exact("Write this change to movilab:Le WIP? [y/N]: ")
    child.sendline("n")
    assert finish(child)[0] == EXIT_FAILED
    assert not marker.exists()


def test_a_dry_run_is_paged_at_a_terminal_and_never_in_a_pipe(wikis):
    pager, marker = recording_pager(wikis.folder)
    status, shown = finish(spawn(wikis, *SET, "--dry-run", rows=6, PAGER=pager))
    assert status == EXIT_OK
    assert "+|Code postal=14461" in shown
    assert marker.exists()
    marker.unlink()
    out = wikis.folder / "out.diff"
    status, _ = finish(spawn(wikis, *SET, "--dry-run", rows=6, PAGER=pager,
                             shell_suffix=f"| cat > {shlex.quote(str(out))}"))
    assert status == EXIT_OK
    assert "+|Code postal=14461" in out.read_text(encoding="utf-8")
    assert not marker.exists()


# --------------------------------------------------------------------------- colour


def test_colour_at_a_terminal(wikis):
    status, shown = finish(spawn(wikis, *SET, "--dry-run", rows=200))
    assert status == EXIT_OK
    assert f"{ESC}32m+|Code postal=14461" in shown
    assert f"{ESC}31m-|Code postal=14460" in shown
    status, shown = finish(spawn(wikis, "set", "lieu", "Le WIP", "--wiki", "movilab", rows=200))
    assert f"{ESC}31merror: nothing to set" in shown


def test_no_colour_with_no_color_set(wikis):
    status, shown = finish(spawn(wikis, *SET, "--dry-run", rows=200, NO_COLOR="1"))
    assert status == EXIT_OK
    assert "+|Code postal=14461" in shown
    assert ESC not in shown
    status, shown = finish(spawn(wikis, "set", "lieu", "Le WIP", "--wiki", "movilab", rows=200,
                                 NO_COLOR="1"))
    assert "error: nothing to set" in shown
    assert ESC not in shown


def test_an_empty_no_color_does_not_disable_colour(wikis):
    status, shown = finish(spawn(wikis, *SET, "--dry-run", rows=200, NO_COLOR=""))
    assert status == EXIT_OK
    assert f"{ESC}32m+|Code postal=14461" in shown


def test_no_colour_in_a_pipe(wikis):
    out, err = wikis.folder / "out.txt", wikis.folder / "err.txt"
    status, _ = finish(spawn(wikis, *SET, "--dry-run", rows=200,
                             shell_suffix=f"2>{shlex.quote(str(err))} | cat > "
                                          f"{shlex.quote(str(out))}"))
    assert status == EXIT_OK
    assert "+|Code postal=14461" in out.read_text(encoding="utf-8")
    assert ESC not in out.read_text(encoding="utf-8")
    status, _ = finish(spawn(wikis, "set", "lieu", "Le WIP", "--wiki", "movilab", rows=200,
                             shell_suffix=f"2>&1 | cat > {shlex.quote(str(out))}"))
    assert "error: nothing to set" in out.read_text(encoding="utf-8")
    assert ESC not in out.read_text(encoding="utf-8")


def test_the_new_lieu_preview_goes_through_the_pager_at_a_small_terminal(wikis):
    pager, marker = recording_pager(wikis.folder)
    child = spawn(wikis, "new-lieu", "Le Refuge", "--set", "ville=Metz", "--wiki", "movilab",
                  rows=20, PAGER=pager, NO_COLOR="1")
    for _answer in range(30):  # the optional fields: all skipped
        if child.expect([r"Enter to skip\]: ", r"Write these pages\? \[y/N\]: "]) == 1:
            break
        child.sendline("")
    assert "=== movilab:Le Refuge (new page)" in child.before
    child.sendline("n")
    assert finish(child)[0] == EXIT_FAILED
    assert marker.exists()


# --------------------------------------------------------------------------- one language


def french(wikis, *args: str):
    """``wikisync ARGS`` with a French locale (LANG), as a French maintainer's shell has it."""
    return wikis.run(*args, env={"LANGUAGE": "", "LANG": "fr_FR.UTF-8"})


def test_a_french_locale_gives_french_messages_wiki_text_stays_french(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    annotate(wikis, "fabmob", "Le WIP", " (version FabMob)")
    annotate(wikis, "movilab", "Le WIP", " (version Movilab)")
    done = french(wikis, "sync")
    assert done.returncode == EXIT_ATTENTION
    assert done.stdout.startswith("CONFLIT liste tiers-lieux-interesses : 'Le WIP'"), done.stdout
    assert "    pour régler : mettez les pages d'accord à la main" in done.stdout
    again = french(wikis, "sync")
    assert "1 conflit toujours en attente depuis" in again.stdout
    english = wikis.run("sync")
    assert "1 conflict still pending since" in english.stdout

    changed = french(wikis, "set", "lieu", "Le WIP", "--wiki", "movilab", "--set",
                     "code_postal=14461", "--yes")
    assert changed.returncode == EXIT_OK, changed.stderr
    assert changed.stdout.startswith("modifié movilab:Le WIP (révision ")
    data = wikis.site("movilab").call({"action": "query", "prop": "revisions",
                                       "titles": "Le WIP", "rvprop": "comment"})
    comment = data["query"]["pages"][0]["revisions"][0]["comment"]
    assert comment == "wikisync: mise à jour de « Code postal »"  # the wiki's text: French

    bad = french(wikis, "set", "lieu", "Le WIP", "--wiki", "movilab", "--set",
                 "code_postal=1446")
    assert bad.returncode == 2
    assert "erreur : " in bad.stderr and "'1446' n'est pas conforme : 5 chiffres" in bad.stderr


def test_the_audit_table_speaks_french_with_a_french_locale(wikis):
    table = french(wikis, "audit")
    assert table.returncode == EXIT_ATTENTION, table.stderr
    last = table.stdout.rstrip().splitlines()[-1]
    assert " constats : " in last and "Audit de " in last, last
    assert "champ obligatoire absent ou vide" in table.stdout  # the published report's words
    english = wikis.run("audit")
    assert "required field absent or empty" in english.stdout
    assert " findings: " in english.stdout.rstrip().splitlines()[-1]
