"""Lists as people really write them (issue 10), through the real `wikisync sync`.

Black-box tests: a person (the peer account) writes a list page in a layout found on real
community wikis, `wikisync sync` runs as cron would, and the pages are checked as a reader would
check them: exit code, which lines reached the other wiki, and that everything else stayed byte
for byte. Nothing here calls wikisync's reader or writer; the helpers below find sections with
their own few lines of code, so these tests hold whatever the list model becomes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import yaml

from tests.rendering import rendered_items
from tests.test_identity_wikis import with_lieu_mapping
from wikisync.devwiki.dump import Revision

EXIT_OK, EXIT_FAILED, EXIT_ATTENTION = 0, 1, 3

FAB, MOV = "AMI Fabriques de Territoires", "Fabriques de Territoire"
PAGES = {"fabmob": FAB, "movilab": MOV}
SECTION = "Tiers Lieux intéressés"
LIST = "tiers-lieux-interesses"
SELECTION = "Sélection AMI Fabriques des Territoires"
SEED_A = "AMI Fabriques de Territoires (sous-sections)"  # devwiki seed: reading A
SEED_B = "AMI Fabriques de Territoires (sœurs)"  # devwiki seed: reading B
TETRIS = "* TETRIS - Philippe Chemla pour une Fabrique des Territoires"
LAB01 = "* LAB01 - Isabelle Rantke pour une Fabrique Numérique"
POSITIVE = "Nous avons reçu des retours positifs de:"

# Movilab's seeded list ("Fabriques de Territoire", section "Tiers Lieux intéressés").
MOV_MYNE = "* [[La Myne]]"
MOV_KONK = "* [[Konk Ar Lab]] (Concarneau) – Fabrique numérique de territoire"
MOV_WIP = "* [[Le WIP]] – Colombelles"
VELO = "L'Atelier du Vélo·Solidaire"
GEX = "Tiers-lieu d’Écomobilité (Gex)"

HEADING = re.compile(r"^(={1,6})[ \t]*(.*?)[ \t]*\1[ \t]*$", re.M)


# -- reading pages as a person would ---------------------------------------------------------


def _heading(text: str, heading: str) -> re.Match:
    found = [m for m in HEADING.finditer(text) if m.group(2) == heading]
    assert len(found) == 1, f"heading {heading!r} found {len(found)} times"
    return found[0]


def own_span(text: str, heading: str) -> tuple[int, int]:
    """Offsets of a section's own text: after its heading line, up to the next heading."""
    m = _heading(text, heading)
    start = min(m.end() + 1, len(text))
    nxt = HEADING.search(text, m.end())
    return start, nxt.start() if nxt else len(text)


def whole_span(text: str, heading: str) -> tuple[int, int]:
    """Offsets of a section with its sub-sections: up to the next heading of its level or up."""
    m = _heading(text, heading)
    level = len(m.group(1))
    for nxt in HEADING.finditer(text, m.end()):
        if len(nxt.group(1)) <= level:
            return m.start(), nxt.start()
    return m.start(), len(text)


def own_lines(text: str, heading: str = SECTION) -> list[str]:
    start, end = own_span(text, heading)
    return text[start:end].splitlines()


def bullets(text: str, heading: str = SECTION) -> list[str]:
    return [line for line in own_lines(text, heading) if line[:1] in ("*", "#")]


def mentions(lines: list[str], name: str) -> list[str]:
    return [line for line in lines if name in line]


def outside(text: str, *headings: str) -> list[str]:
    """The page around the sections' own texts (the only parts a sync may change)."""
    parts, pos = [], 0
    for start, end in sorted(own_span(text, h) for h in headings or (SECTION,)):
        parts.append(text[pos:start])
        pos = end
    return [*parts, text[pos:]]


def only_lists_changed(wikis, before: dict[str, str], *headings: str,
                       pages: dict[str, str] = PAGES) -> None:
    """Everything outside the lists' sections stayed byte for byte on every page."""
    for wiki, title in pages.items():
        assert outside(wikis.text(wiki, title), *headings) == outside(before[wiki], *headings), \
            wiki


def new_bullets(before: str, after: str, heading: str = SECTION) -> list[str]:
    """The section's bullet lines that were not there before."""
    old = set(bullets(before, heading))
    return [line for line in bullets(after, heading) if line not in old]


def revision_count(wikis, wiki: str, title: str) -> int:
    data = wikis.site(wiki).query(prop="revisions", titles=title, rvprop="ids", rvlimit="max")
    return len(data["query"]["pages"][0].get("revisions", []))


