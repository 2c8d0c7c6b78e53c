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


#: A wiki whose article URLs the lists know (the reader's other tests need none)
CONFIGURED = LinkContext.from_data({"w": {"article_urls": ["https://movilab.org/wiki/"]}})


def entry_read(line: str, ctx: LinkContext = CTX):
    """The one entry of a section holding ``line``, as the list reader reads it."""
    [raw] = wikitext.read_list(f"== L ==\n{line}\n", "L").entries
    return to_list_entry(raw, "w", ctx)


@pytest.mark.parametrize(
    ("line", "key", "lead", "annotation"),
    [
        ("* Le Bocal [https://bocal.example.org site] – Caen", "Le Bocal", "",
         " [https://bocal.example.org site] – Caen"),
        ("* Le Bocal ([http://bocal.example.org site])", "Le Bocal", "",
         " ([http://bocal.example.org site])"),
        ("* Le Bocal http://bocal.example.org/a,b:c", "Le Bocal", "",
         " http://bocal.example.org/a,b:c"),
        ("* Le Bocal – http://bocal.example.org, Caen", "Le Bocal", "",
         " – http://bocal.example.org, Caen"),
        ("* [[Fichier:Logo.png|20px]] Le Bocal [https://bocal.example.org site]", "Le Bocal",
         "[[Fichier:Logo.png|20px]] ", " [https://bocal.example.org site]"),
        ("* '''Le Bocal''' [https://bocal.example.org site]", "Le Bocal", "'''",
         "''' [https://bocal.example.org site]"),
    ],
)
def test_words_before_an_outside_link_name_the_entry(line: str, key: str, lead: str,
                                                     annotation: str) -> None:
    entry = entry_read(line)
    assert (entry.key, entry.label, entry.lead, entry.annotation, entry.linked) == (
        key, None, lead, annotation, False)


def test_an_outside_link_after_icons_or_formatting_only_still_names_the_entry() -> None:
    assert entry_read("* '''[https://lamyne.org La Myne]''' – Lyon").key == "La Myne"
    assert entry_read("* [[Fichier:Logo.png|20px]] [https://lamyne.org La Myne]").key == "La Myne"


def test_words_before_a_link_to_a_configured_wiki_stay_its_lead() -> None:
    entry = entry_read("* Voir [https://movilab.org/wiki/Le_WIP la fiche]", CONFIGURED)
    assert (entry.key, entry.lead, entry.linked) == ("Le WIP", "Voir ", True)


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


NESTED_HEADING = {  # (container around a heading, line of the heading in the page)
    "div 2": ('<div style="background:#eef">\n== M ==\n* Paul Dupont\n</div>', 3),
    "div 3": ('<div style="background:#eef">\n=== Anciens ===\n* [[Z]]\n</div>', 3),
    "center 2": ("<center>\n== M ==\n* Paul Dupont\n</center>", 3),
    "cell 2": ('{| class="wikitable"\n|-\n|\n* [[B]]\n== M ==\n* Paul Dupont\n|}', 6),
    "cell 3": ("{|\n|-\n| a\n|\n=== Anciens ===\n* [[Z]]\n|}", 6),
    "colonnes 2": ("{{colonnes|nombre=2|\n== M ==\n* Paul Dupont\n}}", 3),
    "colonnes 3": ("{{colonnes|nombre=2|\n* [[B]]\n=== Anciens ===\n* [[Z]]\n}}", 4),
}


@pytest.mark.parametrize("name", sorted(NESTED_HEADING))
def test_a_heading_inside_a_container_ends_the_list(name):
    body, _line = NESTED_HEADING[name]
    read = keys("* [[A]]\n" + body)
    assert read == (["A", "B"] if "* [[B]]" in body else ["A"])


@pytest.mark.parametrize("name", sorted(NESTED_HEADING))
def test_no_entry_is_added_next_to_a_heading_inside_a_container(name):
    body, line = NESTED_HEADING[name]
    text = f"== L ==\n* [[A]]\n{body}\n== N ==\n"
    assert wikitext.edit_list(text, "L", {0}, {}, []) == text.replace("* [[A]]\n", "", 1)
    with pytest.raises(wikitext.ListLineError) as caught:
        wikitext.edit_list(text, "L", set(), {}, ["* [[C]]\n"])
    message = str(caught.value)
    heading = text.split("\n")[line]  # the nested heading's line (the page's line + 1)
    assert heading in ("== M ==", "=== Anciens ===")
    assert f"line {line + 1} is a heading inside a container" in message
    assert repr(heading) in message
    assert "move the heading out of it" in caught.value.hint


@pytest.mark.parametrize("wrapper", [
    "<!--\n{}\n-->", "<nowiki>\n{}\n</nowiki>", "<pre>\n{}\n</pre>",
    "<syntaxhighlight lang=\"text\">\n{}\n</syntaxhighlight>", "<source>\n{}\n</source>",
    "<includeonly>\n{}\n</includeonly>",
])
def test_a_heading_like_line_that_does_not_render_does_not_end_the_list(wrapper):
    text = "== L ==\n* [[A]]\n" + wrapper.format("== M ==") + "\n* [[B]]\n== N ==\n* [[Z]]\n"
    assert [e.name for e in wikitext.read_list(text, "L").entries] == ["A", "B"]
    new = wikitext.edit_list(text, "L", set(), {}, ["* [[C]]\n"])
    assert new == text.replace("* [[B]]\n", "* [[B]]\n* [[C]]\n")


def test_a_section_written_inside_a_container_is_found_and_a_twin_is_refused():
    text = "Intro.\n<div>\n== L ==\n* [[A]]\n</div>\n== M ==\n* [[Z]]\n"
    assert [e.name for e in wikitext.read_list(text, "L").entries] == ["A"]
    with pytest.raises(wikitext.ListLineError) as caught:
        wikitext.edit_list(text, "L", set(), {}, ["* [[C]]\n"])
    assert "line 3 is a heading inside a container" in str(caught.value)
    twin = "== L ==\n* [[B]]\n" + text
    with pytest.raises(wikitext.WikitextError) as caught:
        wikitext.read_list(twin, "L")
    assert "2 sections titled 'l'" in str(caught.value).lower()


def test_a_heading_the_parser_misses_inside_a_template_stops_the_list():
    text = "== L ==\n* [[A]]\n{{colonnes|contenu=\n== M ==\n* Paul Dupont\n}}\n"
    with pytest.raises(wikitext.ListLineError) as caught:
        wikitext.read_list(text, "L")
    assert "line 4 may be a heading" in str(caught.value)
