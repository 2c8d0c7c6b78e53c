"""Tests of list entries: keys, annotations, rendering for each wiki, round trips.

``parse_line`` below is a tiny stand-in for ``wikisync.wikitext`` (it reads one rendered entry
into a :class:`RawEntry`), so these tests do not depend on the parser.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wikisync.errors import ConfigError
from wikisync.lists import (
    LinkContext,
    article_urls_from_siteinfo,
    guess_article_urls,
    normalize_annotation,
    render_entry,
    split_plain_entry,
    to_list_entry,
)
from wikisync.model import Link, ListEntry, RawEntry

CTX = LinkContext.from_data(
    {
        "fabmob": {
            "article_urls": [
                "https://wiki.lafabriquedesmobilites.fr/wiki/",
                "https://wiki.lafabriquedesmobilites.fr/index.php?title=",
            ],
            "interwiki": {"Movilab": "movilab"},
        },
        "movilab": {
            "article_urls": [
                "https://movilab.org/wiki/",
                "https://movilab.org/index.php?title=",
                "https://www.movilab.org/wiki/",
            ],
        },
        "tiers": {"article_urls": ["https://tiers.example.org/w/index.php/"]},
    }
)

PAGES = {
    "fabmob": {"Le WIP", "La Myne"},
    "movilab": {"Le WIP", "L’Établi", "Tiers-Lieu Test"},
    "tiers": {"Tiers-Lieu Test", "Seulement Ici"},
}

_LINK = re.compile(
    r"\[\[(?P<target>[^\]|]*)(?:\|(?P<label>[^\]]*))?\]\]"
    r"|\[(?P<url>\S+://[^\s\]]+)(?: (?P<text>[^\]]*))?\]"
)


def has_page(wiki: str, key: str) -> bool:
    """Pages that exist in these tests."""
    return key in PAGES.get(wiki, set())


def parse_line(text: str) -> RawEntry:
    """Read one entry (first line and sub-bullets) the way ``wikitext`` describes RawEntry."""
    first, *children = text.rstrip("\n").split("\n")
    bullet = re.match(r"[*#]+", first).group(0)
    body = first[len(bullet):]
    match = _LINK.search(body)
    if match is None:
        name, rest, lead = split_plain_entry(body)
        return RawEntry(text, bullet, Link("plain"), name, rest, tuple(children), lead=lead)
    if match.group("url"):
        link = Link("external", match.group("url"), match.group("text"))
    else:
        link = Link("internal", match.group("target"), match.group("label"))
    return RawEntry(text, bullet, link, "", body[match.end():], tuple(children),
                    lead=body[:match.start()].lstrip())


def entry_of(line: str, wiki: str = "fabmob") -> ListEntry:
    """The ListEntry of a line read on ``wiki``."""
    return to_list_entry(parse_line(line), wiki, CTX)


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("* [[Le WIP]]", "Le WIP"),
        ("* [[Le_WIP]] – Caen", "Le WIP"),
        ("* [[le WIP|Le Wip]]", "Le WIP"),
        ("* [[:Le WIP]]", "Le WIP"),
        ("* [[Le WIP#Contact]]", "Le WIP"),
        ("* [[Movilab:L’Établi]]", "L’Établi"),  # prefix known to fabmob, any case
        ("* [[movilab:L’Établi]]", "L’Établi"),
        ("* [https://movilab.org/wiki/Le_WIP Le WIP]", "Le WIP"),
        ("* [http://movilab.org/wiki/Le_WIP]", "Le WIP"),  # scheme does not matter
        ("* [https://www.movilab.org/wiki/Le_WIP Le WIP]", "Le WIP"),  # alternative host
        ("* [https://movilab.org/index.php?title=Le_WIP&action=view Le WIP]", "Le WIP"),
        ("* [https://movilab.org/index.php?title=Le+WIP Le WIP]", "Le WIP"),
        ("* [https://movilab.org/wiki/L%E2%80%99%C3%89tabli L’Établi]", "L’Établi"),
        ("* [https://movilab.org/wiki/Tiers-lieu_L%27%C3%89tabli x]", "Tiers-lieu L'Établi"),
        ("* [https://MOVILAB.org/wiki/la_myne#Accès]", "La myne"),
        ("* [https://tiers.example.org/w/index.php/Seulement_Ici ici]", "Seulement Ici"),
        ("* [https://wiki.lafabriquedesmobilites.fr/wiki/La_Myne La Myne]", "La Myne"),
    ],
)
def test_key_of_linked_entries(line: str, key: str) -> None:
    assert entry_of(line).key == key


def test_interwiki_link_reported_as_interwiki_by_the_parser() -> None:
    link = Link("interwiki", "Le_WIP", None, "movilab")
    raw = RawEntry("* [[movilab:Le_WIP]] – Caen\n", "*", link, "", " – Caen")
    assert to_list_entry(raw, "fabmob", CTX) == ListEntry("Le WIP", None, " – Caen")


def test_interwiki_prefix_unknown_to_this_wiki_is_not_a_lieu_link() -> None:
    # movilab has no interwiki map: "Movilab:" reads as part of the title there.
    assert entry_of("* [[Movilab:Le WIP]]", wiki="movilab").key == "Movilab:Le WIP"


@pytest.mark.parametrize(
    ("line", "key", "annotation"),
    [
        ("* La Myne – Villeurbanne", "La Myne", " – Villeurbanne"),
        ("* La Myne - Villeurbanne", "La Myne", " - Villeurbanne"),
        ("* La Myne: Villeurbanne", "La Myne", ": Villeurbanne"),
        ("* La Myne, Villeurbanne", "La Myne", ", Villeurbanne"),
        ("* La Myne (Villeurbanne)", "La Myne", " (Villeurbanne)"),
        ("* La Myne(Villeurbanne)", "La Myne", "(Villeurbanne)"),
        ("*   la myne  ", "La myne", ""),
        ("* Tiers-Lieu – x", "Tiers-Lieu", " – x"),  # a hyphen inside a name is no separator
        ("* La Myne, Lyon (69) – ouvert", "La Myne", ", Lyon (69) – ouvert"),
    ],
)
def test_plain_entries_split_at_first_separator(line: str, key: str, annotation: str) -> None:
    entry = entry_of(line)
    assert (entry.key, entry.label, entry.annotation) == (key, None, annotation)


def test_plain_entry_starting_with_a_separator_is_keyed_by_its_whole_text() -> None:
    entry = entry_of("* (en projet)  La Myne")
    assert entry == ListEntry("(en projet) La Myne")
    text = render_entry(entry, "fabmob", has_page, CTX)
    assert to_list_entry(parse_line(text), "fabmob", CTX) == entry


def test_label_kept_only_when_it_differs_from_the_title() -> None:
    assert entry_of("* [[Le_WIP|le WIP]]").label is None
    assert entry_of("* [[Le WIP|Le  Wip   à Caen]]").label == "Le Wip à Caen"
    assert entry_of("* [https://movilab.org/wiki/Le_WIP Le WIP]").label is None
    assert entry_of("* [https://movilab.org/wiki/Le_WIP Chez WIP]").label == "Chez WIP"


def test_annotation_whitespace_is_normalised_consistently() -> None:
    a = entry_of("* [[A]] – x  y ")
    b = entry_of("*[[A]]  –   x y")
    c = entry_of("* [[A]]\t– x y")
    assert a.annotation == b.annotation == c.annotation == " – x y"
    assert entry_of("* [[A]], x").annotation == ", x"
    assert entry_of("* [[A]]   ").annotation == ""


@pytest.mark.parametrize(
    ("rest", "expected"),
    [(" – x", " – x"), ("  –  x ", " – x"), (", x", ", x"), ("  ", ""), ("", "")],
)
def test_normalize_annotation(rest: str, expected: str) -> None:
    assert normalize_annotation(rest) == expected


def test_children_are_kept_relative_to_the_bullet() -> None:
    star = entry_of("* [[A]] – x\n**  contact :  Léa\n***détail\n*:suite")
    hash_ = entry_of("# [[A]] – x\n#* contact : Léa\n#** détail\n#: suite")
    assert star.children == ("* contact : Léa", "** détail", ": suite")
    assert hash_.children == star.children


def test_foreign_external_link_keeps_its_markup() -> None:
    entry = entry_of("* [https://lamyne.org  La Myne (Lyon)] – tiers-lieu")
    assert entry == ListEntry("La Myne", "[https://lamyne.org La Myne (Lyon)]", " – tiers-lieu")


def test_foreign_external_link_without_text_is_keyed_by_url() -> None:
    assert entry_of("* [https://lamyne.org/] – x").key == "https://lamyne.org/"


def test_other_paths_of_a_configured_host_are_foreign() -> None:
    entry = entry_of("* [https://movilab.org/images/a.pdf Le WIP]")
    assert (entry.key, entry.label) == ("Le WIP", "[https://movilab.org/images/a.pdf Le WIP]")


def test_foreign_interwiki_keyed_by_its_target() -> None:
    link = Link("interwiki", "La Myne", None, "wikipedia")
    raw = RawEntry("* [[wikipedia:La Myne]] – x\n", "*", link, "", " – x")
    expected = ListEntry("La Myne", "[[wikipedia:La Myne]]", " – x")
    assert to_list_entry(raw, "fabmob", CTX) == expected


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize(
    ("wiki", "entry", "line"),
    [
        # internal: the wiki has the page
        ("fabmob", ListEntry("Le WIP", None, " – Caen"), "* [[Le WIP]] – Caen\n"),
        ("fabmob", ListEntry("Le WIP", "Chez WIP"), "* [[Le WIP|Chez WIP]]\n"),
        # interwiki: fabmob names a prefix for movilab, which has it
        ("fabmob", ListEntry("L’Établi", None, ", Caen"),
         "* [[movilab:L’Établi|L’Établi]], Caen\n"),
        # external: tiers has no interwiki map; movilab comes before tiers in the config
        ("tiers", ListEntry("L’Établi"),
         "* [https://movilab.org/wiki/L%E2%80%99%C3%89tabli L’Établi]\n"),
        # the first wiki in config order that has the page
        ("tiers", ListEntry("Le WIP", "Chez WIP"),
         "* [https://wiki.lafabriquedesmobilites.fr/wiki/Le_WIP Chez WIP]\n"),
        ("fabmob", ListEntry("Seulement Ici"),
         "* [https://tiers.example.org/w/index.php/Seulement_Ici Seulement Ici]\n"),
        # plain: no wiki has it
        ("fabmob", ListEntry("Nulle Part", None, " – Lyon"), "* Nulle Part – Lyon\n"),
        # no page anywhere, but plain text would not read back: a red internal link
        ("fabmob", ListEntry("Nulle Part", "Ailleurs"), "* [[Nulle Part|Ailleurs]]\n"),
        ("fabmob", ListEntry("Nulle Part (Lyon)"), "* [[Nulle Part (Lyon)]]\n"),
        ("fabmob", ListEntry("Lieu: Nord"), "* [[:Lieu: Nord]]\n"),
        # foreign heads are written as they were
        ("movilab", ListEntry("La Myne", "[https://lamyne.org La Myne]", " – x"),
         "* [https://lamyne.org La Myne] – x\n"),
    ],
)
def test_render_entry_link_rules(wiki: str, entry: ListEntry, line: str) -> None:
    assert render_entry(entry, wiki, has_page, CTX) == line


def test_render_entry_bullet_and_children() -> None:
    entry = ListEntry("Le WIP", None, " – Caen", ("* contact : Léa", "** détail"))
    assert render_entry(entry, "fabmob", has_page, CTX, bullet="#") == (
        "# [[Le WIP]] – Caen\n#* contact : Léa\n#** détail\n"
    )


def test_interwiki_chosen_before_external_and_skipped_without_prefix() -> None:
    # fabmob lacks "Tiers-Lieu Test"; movilab (prefix known) and tiers (no prefix) have it.
    line = render_entry(ListEntry("Tiers-Lieu Test"), "fabmob", has_page, CTX)
    assert line == "* [[movilab:Tiers-Lieu Test|Tiers-Lieu Test]]\n"


ENTRIES = [
    ListEntry("Le WIP", None, " – Caen", ("* contact : Léa",)),
    ListEntry("Le WIP", "Chez WIP", ", Caen"),
    ListEntry("L’Établi", None, " (Caen)"),
    ListEntry("Tiers-Lieu Test", "Test", ""),
    ListEntry("Seulement Ici", None, ": ici", ("* a", "*: b")),
    ListEntry("La Myne", None, " – x"),
    ListEntry("Nulle Part", None, " – Lyon"),
    ListEntry("Nulle Part", "Ailleurs", " – Lyon"),
    ListEntry("Nulle Part (Lyon)"),
    ListEntry("Lieu: Nord", None, "s trail"),
    ListEntry("Nulle Part", None, "s trail"),
    ListEntry("La Myne", "[https://lamyne.org La Myne]", " – x"),
    ListEntry("La Myne", None, "''' – Villeurbanne", lead="'''"),
    ListEntry("Nulle Part", None, "'' (Lyon)", lead="''"),
    ListEntry("Nulle Part", None, " – Lyon''", lead="''"),
    ListEntry("Nulle Part", None, " – Lyon", lead="'''"),
    ListEntry("Le WIP", None, " à Caen", lead="Le "),
    ListEntry("La Myne", "[https://lamyne.org La Myne]", "", lead="(fermé) "),
]


@pytest.mark.parametrize("wiki", ["fabmob", "movilab", "tiers"])
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.key}|{e.label}|{e.annotation}")
def test_render_then_read_gives_the_same_entry(entry: ListEntry, wiki: str) -> None:
    text = render_entry(entry, wiki, has_page, CTX)
    assert to_list_entry(parse_line(text), wiki, CTX) == entry


_WORD = st.text(alphabet="abcdeéàXYZ’' ", min_size=1, max_size=12)
_ANNOTATION = st.sampled_from(["", " – ", ", ", " (", ": ", " - "]).flatmap(
    lambda sep: st.just(sep) if not sep else _WORD.map(lambda w: " ".join((sep + w).split(" ")))
)


@given(
    key=_WORD.map(lambda w: w.strip()).filter(bool),
    label=st.none() | _WORD,
    annotation=_ANNOTATION,
    wiki=st.sampled_from(["fabmob", "movilab", "tiers"]),
    holders=st.sets(st.sampled_from(["fabmob", "movilab", "tiers"])),
)
def test_round_trip_property(
    key: str, label: str | None, annotation: str, wiki: str, holders: set[str]
) -> None:
    entry = entry_of(f"* [[{key}|{label or key}]]{annotation}")  # a normalised entry
    text = render_entry(entry, wiki, lambda w, k: w in holders, CTX)
    assert to_list_entry(parse_line(text), wiki, CTX) == entry


@given(
    key=_WORD.map(lambda w: w.strip()).filter(bool),
    lead=st.sampled_from(["", "'''", "''", "Le ", "(fermé) "]),
    annotation=_ANNOTATION,
    wiki=st.sampled_from(["fabmob", "movilab", "tiers"]),
    holders=st.sets(st.sampled_from(["fabmob", "movilab", "tiers"])),
)
def test_round_trip_property_with_a_lead(
    key: str, lead: str, annotation: str, wiki: str, holders: set[str]
) -> None:
    closing = lead if lead.startswith("'") else ""
    entry = entry_of(f"* {lead}[[{key}]]{closing}{annotation}")
    assert entry.lead == lead
    text = render_entry(entry, wiki, lambda w, k: w in holders, CTX)
    if lead and not closing:  # words: never plain text, they would become part of the name
        assert text.startswith(f"* {lead}[")
    assert to_list_entry(parse_line(text), wiki, CTX) == entry


def test_read_then_render_on_the_same_wiki_is_stable() -> None:
    line = "* [[Le WIP]] – Caen\n** contact : Léa\n"
    assert render_entry(entry_of(line), "fabmob", has_page, CTX) == line


@pytest.mark.parametrize(
    ("line", "lead", "annotation"),
    [
        ("* '''[[Le WIP]]''' – Caen", "'''", "''' – Caen"),
        ("*  ''[[Le WIP]]''", "''", "''"),
        ("* Le [[Le WIP|WIP]] à Caen", "Le ", " à Caen"),
        ("*   (fermé)   [[Le WIP]]", "(fermé) ", ""),
        ("*   [[Le WIP]]", "", ""),
    ],
)
def test_text_before_the_link_is_the_entry_lead(line: str, lead: str, annotation: str) -> None:
    entry = entry_of(line)
    assert (entry.key, entry.lead, entry.annotation) == ("Le WIP", lead, annotation)


@pytest.mark.parametrize("wiki", ["fabmob", "movilab"])
def test_a_bold_plain_name_names_the_lieu_and_stays_bold(wiki: str) -> None:
    entry = entry_of("* '''Nulle Part''' – Lyon")
    assert entry == ListEntry("Nulle Part", None, "''' – Lyon", (), "'''")
    assert render_entry(entry, wiki, has_page, CTX) == "* '''Nulle Part''' – Lyon\n"
    linked = entry_of("* '''La Myne''' – Villeurbanne")  # FabMob has a page of that name
    assert render_entry(linked, "fabmob", has_page, CTX) == (
        "* '''[[La Myne]]''' – Villeurbanne\n")


def test_a_bold_entry_lands_bold_on_the_other_wiki() -> None:
    entry = entry_of("* '''[[La Myne]]''' – Villeurbanne", "fabmob")
    assert render_entry(entry, "movilab", has_page, CTX) == (
        "* '''[https://wiki.lafabriquedesmobilites.fr/wiki/La_Myne La Myne]''' – Villeurbanne\n"
    )
    assert render_entry(entry, "fabmob", has_page, CTX) == "* '''[[La Myne]]''' – Villeurbanne\n"


# --------------------------------------------------------------------------- context


def test_link_context_lookups() -> None:
    assert CTX.names() == ("fabmob", "movilab", "tiers")
    assert CTX.interwiki_wiki("fabmob", "MOVILAB") == "movilab"
    assert CTX.interwiki_wiki("movilab", "fabmob") is None
    assert CTX.prefix_for("fabmob", "movilab") == "movilab"
    assert CTX.locate_url("https://movilab.org/wiki/Le_WIP") == ("movilab", "Le WIP")
    assert CTX.locate_url("https://movilab.org/wiki/") is None
    assert CTX.locate_url("https://example.org/wiki/Le_WIP") is None
    assert CTX.article_url("nowhere", "Le WIP") is None


def test_link_context_reports_every_problem() -> None:
    data = {
        "a": {"article_urls": ["ftp://a/wiki/", 3], "interwiki": {"x": "ghost"}},
        "b": {"article_urls": ["notaurl"]},
    }
    with pytest.raises(ConfigError) as caught:
        LinkContext.from_data(data)
    assert len(caught.value.problems) == 4
    assert "wikis.a.interwiki.x: unknown wiki 'ghost'" in caught.value.problems


def test_guess_article_urls() -> None:
    assert guess_article_urls("https://movilab.org/api.php") == (
        "https://movilab.org/wiki/",
        "https://movilab.org/index.php?title=",
        "https://movilab.org/index.php/",
    )
    assert guess_article_urls("https://x.org/w/api.php")[1] == "https://x.org/w/index.php?title="


def test_article_urls_from_siteinfo() -> None:
    assert article_urls_from_siteinfo("//movilab.org", "/wiki/$1", "/index.php") == (
        "https://movilab.org/wiki/",
        "https://movilab.org/index.php?title=",
    )
    assert article_urls_from_siteinfo("https://x.org", "/index.php?title=$1", "/index.php") == (
        "https://x.org/index.php?title=",
    )