def revid(wikis, wiki: str, title: str) -> int:
    return wikis.site(wiki).read([title])[title].revid


def texts(wikis, pages: dict[str, str] = PAGES) -> dict[str, str]:
    return {wiki: wikis.text(wiki, title) for wiki, title in pages.items()}


def readers_see_the_same_list(wikis, sections: dict[str, tuple[str, str]] | None = None
                              ) -> None:
    """MediaWiki renders each page's section (``wiki -> (page, heading)``; default: the
    list's pages and section) into the same items: the same pages linked (a page, a red
    link, an interwiki or a URL of the other wiki alike) and the same plain items, whatever
    layout each page uses. What a reader of either wiki sees."""
    seen = {}
    for wiki, (title, heading) in (sections or {w: (t, SECTION) for w, t in PAGES.items()}
                                   ).items():
        text = wikis.text(wiki, title)
        start, end = own_span(text, heading)
        items = rendered_items(wikis.site(wiki), text[start:end], title)
        seen[wiki] = sorted(item["link"] or " ".join(item["text"].split()) for item in items)
    assert len(set(map(tuple, seen.values()))) == 1, seen


# -- a person writing on the wikis ----------------------------------------------------------


def write(wikis, wiki: str, title: str, text: str) -> None:
    """A person (the peer account) saves the whole page (creating it if needed)."""
    peer = wikis.peer(wiki)
    page = peer.read([title])[title]
    peer.save(page, text, "modification humaine", create=not page.exists)


def edit(wikis, wiki: str, old: str, new: str, title: str | None = None) -> None:
    title = title or PAGES[wiki]
    text = wikis.text(wiki, title)
    assert text.count(old) == 1, f"{old!r} is not once on {wiki}:{title}"
    write(wikis, wiki, title, text.replace(old, new))


def set_section(wikis, wiki: str, body: str, heading: str = SECTION,
                title: str | None = None) -> None:
    """A person replaces a section's own text (up to its next heading) with ``body``."""
    title = title or PAGES[wiki]
    text = wikis.text(wiki, title)
    start, end = own_span(text, heading)
    tail = "\n" if end < len(text) else ""
    write(wikis, wiki, title, text[:start] + body.rstrip("\n") + "\n" + tail + text[end:])


def configure(wikis, lists: dict) -> None:
    """Rewrite the test's wikisync.yaml with other lists."""
    data = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    data["lists"] = lists
    wikis.config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")


def one_list(fabmob: tuple[str, str], movilab: tuple[str, str] = (MOV, SECTION)) -> dict:
    return {LIST: {"kind": "lieu", "pages": {
        "fabmob": {"title": fabmob[0], "section": fabmob[1]},
        "movilab": {"title": movilab[0], "section": movilab[1]},
    }}}


def sync(wikis, *args: str, expect: int = EXIT_OK):
    result = wikis.run("sync", *args)
    assert result.returncode == expect, (result.returncode, result.stdout + result.stderr)
    return result


def settled(wikis) -> None:
    """A run right after: nothing to do, nothing said."""
    again = sync(wikis)
    assert again.stdout == "", again.stdout


def balanced(line: str) -> bool:
    return all(line.count(a) == line.count(b) for a, b in (("[[", "]]"), ("{{", "}}")))


# -- the seed page, in its two readings ------------------------------------------------------

PROSE = "Mettre le lieu en contact avec les conseillers mobilité"


@pytest.mark.parametrize("seed", [SEED_A, SEED_B], ids=["sub-sections", "siblings"])
def test_seed_page_list_heading_over_prose_sections_sends_no_prose_to_movilab(wikis, seed):
    configure(wikis, one_list((seed, SECTION)))
    before = texts(wikis, {"fabmob": seed, "movilab": MOV})
    sync(wikis)
    fab, mov = wikis.text("fabmob", seed), wikis.text("movilab", MOV)
    # nothing of the sub-sections (prose, TETRIS, LAB01) is an entry of this list
    assert mov == before["movilab"]
    for line in (PROSE, "Former une personne référente", "TETRIS", "LAB01"):
        assert line not in mov
    # the sections after it stay byte for byte; Movilab's lieux land in the section's own text
    start, end = whole_span(before["fabmob"], "Texte à intégrer pour répondre à l'AMI "
                            "Fabriques de Territoire")
    assert fab.endswith(before["fabmob"][start:])
    assert fab.startswith(outside(before["fabmob"])[0])
    assert len(bullets(fab)) == 4
    for name in ("La Myne", "Konk Ar Lab", "Le WIP", "Les Ateliers & Cie"):
        assert len(mentions(bullets(fab), name)) == 1, (name, fab)
    settled(wikis)  # and no later run plans to remove anything


