"""One language per run (issue 14): messages about the tool through gettext catalogs.

The French catalog translates every message, with the same placeholders; the template
(``wikisync.pot``) holds exactly the messages of the code, so that a new message without a
translation fails here; a French locale gives French messages, any other English ones.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from wikisync import i18n

REPO = Path(__file__).resolve().parents[1]
POT = REPO / "wikisync" / "locale" / "wikisync.pot"
PO = REPO / "wikisync" / "locale" / "fr" / "LC_MESSAGES" / "wikisync.po"
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([a-z%])")


def catalog(path: Path):
    with path.open("rb") as source:
        return read_po(source, locale="fr" if path.suffix == ".po" else None)


def msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def placeholders(text: str) -> list[str]:
    """The named placeholders of a message, sorted (``%%`` is a percent sign, not one)."""
    found = []
    for name, conversion in PLACEHOLDER.findall(text):
        if conversion == "%":
            continue
        found.append(f"{name}:{conversion}")
    return sorted(set(found))


def test_every_message_has_a_french_translation_with_the_same_placeholders():
    po = catalog(PO)
    template = [m for m in catalog(POT) if m.id]
    assert template, "the template holds no message"
    problems = []
    for message in template:
        translated = po.get(message.id)
        if translated is None or not all(translated.string if isinstance(
                translated.string, tuple) else [translated.string]) or translated.fuzzy:
            problems.append(f"untranslated: {msgid(message)!r}")
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = ([translated.string] if isinstance(translated.string, str)
                   else list(translated.string))
        for string in strings:
            if placeholders(string) != placeholders(ids[-1]):
                problems.append(f"placeholders differ: {msgid(message)!r} -> {string!r}")
    problems += [f"{msgid(message)!r}: {error}" for message, errors in po.check()
                 for error in errors]  # Babel's own checks (as `pybabel compile` makes them)
    assert problems == []


def test_messages_use_named_placeholders_only():
    unnamed = [msgid(m) for m in catalog(POT) if m.id and any(
        name.startswith(":") for text in ([m.id] if isinstance(m.id, str) else m.id)
        for name in placeholders(text))]
    assert unnamed == []


def test_the_template_holds_exactly_the_messages_of_the_code():
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    method_map = [("wikisync/**.py", "python")]
    in_code = {msg if isinstance(msg, str) else msg[0]
               for _file, _line, msg, _comments, _context in extract_from_dir(
                   str(REPO), method_map, keywords=keywords)}
    in_template = {msgid(m) for m in catalog(POT) if m.id}
    assert sorted(in_code - in_template) == [], "run `make messages` and translate"
    assert sorted(in_template - in_code) == [], "run `make messages`"


def test_no_message_is_an_f_string():
    """An f-string is translated after it is filled in: no catalog can hold it."""
    found = [f"{path.relative_to(REPO)}:{number}"
             for path in sorted((REPO / "wikisync").rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\b(_|N_|ngettext)\(\s*f[\"']", line)]
    assert found == []


# --------------------------------------------------------------------------- choosing the language


def run(args: list[str], cwd: Path, **language: str) -> subprocess.CompletedProcess:
    """``wikisync ARGS`` in a fresh process whose only locale variables are ``language``."""
    env = {k: v for k, v in os.environ.items()
           if k not in i18n.LANGUAGE_VARIABLES and not k.startswith("WIKISYNC_")}
    env.update(language)
    return subprocess.run([sys.executable, "-m", "wikisync", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("language", [{"LANG": "fr_FR.UTF-8"}, {"LC_ALL": "fr_FR.UTF-8"},
                                      {"LANGUAGE": "fr", "LANG": "C.UTF-8"},
                                      {"LC_MESSAGES": "fr_BE.UTF-8", "LANG": "C.UTF-8"}])
def test_a_french_locale_gives_french_messages(tmp_path, language):
    done = run(["set", "lieu", "Le WIP", "--wiki", "movilab"], tmp_path, **language)
    assert done.returncode == 2
    assert done.stderr == ("erreur : rien à changer\n"
                           "conseil : donnez au moins un --set CHAMP=VALEUR\n")


@pytest.mark.parametrize("language", [{}, {"LANG": "C.UTF-8"}, {"LANG": "de_DE.UTF-8"},
                                      {"LANGUAGE": "en", "LANG": "fr_FR.UTF-8"}])
def test_any_other_locale_gives_english_messages(tmp_path, language):
    done = run(["set", "lieu", "Le WIP", "--wiki", "movilab"], tmp_path, **language)
    assert done.returncode == 2
    assert done.stderr == ("error: nothing to set\n"
                           "hint: give at least one --set FIELD=VALUE\n")


def test_the_language_can_change_between_two_runs_in_one_process(monkeypatch):
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert i18n._("Nothing was written.") == "Rien n'a été écrit."
    assert i18n.ngettext("%(count)d problem found:", "%(count)d problems found:", 0) == (
        "%(count)d problème trouvé :")  # French says "0 problème"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert i18n._("Nothing was written.") == "Nothing was written."


def test_start_up_loads_no_catalog(tmp_path):
    probe = ("import sys\nfrom wikisync import i18n\nfrom wikisync.cli import main\n"
             "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
             "print('LOADED=%d' % len(i18n._loaded))\n")
    env = {k: v for k, v in os.environ.items() if k not in i18n.LANGUAGE_VARIABLES}
    env["LANG"] = "fr_FR.UTF-8"
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "LOADED=0" in done.stdout


# ------------------------------------------------------------------- --help and click's own words

BRACES = re.compile(r"\{(\w+)(?:![rsa])?\}")


def test_click_style_placeholders_match_in_the_translation():
    """click fills its messages with ``str.format``: a translation must keep every ``{name}``."""
    po = catalog(PO)
    problems = []
    for message in po:
        if not message.id or not message.string or "{{" in str(message.id):
            continue  # "{{" is wikitext ({{{field}}}), not a placeholder
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(BRACES.findall(ids[-1])) | set(BRACES.findall(ids[0]))
        for text in strings:
            if set(BRACES.findall(text)) - wanted or (
                    len(ids) == 1 and set(BRACES.findall(text)) != wanted):
                problems.append(f"{ids[0]!r} -> {text!r}")
    assert problems == []


def test_every_help_text_of_the_command_line_is_in_the_catalog():
    """A new command or option whose help is not marked with N_ would stay English in a French
    run: every help text the command line shows must be a message of the template."""
    import importlib

    from wikisync.cli import COMMANDS, cli, english

    messages = {msgid(m) for m in catalog(POT) if m.id}
    commands = [cli] + [getattr(importlib.import_module(f"wikisync.cli.{module}"), function)
                        for module, function, _summary in COMMANDS.values()]
    texts = [summary for _module, _function, summary in COMMANDS.values()]
    for command in commands:
        texts.append(english(command, "help"))
        texts += [english(p, "help") for p in command.params if hasattr(p, "help")]
    missing = sorted({text for text in texts if text and text not in messages})
    assert missing == []


def test_help_speaks_the_language_of_the_run(tmp_path):
    french = run(["sync", "--help"], tmp_path, LANG="fr_FR.UTF-8")
    english = run(["sync", "--help"], tmp_path, LANG="C.UTF-8")
    assert french.returncode == english.returncode == 0
    assert french.stdout.startswith("Utilisation : wikisync sync [OPTIONS]")
    assert "Rendre chaque liste configurée identique" in french.stdout
    assert "afficher les diffs, ne rien écrire" in french.stdout
    assert "Afficher ce message et quitter." in french.stdout
    assert "Usage" not in french.stdout and "print the diffs" not in french.stdout
    assert english.stdout.startswith("Usage: wikisync sync [OPTIONS]")
    assert "print the diffs, write nothing" in english.stdout
    group = run(["--help"], tmp_path, LANG="fr_FR.UTF-8")
    assert "Commandes:" in group.stdout
    assert "Trouver les pages anciennes" in group.stdout  # the table's summaries too


def test_click_errors_speak_the_language_of_the_run(tmp_path):
    french = run(["sync", "--bogus"], tmp_path, LANG="fr_FR.UTF-8")
    english = run(["sync", "--bogus"], tmp_path, LANG="C.UTF-8")
    assert french.returncode == english.returncode == 2
    assert "Erreur : Option '--bogus' inconnue." in french.stderr
    assert "Essayez « wikisync sync --help » pour l'aide." in french.stderr
    assert "No such option '--bogus'" in english.stderr
    typo = run(["sycn"], tmp_path, LANG="fr_FR.UTF-8")
    assert "Commande 'sycn' inconnue. Vouliez-vous dire 'sync' ?" in typo.stderr


def test_one_process_can_show_help_in_two_languages(monkeypatch):
    """The help texts are translated from their English ids at each run, not once for all."""
    from click.testing import CliRunner

    from wikisync.cli import program

    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    first = CliRunner().invoke(program, ["sync", "--help"])
    monkeypatch.setenv("LANG", "C.UTF-8")
    second = CliRunner().invoke(program, ["sync", "--help"])
    assert "afficher les diffs" in first.output
    assert "print the diffs, write nothing" in second.output
