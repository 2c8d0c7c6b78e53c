"""`wikisync check` reads every configured list as `sync` would (issue 10), on real wikis."""

from __future__ import annotations

import yaml

from wikisync.errors import EXIT_FAILED, EXIT_OK

SEED_A = "AMI Fabriques de Territoires (sous-sections)"  # devwiki seed: the sub-section reading
SECTION = "Tiers Lieux intéressés"
SELECTION = "Sélection AMI Fabriques des Territoires"


def configure(wikis, fabmob_title: str, fabmob_section: str) -> None:
    data = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    pages = data["lists"]["tiers-lieux-interesses"]["pages"]
    pages["fabmob"] = {"title": fabmob_title, "section": fabmob_section}
    wikis.config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_check_lists_each_lists_entries(wikis):
    result = wikis.run("check")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("list ")]
    assert len(lines) == 2, result.stdout
    fab = next(line for line in lines if "fabmob:" in line)
    assert "Konk Ar Lab" in fab and "Le WIP" in fab


def test_check_names_the_sub_section_path_when_the_heading_has_no_bullets(wikis):
    configure(wikis, SEED_A, SECTION)
    result = wikis.run("check")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    fab = next(line for line in result.stdout.splitlines()
               if line.startswith("list ") and "fabmob:" in line)
    assert fab.endswith(": 0 entries"), fab
    assert f'"{SECTION} / {SELECTION}"' in result.stdout
    configure(wikis, SEED_A, f"{SECTION} / {SELECTION}")
    result = wikis.run("check")
    fab = next(line for line in result.stdout.splitlines()
               if line.startswith("list ") and "fabmob:" in line)
    assert "2 entries: TETRIS, LAB01" in fab, fab


def test_check_fails_on_a_list_line_it_cannot_read(wikis):
    title = "Fabriques de Territoire"
    peer = wikis.peer("movilab")
    page = peer.read([title])[title]
    head = f"== {SECTION} ==\n"
    assert head in page.text
    peer.save(page, page.text.replace(head, head + "* [[Lieu non fermé\n"), "ligne cassée")
    result = wikis.run("check")
    assert result.returncode == EXIT_FAILED, result.stdout + result.stderr
    assert "FAILED" in result.stdout and "Lieu non fermé" in result.stdout