def test_seed_page_selection_path_brings_tetris_and_lab01_to_movilab(wikis):
    configure(wikis, one_list((SEED_A, f"{SECTION} / {SELECTION}")))
    before = texts(wikis, {"fabmob": SEED_A, "movilab": MOV})
    sync(wikis)
    fab, mov = wikis.text("fabmob", SEED_A), wikis.text("movilab", MOV)
    assert sorted(new_bullets(before["movilab"], mov)) == sorted([TETRIS, LAB01])
    assert PROSE not in mov
    assert outside(mov) == outside(before["movilab"])
    # the line before them stays, everything before the Sélection stays
    own = own_lines(fab, SELECTION)
    assert [line for line in own if line not in bullets(fab, SELECTION)] == [
        line for line in own_lines(before["fabmob"], SELECTION)
        if line not in bullets(before["fabmob"], SELECTION)]
    assert own[own.index(TETRIS) - 1] == POSITIVE
    assert fab.startswith(outside(before["fabmob"], SELECTION)[0])
    assert own_lines(fab, SECTION) == own_lines(before["fabmob"], SECTION)
    assert bullets(fab, SELECTION)[:2] == [TETRIS, LAB01]  # Movilab's lieux come after them
    assert len(bullets(fab, SELECTION)) == len(bullets(mov)) == 6
    readers_see_the_same_list(wikis, {"fabmob": (SEED_A, SELECTION), "movilab": (MOV, SECTION)})
    settled(wikis)


def test_seed_page_sibling_selection_section_syncs_tetris_and_lab01(wikis):
    configure(wikis, one_list((SEED_B, SELECTION)))
    before = texts(wikis, {"fabmob": SEED_B, "movilab": MOV})
    sync(wikis)
    fab, mov = wikis.text("fabmob", SEED_B), wikis.text("movilab", MOV)
    assert sorted(new_bullets(before["movilab"], mov)) == sorted([TETRIS, LAB01])
    assert PROSE not in mov
    assert outside(mov) == outside(before["movilab"])
    own = own_lines(fab, SELECTION)
    assert [line for line in own if line not in bullets(fab, SELECTION)] == [
        line for line in own_lines(before["fabmob"], SELECTION)
        if line not in bullets(before["fabmob"], SELECTION)]
    assert own[own.index(TETRIS) - 1] == POSITIVE
    assert fab.startswith(outside(before["fabmob"], SELECTION)[0])
    assert bullets(fab, SELECTION)[:2] == [TETRIS, LAB01]
    assert len(bullets(fab, SELECTION)) == len(bullets(mov)) == 6
    readers_see_the_same_list(wikis, {"fabmob": (SEED_B, SELECTION), "movilab": (MOV, SECTION)})
    settled(wikis)


# -- sub-sections ----------------------------------------------------------------------------

EN_PROJET = """=== En projet ===
* [[Vieux Tiers-Lieu Oublié]] – Limoges
* Garage à vélos de quartier (Caen)
"""


def test_sub_section_bullets_are_never_read_and_additions_land_before_the_sub_heading(wikis):
    set_section(wikis, "fabmob", f"{MOV_KONK}\n{MOV_WIP}\n\n{EN_PROJET}")
    before = texts(wikis)
    sync(wikis)
    fab, mov = texts(wikis).values()
    assert "Vieux Tiers-Lieu Oublié" not in mov and "Garage à vélos" not in mov
    assert mov == before["movilab"]
    # Movilab's lieux land in the section's own list, before the sub-heading
    assert bullets(fab)[:2] == [MOV_KONK, MOV_WIP]
    assert len(bullets(fab)) == len(bullets(mov)) == 4
    assert own_lines(fab, "En projet") == own_lines(before["fabmob"], "En projet")
    assert fab.index(EN_PROJET) > fab.index(MOV_MYNE)
    only_lists_changed(wikis, before)
    settled(wikis)


# -- columns and other containers ------------------------------------------------------------


