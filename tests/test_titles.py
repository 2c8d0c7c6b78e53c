"""Tests of title normalisation, URL titles and the duplicate fold."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wikisync.titles import (
    fold,
    normalize_title,
    title_from_url_path,
    title_key,
    url_title,
    wikilink_target,
    without_comments,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Le_WIP", "Le WIP"),
        ("le WIP", "Le WIP"),
        ("  le   WIP  ", "Le WIP"),
        ("le\u00a0WIP", "Le WIP"),  # no-break space
        ("le\tWIP\n", "Le WIP"),
        ("__Le__WIP__", "Le WIP"),
        ("\u200eLe WIP", "Le WIP"),  # left-to-right mark
        ("école", "École"),
        ("e\u0301cole", "École"),  # decomposed accent -> NFC
        ("ßtraße", "ßtraße"),  # no one-letter upper case: kept
        ("l’Établi", "L’Établi"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_title(raw: str, expected: str) -> None:
    assert normalize_title(raw) == expected


def test_normalize_title_keeps_case_after_the_first_letter() -> None:
    assert normalize_title("le wip") != normalize_title("Le WIP")


def test_title_key_compares_as_mediawiki() -> None:
    assert title_key("Le_WIP") == title_key("le WIP")


@given(st.text())
def test_normalize_title_is_idempotent(text: str) -> None:
    once = normalize_title(text)
    assert normalize_title(once) == once


@given(st.text())
def test_normalize_title_is_nfc_without_underscores(text: str) -> None:
    result = normalize_title(text)
    assert "_" not in result
    assert unicodedata.is_normalized("NFC", result)
    assert result == result.strip()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Le_WIP", "Le WIP"),
        ("Tiers-lieu_L%E2%80%99%C3%89tabli", "Tiers-lieu L’Établi"),
        ("L%27%C3%89tabli", "L'Établi"),
        ("Caf%C3%A9_%2B_Atelier", "Café + Atelier"),
        ("C+D", "C+D"),  # a plus sign in a path is a plus sign
        ("la_myne", "La myne"),
    ],
)
def test_title_from_url_path(path: str, expected: str) -> None:
    assert title_from_url_path(path) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Le WIP", "Le_WIP"),
        ("L'Établi", "L%27%C3%89tabli"),
        ("L’Établi", "L%E2%80%99%C3%89tabli"),
        ("Fab Lab: Paris (Nord), a/b", "Fab_Lab:_Paris_(Nord),_a/b"),
        ("A & B ? #1 + c", "A_%26_B_%3F_%231_%2B_c"),
        ("le wip", "Le_wip"),
    ],
)
def test_url_title_follows_wfurlencode(title: str, expected: str) -> None:
    assert url_title(title) == expected


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1))
def test_url_title_round_trips(title: str) -> None:
    assert title_from_url_path(url_title(title)) == normalize_title(title)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Le WIP", "Le Wip"),
        ("Le WIP", "le-wip"),
        ("Le_WIP", "le wip"),
        ("L’Établi", "l'etabli"),
        ("Cœur de Lieu", "coeur de lieu"),
        ("Straße", "strasse"),
        ("  La   Myne ", "la myne!"),
    ],
)
def test_fold_matches_duplicates(a: str, b: str) -> None:
    assert fold(a) == fold(b)


@pytest.mark.parametrize(("a", "b"), [("Le WIP", "Le WOP"), ("La Myne", "Lamyne"), ("A1", "A 2")])
def test_fold_keeps_different_names_apart(a: str, b: str) -> None:
    assert fold(a) != fold(b)


def test_fold_value() -> None:
    assert fold("L’Établi – Caen") == "l etabli caen"


def _fold_char_by_char(text: str) -> str:
    """:func:`fold` as first written: a loop over the characters, for any text."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = bare.casefold().translate(str.maketrans(
        {"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l"}))
    return " ".join("".join(c if c.isalnum() else " " for c in lowered).split())


@pytest.mark.parametrize("text", ["Łódź", "Đà Nẵng", "Œuvre d’Art", "Ørsted", "Cæsar",
                                  "Straße", "ﬁlature", "Ωmega café", "n°42", "L'Établi"])
def test_fold_reads_these_names_as_the_character_loop_does(text: str) -> None:
    assert fold.__wrapped__(text) == _fold_char_by_char(text)


@given(st.text(st.characters(max_codepoint=0x2FFF, blacklist_categories=("Cs",))
               | st.sampled_from("ÉéèœŒæøđłß’'-_ \u00a0\u0301\u034f\u0327°")))
def test_fold_reads_any_text_as_the_character_loop_does(text: str) -> None:
    assert fold.__wrapped__(text) == _fold_char_by_char(text)


def test_fold_regexes_hold_what_they_claim_on_every_code_point() -> None:
    import re
    import sys

    from wikisync import titles

    below = "".join(map(chr, range(0x370)))
    assert titles._LATIN_MARKS.sub("", below) == "".join(
        c for c in below if not unicodedata.combining(c))
    not_alnum = re.compile(titles._NOT_ALNUM.pattern[:-1])  # one character, not a run
    assert all((not_alnum.fullmatch(c) is None) == c.isalnum()
               for c in map(chr, range(sys.maxunicode + 1)))


#: Link targets and the titles MediaWiki 1.39's parser links them to (``action=parse``,
#: ``prop=links``; the real-wiki test in ``tests/test_records_wikis.py`` asks it again).
WIKILINK_TARGETS = [
    ("Le%20WIP", "Le WIP"),  # a URL's tail pasted into a link
    ("Tiers-lieu_d%E2%80%99%C3%89comobilit%C3%A9_(Gex)", "Tiers-lieu d’Écomobilité (Gex)"),
    ("Les Ateliers &amp; Cie", "Les Ateliers & Cie"),
    ("L&#039;Atelier", "L'Atelier"),
    ("Caf&eacute;", "Café"),
    ("E&#x41;", "EA"),
    ("D%26amp%3B", "D&"),  # escapes first, then the reference they spell
    ("A%20%", "A %"),  # a lone "%" stays
    ("C&copy;", "C©"),
    ("B&copy", "B&copy"),  # no ";": no reference
    ("A%2BB", "A+B"),
    ("A+B", "A+B"),  # "+" is no space in a link
    ("100%", "100%"),
]


@pytest.mark.parametrize(("target", "title"), WIKILINK_TARGETS)
def test_wikilink_target_reads_escapes_and_references_as_mediawiki(target: str, title: str):
    assert normalize_title(wikilink_target(target)) == title


def test_wikilink_target_leaves_escapes_that_are_not_utf8_as_written():
    assert wikilink_target("Caf%E9") == "Caf%E9"  # MediaWiki makes no link of it
    assert wikilink_target("Le WIP") == "Le WIP"


@pytest.mark.parametrize(("value", "seen"), [
    ("29900 <!-- à vérifier -->", "29900 "),
    ("<!-- la ville -->", ""),
    ("a<!-- x -->b<!-- y -->c", "abc"),
    ("Caen <!-- pas fermé", "Caen "),
    ("<!--\nsur deux lignes\n-->Brest", "Brest"),
    ("sans commentaire", "sans commentaire"),
])
def test_without_comments_is_what_the_template_receives(value: str, seen: str) -> None:
    assert without_comments(value) == seen

