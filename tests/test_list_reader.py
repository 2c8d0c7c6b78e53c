"""The list reader on the shapes people write (issue 10): pure, no wiki."""

from __future__ import annotations

import pytest

from wikisync import wikitext
from wikisync.lists import LinkContext, to_list_entry

CTX = LinkContext()


def keys(body: str, section: str = "L", before: str = "", after: str = "") -> list[str]:
    text = f"{before}== L ==\n{body}\n{after}"
    return [to_list_entry(r, "w", CTX).key for r in wikitext.read_list(text, section).entries]


@pytest.mark.parametrize("line, key", [
    ("* [[Fichier:Logo-wip.png|20px]] [[Le WIP]] – Colombelles", "Le WIP"),
    ("* [[Image:a.png]] [[File:b.png|x]] [[Le WIP]]", "Le WIP"),
    ("* [[Utilisateur:X|X]] pour [[La Myne]]", "La Myne"),
    ("* [[User:X|X]] pour [[:La Myne]]", "La Myne"),
    ("* Atelier Soleil – [[Ville::Lyon]]", "Atelier Soleil"),
    ("* [[Catégorie:Tiers-lieux]] [[Le WIP]]", "Le WIP"),
    ("* {{lang|fr|''[[Ateliers Jean Moulin]]''}} (Plouhinec)", "Ateliers Jean Moulin"),
    ("* <span style=\"color:green\">[[La Myne]]</span> – Lyon", "La Myne"),
    ("* <span style=\"color:green\">La Halle</span> – Nantes", "La Halle"),
    ("* Cour Commune {{site officiel|http://a.example.org/|x}} – Lyon", "Cour Commune"),
    ("* {{site officiel|lang=fr|http://a.example.org/|Cour Commune}} – Lyon",
     "{{site officiel|lang=fr|http://a.example.org/|Cour Commune}}"),
    ("* [[Fichier:Logo.png|20px]] TETRIS - Philippe Chemla", "TETRIS"),
    ("* TETRIS - Philippe Chemla pour une Fabrique des Territoires", "TETRIS"),
])
def test_the_key_is_the_lieu_not_an_icon_a_user_a_property_or_a_cut_construct(line, key):
    assert keys(line) == [key]


def test_sub_sections_are_never_read_and_a_path_names_one():
    text = ("== L ==\nIntro.\n=== Texte ===\n* prose\n=== Sélection ===\nNous avons reçu :\n"
            "* TETRIS - x\n* LAB01 - y\n== Autre ==\n* [[Z]]\n")
    assert wikitext.read_list(text, "L").entries == ()
    assert wikitext.read_list(text, "L").subsections == ("Texte", "Sélection")
    found = wikitext.read_list(text, "L / Sélection")
    assert [e.name for e in found.entries] == ["TETRIS", "LAB01"]
    assert text[found.start:found.end].startswith("Nous avons reçu :")
    with pytest.raises(wikitext.SectionNotFound) as caught:
        wikitext.read_list(text, "Autre / Sélection")
    assert "under 'Autre'" in str(caught.value)


@pytest.mark.parametrize("body", [
    '<div style="column-count:2">\n* [[A]]\n* [[B]]\n</div>',
    '<div style="column-count:2">\n* [[A]]\n* [[B]]</div>',
    "{{colonnes|nombre=2|\n* [[A]]\n* [[B]]\n}}",
    '{| class="wikitable"\n|-\n|\n* [[A]]\n* [[B]]\n| autre\n|}',
    "<div>\n<div>\n* [[A]]\n</div>\n* [[B]]\n</div>",
])
def test_bullets_in_containers_are_entries(body):
    assert keys(body) == ["A", "B"]


@pytest.mark.parametrize("body", [
    '<div style="column-count:2">\n* [[A]]\n* [[B]]\n</div>',
    "{{colonnes|nombre=2|\n* [[A]]\n* [[B]]\n}}",
    '{| class="wikitable"\n|-\n|\n* [[A]]\n* [[B]]\n| autre\n|}',
])
def test_an_addition_lands_inside_the_container_after_its_last_entry(body):
    text = f"== L ==\n{body}\n== M ==\n"
    new = wikitext.edit_list(text, "L", set(), {}, ["* [[C]]\n"])
    assert new == text.replace("* [[B]]\n", "* [[B]]\n* [[C]]\n")
    assert keys(body.replace("* [[B]]\n", "* [[B]]\n* [[C]]\n")) == ["A", "B", "C"]


def test_continuation_lines_belong_to_their_entry():
    text = ("== L ==\n* [[A]] – Caen\n: contact : Prénom\n* [[B]] – Lyon<br>\n"
            "ouvert le samedi\n\nTexte après.\n")
    section = wikitext.read_list(text, "L")
    assert [e.text for e in section.entries] == [
        "* [[A]] – Caen\n: contact : Prénom\n", "* [[B]] – Lyon<br>\nouvert le samedi\n"]
    new = wikitext.edit_list(text, "L", {0}, {}, [])
    assert new == text.replace("* [[A]] – Caen\n: contact : Prénom\n", "")


@pytest.mark.parametrize("body, what, line", [
    ("* [[Foo\n* [[B]]", "[[", 2),
    ("* [[A]]\n* {{lang|fr|X\n* [[B]]", "{{", 3),
    ("* <span>Foo\n* [[B]]", "<span", 2),
    ("* [[A]]\n<!-- * [[B]]\n* [[C]]", "<!--", 3),
])
def test_a_line_that_does_not_close_what_it_opens_stops_the_list(body, what, line):
    with pytest.raises(wikitext.ListLineError) as caught:
        keys(body)
    message = str(caught.value)
    assert f"line {line} opens {what!r}" in message


def test_a_commented_out_entry_is_not_an_entry():
    assert keys("* [[A]]\n<!-- * [[B]] -->\n* [[C]] <!-- note -->") == ["A", "C"]