def _container_checks(wikis, before: dict, opening: str, closing: str) -> None:
    fab, mov = texts(wikis).values()
    # the entries inside the container were read: not appended a second time, sent to Movilab
    for name in ("Konk Ar Lab", "Le WIP", VELO, "La Myne", "Les Ateliers & Cie"):
        assert len(mentions(own_lines(fab), name)) == 1, (name, fab)
        assert len(mentions(own_lines(mov), name)) == 1, (name, mov)
    assert [VELO in line for line in new_bullets(before["movilab"], mov)] == [True]
    # Movilab's additions land inside the container, after its last entry
    start, end = own_span(fab, SECTION)
    section = fab[start:end]
    inside = section[section.index(opening):section.index(closing)]
    assert MOV_MYNE in inside.splitlines()
    lines = inside.splitlines()
    assert lines.index(MOV_MYNE) > max(i for i, line in enumerate(lines) if VELO in line)
    after = section[section.index(closing) + len(closing):]
    assert not [line for line in after.splitlines() if line.startswith("*")], after
    assert outside(fab) == outside(before["fabmob"])
    assert outside(mov) == outside(before["movilab"])
    readers_see_the_same_list(wikis)
    settled(wikis)


def test_bullets_in_a_column_div_are_entries_and_additions_go_inside_it(wikis):
    set_section(wikis, "fabmob", f"""<div style="column-count:2">
{MOV_KONK}
{MOV_WIP}
* [[{VELO}]] – Saint-Étienne
</div>
""")
    before = texts(wikis)
    sync(wikis)
    _container_checks(wikis, before, '<div style="column-count:2">', "</div>")


def write_colonnes(wikis) -> None:
    """FabMob's ``{{colonnes|nombre=…|…}}``: its unnamed parameter in a column ``<div>``."""
    write(wikis, "fabmob", "Modèle:Colonnes",
          '<div style="column-count:{{{nombre|2}}}">\n{{{1}}}\n</div>'
          "<noinclude>Met une liste en colonnes.</noinclude>")


def test_bullets_in_a_colonnes_template_are_entries_and_additions_go_inside_it(wikis):
    write_colonnes(wikis)
    set_section(wikis, "fabmob", f"""{{{{colonnes|
{MOV_KONK}
{MOV_WIP}
* [[{VELO}]] – Saint-Étienne
}}}}
""")
    before = texts(wikis)
    sync(wikis)
    _container_checks(wikis, before, "{{colonnes|", "}}")


def test_bullets_in_a_table_cell_are_entries_and_additions_go_inside_the_table(wikis):
    set_section(wikis, "fabmob", f"""{{| class="wikitable"
! Bretagne !! Ailleurs
|-
|
{MOV_KONK}
|
{MOV_WIP}
* [[{VELO}]] – Saint-Étienne
|}}
""")
    before = texts(wikis)
    sync(wikis)
    _container_checks(wikis, before, '{| class="wikitable"', "|}")


def test_wrapping_a_synced_list_in_columns_plans_no_deletion(wikis):
    sync(wikis)
    fab = wikis.text("fabmob", FAB)
    lines = fab.split("\n")
    first = lines.index("* [[Konk Ar Lab]] (Concarneau) – Fabrique numérique de territoire")
    last = lines.index(f"* [[{GEX}]] – Gex")
    wrapped = lines[:first] + ['<div style="column-count:2">'] + lines[first:last + 1] \
        + ["</div>"] + lines[last + 1:]
    write(wikis, "fabmob", FAB, "\n".join(wrapped))
    after_wrap = texts(wikis)
    revs = {w: revid(wikis, w, t) for w, t in PAGES.items()}
    result = sync(wikis)
    assert "−" not in result.stdout, result.stdout  # no removal planned
    assert texts(wikis) == after_wrap
    assert {w: revid(wikis, w, t) for w, t in PAGES.items()} == revs


# -- icons and people before the name --------------------------------------------------------


GARAGE = "Garage Solidaire du Pays de Bray"
VIEUX = "Vieux Tiers-Lieu Oublié"


def test_an_icon_before_the_link_is_not_the_key(wikis):
    sync(wikis)
    # a person adds an icon to a synced entry, and two new entries with icons
    icon_wip = ("* [[Fichier:Logo-wip.png|20px]] [https://movilab.org/wiki/Le_WIP Le WIP]"
                " – Colombelles")
    icon_garage = f"* [[Fichier:Logo-garage.png|20px]] [[{GARAGE}]] – Forges-les-Eaux"
    icon_vieux = f"* [[Fichier:Logo-vieux.png|20px]] [[{VIEUX}]] – Limoges"
    edit(wikis, "fabmob", "* [https://movilab.org/wiki/Le_WIP Le WIP] – Colombelles\n",
         f"{icon_wip}\n{icon_garage}\n{icon_vieux}\n")
    before = texts(wikis)
    sync(wikis)
    fab, mov = texts(wikis).values()
    # Le WIP is the same lieu: still one line on each wiki, with its link and annotation
    assert mentions(bullets(fab), "Le WIP") == [icon_wip]
    wip = mentions(bullets(mov), "Le WIP")
    assert len(wip) == 1 and "[[Le WIP]]" in wip[0] and wip[0].endswith("– Colombelles"), wip
    # both new icon entries are kept, and reach Movilab once each
    assert icon_garage in bullets(fab) and icon_vieux in bullets(fab)
    assert len(mentions(bullets(mov), GARAGE)) == len(mentions(bullets(mov), VIEUX)) == 1
    assert "[[20px" not in mov and "* 20px" not in mov
    assert len(bullets(fab)) == len(bullets(mov)) == len(bullets(before["movilab"])) + 2
    for line in new_bullets(before["movilab"], mov):  # the new lieux (and maybe Le WIP's icon)
        assert GARAGE in line or VIEUX in line or "[[Le WIP]]" in line, line
    only_lists_changed(wikis, before)
    readers_see_the_same_list(wikis)
    settled(wikis)


