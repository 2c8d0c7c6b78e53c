"""Tests of wikisync.render: strict page-template rendering, escaping, verification."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wikisync.errors import ConfigError, InputError, WikitextError
from wikisync.render import render, render_and_verify
from wikisync.wikitext import normalize_value, read_fields

LIEU_MOVILAB = """\
{{Tiers-Lieux
|Titre={{{nom}}}
|Ville={{{ville}}}
|Code postal={{{code_postal|}}}
|Site web={{{site_web|}}}
|Thème={{{themes|}}}
}}
== Le Lieu ==
{{{nom}}} est un tiers-lieu à [[{{{ville}}}]]. {{{description|''À compléter.''}}}
<!-- {{{nom}}} : ce commentaire n'est pas rendu -->
[[Catégorie:Tiers-Lieux]]
"""
FIELDS = ["nom", "ville", "code_postal", "site_web", "themes", "description", "date_maj"]
PARAMS = {"nom": "Titre", "ville": "Ville", "code_postal": "Code postal",
          "site_web": "Site web", "themes": "Thème"}


def test_render_exact() -> None:
    text = render(LIEU_MOVILAB, {"nom": "La Myne", "ville": "Villeurbanne",
                                 "site_web": "https://www.lamyne.org/?a=b"}, FIELDS)
    assert text == """\
{{Tiers-Lieux
|Titre=La Myne
|Ville=Villeurbanne
|Code postal=
|Site web=https://www.lamyne.org/?a=b
|Thème=
}}
== Le Lieu ==
La Myne est un tiers-lieu à [[Villeurbanne]]. ''À compléter.''
<!-- {{{nom}}} : ce commentaire n'est pas rendu -->
[[Catégorie:Tiers-Lieux]]
"""


def test_render_escapes_for_the_place_a_value_lands() -> None:
    text = render(LIEU_MOVILAB, {"nom": "A | B }}", "ville": "Lyon",
                                 "description": "== Faux titre ==\n{{pas fermé [[x|y]]"}, FIELDS)
    assert "|Titre=A {{!}} B <nowiki>}}</nowiki>\n" in text
    assert "\nA | B <nowiki>}}</nowiki> est un tiers-lieu" in text
    assert "<nowiki>==</nowiki> Faux titre ==\n<nowiki>{{</nowiki>pas fermé [[x|y]]\n" in text
    assert read_fields(text, "Tiers-Lieux")["Titre"] == "A | B }}"


def test_empty_value_wins_over_default_as_in_mediawiki() -> None:
    assert render("x{{{description|défaut}}}y", {"description": ""}, FIELDS) == "xy"


def test_nested_default() -> None:
    assert render("{{{site_web|{{{nom}}}}}}", {"nom": "[[A]]"}, FIELDS) == "[[A]]"


def test_missing_value_is_named() -> None:
    with pytest.raises(InputError) as info:
        render(LIEU_MOVILAB, {"nom": "La Myne"}, FIELDS)
    assert "no value for ville" in str(info.value)


def test_unknown_value_names_known_fields() -> None:
    with pytest.raises(InputError) as info:
        render(LIEU_MOVILAB, {"nom": "a", "ville": "b", "vile": "c"}, FIELDS)
    message = str(info.value)
    assert "unknown field(s) vile" in message
    assert "nom, ville, code_postal" in message


def test_unknown_placeholder_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        render("{{{nom}}} {{{vile|x}}}", {"nom": "a"}, FIELDS)
    assert info.value.problems == [
        "the page template uses {{{vile}}}, which is not a field of the mapping"]


def test_render_and_verify_passes() -> None:
    values = {"nom": "Le WIP", "ville": "Colombelles", "code_postal": "14460",
              "themes": "Gouvernance, Animation"}
    text = render_and_verify(LIEU_MOVILAB, values, FIELDS, ["Tiers-Lieux"], PARAMS)
    assert read_fields(text, "Tiers-Lieux")["Code postal"] == "14460"


def test_render_and_verify_catches_a_param_that_does_not_hold_the_value() -> None:
    template = "{{Tiers-Lieux\n|Titre=Tiers-lieu {{{nom}}}\n|Ville={{{ville}}}\n}}\n"
    with pytest.raises(WikitextError) as info:
        render_and_verify(template, {"nom": "X", "ville": "Y"}, FIELDS, "Tiers-Lieux", PARAMS)
    assert "'Titre' (field 'nom') reads 'Tiers-lieu X', not 'X'" in str(info.value)


def test_render_and_verify_catches_a_missing_param() -> None:
    template = "{{Tiers-Lieux\n|Titre={{{nom}}}\n}}\n{{{ville}}}\n"
    with pytest.raises(WikitextError) as info:
        render_and_verify(template, {"nom": "X", "ville": "Y"}, FIELDS, "Tiers-Lieux", PARAMS)
    assert "'Ville' (field 'ville') reads None" in str(info.value)


def test_render_refuses_control_characters() -> None:
    with pytest.raises(InputError) as info:
        render(LIEU_MOVILAB, {"nom": "a\x07", "ville": "b"}, FIELDS)
    assert "U+0007" in str(info.value)


TOKENS = ["|", "=", "}}", "{{", "[[", "]]", "{{!}}", "<nowiki>", "\n", "é", "’", "🐝", "a",
          " ", "{", "<ref>", "</ref>", "<!--", "~~~~", "==", "[[a|b]]", "{{X|y}}"]
VALUES = st.lists(st.sampled_from(TOKENS), max_size=12).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(nom=VALUES, ville=VALUES, themes=VALUES)
def test_any_values_render_and_read_back(nom: str, ville: str, themes: str) -> None:
    values = {"nom": nom, "ville": ville, "themes": themes}
    text = render_and_verify(LIEU_MOVILAB, values, FIELDS, "Tiers-Lieux", PARAMS)
    fields = read_fields(text, "Tiers-Lieux")
    assert fields["Titre"] == normalize_value(nom)
    assert fields["Thème"] == normalize_value(themes)
    assert text.endswith("[[Catégorie:Tiers-Lieux]]\n")