def test_a_person_before_the_link_is_not_the_key(wikis):
    sync(wikis)
    myne = "* [[Utilisateur:Contributrice|Contributrice]] pour [[La Myne]]"
    garage = f"* [[Utilisateur:Contributrice|Contributrice]] pour [[{GARAGE}]]"
    edit(wikis, "fabmob", f"{MOV_MYNE}\n", f"{myne}\n{garage}\n")
    before = texts(wikis)
    sync(wikis)
    fab, mov = texts(wikis).values()
    assert mentions(bullets(fab), "La Myne") == [myne]
    myne_mov = mentions(bullets(mov), "La Myne")
    assert len(myne_mov) == 1 and "[[La Myne]]" in myne_mov[0], myne_mov
    assert len(mentions(bullets(mov), GARAGE)) == 1
    person_as_key = re.compile(r"\*\s*(\[\[|\[\S+ )?Contributrice\b")
    assert not [line for line in bullets(mov) if person_as_key.match(line)]
    assert len(bullets(fab)) == len(bullets(mov)) == len(bullets(before["movilab"])) + 1
    for line in new_bullets(before["movilab"], mov):
        assert GARAGE in line or "[[La Myne]]" in line, line
    only_lists_changed(wikis, before)
    settled(wikis)


def test_an_smw_annotation_is_never_a_key(wikis):
    soleil = "* Atelier Soleil – [[Ville::Lyon]]"
    cour = "* Cour Commune – [[Ville::Lyon]]"
    set_section(wikis, "fabmob", f"{soleil}\n{cour}\n")
    before = texts(wikis)
    sync(wikis)
    fab, mov = texts(wikis).values()
    # two lieux in one city: both reach Movilab (with one key "Ville::Lyon" one would be lost)
    assert soleil in bullets(mov) and cour in bullets(mov)
    assert soleil in bullets(fab) and cour in bullets(fab)
    assert new_bullets(before["movilab"], mov) == [soleil, cour]
    assert len(bullets(fab)) == len(bullets(mov)) == 6
    only_lists_changed(wikis, before)
    settled(wikis)


# -- templates and tags around the name ------------------------------------------------------


def test_a_template_around_the_name_never_produces_broken_links(wikis):
    jean_moulin = "* {{lang|fr|''[[Ateliers Jean Moulin]]''}} (Plouhinec)"
    set_section(wikis, "fabmob", f"{MOV_WIP}\n{jean_moulin}\n")
    before = texts(wikis)
    sync(wikis)
    fab, mov = texts(wikis).values()
    assert "[[{{" not in mov and "[[{{" not in fab
    arrived = mentions(bullets(mov), "Ateliers Jean Moulin")
    assert len(arrived) == 1, arrived
    assert balanced(arrived[0]), arrived
    # with a valid link to the lieu, or exactly as written
    assert "[[Ateliers Jean Moulin]]" in arrived[0] or arrived[0] == jean_moulin
    assert arrived[0].endswith("(Plouhinec)")
    assert jean_moulin in bullets(fab)
    assert new_bullets(before["movilab"], mov) == arrived
    only_lists_changed(wikis, before)
    settled(wikis)


def test_a_plain_name_is_never_cut_inside_a_template_or_a_tag(wikis):
    # cut at the first separator inside the template or tag (the ":" of "http:" or of
    # "color:green"), each pair would get one key, and one lieu of each pair would be lost
    officials = [
        "* {{site officiel|lang=fr|http://cour-commune.example.org/|Cour Commune}} – Lyon",
        "* {{site officiel|lang=fr|http://atelier-soleil.example.org/|Atelier Soleil}} – Lyon",
    ]
    greens = [
        '* <span style="color:green">La Halle aux Vélos</span> – Nantes',
        '* <span style="color:green">Le Garage Partagé</span> – Rennes',
    ]
    set_section(wikis, "fabmob", "\n".join(officials + greens) + "\n")
    before = texts(wikis)
    sync(wikis)
    fab, mov = texts(wikis).values()
    for line in officials + greens:
        assert line in bullets(mov) and line in bullets(fab), line
    for broken in ("[[{{", "[[<", "[[http", "style=\"color]]"):
        assert broken not in mov
    assert new_bullets(before["movilab"], mov) == officials + greens
    assert len(bullets(fab)) == len(bullets(mov)) == 8
    only_lists_changed(wikis, before)
    settled(wikis)


# -- what the person wrote is kept -----------------------------------------------------------


def test_an_annotation_change_keeps_the_other_wikis_link_as_written(wikis):
    sync(wikis)
    fab_wip = "* [https://movilab.org/wiki/Le_WIP Le WIP] – Colombelles"
    assert fab_wip in bullets(wikis.text("fabmob", FAB))
    edit(wikis, "movilab", f"{MOV_WIP}\n", f"{MOV_WIP} (14)\n")
    before = texts(wikis)
    sync(wikis)
    fab = wikis.text("fabmob", FAB)
    assert mentions(bullets(fab), "Le WIP") == [f"{fab_wip} (14)"]
    assert fab == before["fabmob"].replace(fab_wip, f"{fab_wip} (14)")
    assert wikis.text("movilab", MOV) == before["movilab"]
    settled(wikis)


def test_a_red_link_arrives_as_a_link(wikis):
    hangar = "* [[Le Hangar Numérique]] – Brest"
    edit(wikis, "fabmob", "* [[Lieu Fantôme]] – Nulle-Part\n",
         f"* [[Lieu Fantôme]] – Nulle-Part\n{hangar}\n")
    before = texts(wikis)
    sync(wikis)
    mov = wikis.text("movilab", MOV)
    assert hangar in bullets(mov)
    assert mentions(new_bullets(before["movilab"], mov), "Hangar") == [hangar]
    only_lists_changed(wikis, before)
    readers_see_the_same_list(wikis)
    settled(wikis)


def test_continuation_lines_travel_and_leave_with_their_entry(wikis):
    velo = f"* [[{VELO}]] – Saint-Étienne\n: contact : Camille, 06 00 00 00 00\n"
    gex = f"* [[{GEX}]] – Gex<br>\nouvert le samedi matin\n"
    set_section(wikis, "fabmob", f"{MOV_WIP}\n{velo}{gex}")
    before_mov = wikis.text("movilab", MOV)
    sync(wikis)
    mov = own_lines(wikis.text("movilab", MOV))
    i = [n for n, line in enumerate(mov) if VELO in line]
    assert len(i) == 1 and mov[i[0] + 1] == ": contact : Camille, 06 00 00 00 00", mov
    j = [n for n, line in enumerate(mov) if GEX in line]
    assert len(j) == 1 and mov[j[0]].endswith("– Gex<br>") \
        and mov[j[0] + 1] == "ouvert le samedi matin", mov
    # the person removes both entries on FabMob, with what continues them
    edit(wikis, "fabmob", velo + gex, "")
    sync(wikis)
    mov_text = wikis.text("movilab", MOV)
    for gone in (VELO, "contact : Camille", "Écomobilité", "ouvert le samedi matin"):
        assert gone not in mov_text, gone
    # La Myne and the rest of Movilab's list stay as they were after the first run
    assert outside(mov_text) == outside(before_mov)
    assert MOV_MYNE in bullets(mov_text)
    readers_see_the_same_list(wikis)
    settled(wikis)


# -- broken lines ----------------------------------------------------------------------------


def test_an_unclosed_link_stops_the_list_naming_the_line_and_writes_nothing(wikis):
    broken = "* [[La Fabrique du Sud – Montpellier"
    edit(wikis, "fabmob", "* [[Lieu Fantôme]] – Nulle-Part\n",
         f"* [[Lieu Fantôme]] – Nulle-Part\n{broken}\n")
    revs = {w: revid(wikis, w, t) for w, t in PAGES.items()}
    result = sync(wikis, expect=EXIT_FAILED)
    assert broken in result.stdout + result.stderr
    assert {w: revid(wikis, w, t) for w, t in PAGES.items()} == revs


def test_an_unclosed_comment_stops_the_list_naming_the_line_and_writes_nothing(wikis):
    opener = "<!-- à vérifier avant de les ajouter :"
    edit(wikis, "fabmob", "* [[Lieu Fantôme]] – Nulle-Part\n",
         f"* [[Lieu Fantôme]] – Nulle-Part\n{opener}\n* [[La Californie]] – Toucy\n")
    revs = {w: revid(wikis, w, t) for w, t in PAGES.items()}
    result = sync(wikis, expect=EXIT_FAILED)
    assert opener in result.stdout + result.stderr
    assert {w: revid(wikis, w, t) for w, t in PAGES.items()} == revs
    assert "La Californie" not in wikis.text("movilab", MOV)


def test_a_commented_out_entry_is_never_an_entry(wikis):
    comments = ("<!-- * [[La Californie]] – Toucy -->\n"
                "<!--\n* [[Garage Solidaire du Pays de Bray]] – Forges-les-Eaux\n-->\n")
    edit(wikis, "fabmob", "* [[Lieu Fantôme]] – Nulle-Part\n",
         f"* [[Lieu Fantôme]] – Nulle-Part\n{comments}")
    before = texts(wikis)
    sync(wikis)
    fab, mov = texts(wikis).values()
    assert "La Californie" not in mov and "Garage Solidaire" not in mov
    assert comments in fab
    only_lists_changed(wikis, before)
    settled(wikis)


# -- the list's own pages are page furniture -------------------------------------------------


def test_a_link_to_the_lists_own_page_is_not_an_entry(wikis):
    fab_url = wikis.farm.wikis["fabmob"].article_url
    local = f"* [{fab_url}AMI_Fabriques_de_Territoires Alliance FabMob / Tiers-Lieux]"
    real = ("* [https://wiki.lafabriquedesmobilites.fr/wiki/AMI_Fabriques_de_Territoires "
            "La page de l'alliance sur le wiki FabMob]")
    edit(wikis, "movilab", f"{MOV_MYNE}\n", f"{local}\n{real}\n{MOV_MYNE}\n")
    back = "* [[movilab:Fabriques de Territoire|La liste sur Movilab]]"
    edit(wikis, "fabmob", "* [[Lieu Fantôme]] – Nulle-Part\n",
         f"* [[Lieu Fantôme]] – Nulle-Part\n{back}\n")
    before = texts(wikis)
    sync(wikis)
    fab, mov = texts(wikis).values()
    for furniture in ("Alliance FabMob / Tiers-Lieux", "La page de l'alliance"):
        assert furniture not in fab
    assert "La liste sur Movilab" not in mov
    assert local in bullets(mov) and real in bullets(mov) and back in bullets(fab)
    assert "La Myne" in fab  # the list itself did sync
    only_lists_changed(wikis, before)
    settled(wikis)


# -- two lists on one page -------------------------------------------------------------------

FABRIQUES = "Liste des Fabriques de Territoire"


def test_two_lists_on_one_page_make_one_edit_per_page(wikis):
    edit(wikis, "fabmob", "== Contacts ==",
         f"== {FABRIQUES} ==\n* [[La Myne]] – Villeurbanne (69)\n\n== Contacts ==")
    lists = one_list((FAB, SECTION))
    lists["fabriques"] = {"kind": "lieu", "pages": {
        "fabmob": {"title": FAB, "section": FABRIQUES},
        "movilab": {"title": MOV, "section": FABRIQUES},
    }}
    configure(wikis, lists)
    counts = {w: revision_count(wikis, w, t) for w, t in PAGES.items()}
    before = texts(wikis)
    sync(wikis)
    assert {w: revision_count(wikis, w, t) for w, t in PAGES.items()} == {
        w: n + 1 for w, n in counts.items()}
    fab, mov = texts(wikis).values()
    assert len(bullets(fab, FABRIQUES)) == len(bullets(mov, FABRIQUES)) == 4
    assert "* [[La Myne]] – Villeurbanne (69)" in bullets(mov, FABRIQUES)
    assert MOV_MYNE in bullets(fab)
    only_lists_changed(wikis, before, SECTION, FABRIQUES)
    settled(wikis)


# -- MediaWiki's pre-save transform ----------------------------------------------------------


def test_mediawikis_save_normalisation_is_not_a_concurrent_edit(wikis):
    # A page saved before MediaWiki normalised it (an import, an old version): the pipe trick
    # `[[X|]]` stands in the stored text, and MediaWiki expands it on wikisync's next save.
    text = wikis.text("fabmob", FAB).replace(
        "* [[Lieu Fantôme]] – Nulle-Part", "* [[Lieu Fantôme]] – Nulle-Part\n"
        "* [[Le Hangar Numérique|]] – Brest")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    wikis.farm.wikis["fabmob"].import_pages([Revision(FAB, text, timestamp=now)])
    assert "[[Le Hangar Numérique|]]" in wikis.text("fabmob", FAB)
    result = sync(wikis)
    out = result.stdout + result.stderr
    assert "changed between" not in out and "concurrent" not in out, out
    assert mentions(bullets(wikis.text("movilab", MOV)), "Le Hangar Numérique")
    assert MOV_MYNE in bullets(wikis.text("fabmob", FAB))
    settled(wikis)


# -- nested lines ----------------------------------------------------------------------------


def test_child_lines_merge_line_by_line(wikis):
    edit(wikis, "fabmob", "** atelier mobile le samedi\n",
         "** atelier mobile le samedi\n** vélo-école le mercredi\n")
    sync(wikis)
    edit(wikis, "fabmob", "** atelier mobile le samedi\n", "")
    edit(wikis, "movilab", "** vélo-école le mercredi\n",
         "** vélo-école le mercredi\n** bourse aux vélos en mai\n")
    before = texts(wikis)
    sync(wikis)
    for wiki, title in PAGES.items():
        lines = own_lines(wikis.text(wiki, title))
        i = next(n for n, line in enumerate(lines) if VELO in line)
        assert lines[i + 1:i + 3] == ["** vélo-école le mercredi",
                                      "** bourse aux vélos en mai"], (wiki, lines)
        assert not "".join(lines[i + 3:i + 4]).startswith("**"), (wiki, lines)
        assert "atelier mobile le samedi" not in "\n".join(lines)
    only_lists_changed(wikis, before)
    settled(wikis)


# -- the safety invariant --------------------------------------------------------------------

MOVED = {
    "gallery": "<gallery>\nKonk-ar-lab.jpg|[[Konk Ar Lab]] (Concarneau)\n</gallery>\n",
    "definition-list": "; [[Konk Ar Lab]] : Concarneau, Fabrique numérique de territoire\n",
}


@pytest.mark.parametrize("layout", sorted(MOVED))
def test_an_entry_whose_link_still_stands_is_never_removed_elsewhere(wikis, layout):
    sync(wikis)
    edit(wikis, "fabmob", f"{MOV_KONK}\n", MOVED[layout])
    before = texts(wikis)
    result = wikis.run("sync")
    out = result.stdout + result.stderr
    assert result.returncode in (EXIT_OK, EXIT_FAILED), (result.returncode, out)
    mov = wikis.text("movilab", MOV)
    assert mov == before["movilab"], out  # never a removal
    assert MOVED[layout] in wikis.text("fabmob", FAB)
    if result.returncode == EXIT_FAILED:
        assert "Konk Ar Lab" in out, out


# -- one place, two spellings ----------------------------------------------------------------

VELO_TYPO = "L’Atelier du Vélo·Solidaire"  # Movilab's spelling: a typographic apostrophe


def test_one_place_spelt_two_ways_stops_the_list_until_same_names_it_once(wikis):
    """FabMob lists L'Atelier du Vélo·Solidaire; a person on Movilab lists the same place under
    Movilab's spelling (’). Synced as two lieux, each page would list it twice. The sync stops,
    names FabMob's line and writes nothing; once the mapping's ``same:`` names the two titles
    as one lieu, it syncs and each page lists the place once."""
    edit(wikis, "movilab", f"{MOV_MYNE}\n",
         f"{MOV_MYNE}\n* [[{VELO_TYPO}]] – Saint-Étienne\n** atelier mobile le samedi\n")
    revs = {w: revid(wikis, w, t) for w, t in PAGES.items()}
    result = sync(wikis, expect=EXIT_FAILED)
    out = result.stdout + result.stderr
    assert VELO_TYPO in out and f"* [[{VELO}]] – Saint-Étienne" in out, out
    assert "same:" in out, out
    assert {w: revid(wikis, w, t) for w, t in PAGES.items()} == revs

    with_lieu_mapping(wikis, f'\nsame: [{{fabmob: "{VELO}", movilab: "{VELO_TYPO}"}}]\n')
    before = texts(wikis)
    sync(wikis)
    for wiki, title in PAGES.items():
        lines = own_lines(wikis.text(wiki, title))
        assert len(mentions(lines, "du Vélo·Solidaire")) == 1, (wiki, lines)
    assert mentions(own_lines(wikis.text("fabmob", FAB)), VELO_TYPO) == []
    only_lists_changed(wikis, before)
    settled(wikis)
