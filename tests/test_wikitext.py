"""Tests of wikisync.wikitext: golden pages, exact diffs of field edits, escaping, lists."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wikisync.errors import InputError, WikitextError
from wikisync.model import Link, RawEntry
from wikisync.wikitext import (
    SectionNotFound,
    edit_list,
    escape_free_text,
    escape_value,
    find_template,
    format_entry,
    normalize_template_name,
    normalize_value,
    parse,
    read_fields,
    read_list,
    set_fields,
    unescape_value,
)

PAGES_DIR = Path(__file__).parent / "data" / "pages"

#: Golden pages holding a record, with the template name the mapping gives.
RECORD_PAGES = {
    "fabmob_project": "Project",
    "fabmob_acteur": "Acteur",
    "fabmob_acteur_inline": "Acteur",
    "fabmob_acteur_spacing": "Acteur",
    "fabmob_communaute": "Communauté",
    "fabmob_evenement": "Evénement",
    "fabmob_ami": "Project",
    "movilab_le_wip": "Tiers-Lieux",
    "movilab_prefixed": "Tiers-Lieux",
    "movilab_ref_nested": "Tiers-Lieux",
    "movilab_projet": "Projet",
}


def load(name: str) -> str:
    """A golden page's text, exactly as stored."""
    return (PAGES_DIR / f"{name}.wiki").read_text(encoding="utf-8")


def diff(old: str, new: str) -> str:
    """A compact unified diff (no context lines)."""
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), n=0))


def outside_call(text: str, name: str) -> tuple[str, str]:
    """The text before and after the record's call."""
    call = find_template(text, name)
    return text[: call.start], text[call.end:]


# ------------------------------------------------------------------------------------------
# Round trips and reading
# ------------------------------------------------------------------------------------------


def test_there_are_enough_golden_pages() -> None:
    assert len(list(PAGES_DIR.glob("*.wiki"))) >= 12


@pytest.mark.parametrize("path", sorted(PAGES_DIR.glob("*.wiki")), ids=lambda p: p.stem)
def test_parse_round_trips(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert str(parse(text)) == text


def test_read_fields_project() -> None:
    assert read_fields(load("fabmob_project"), ["Project"]) == {
        "Titre": "Covoiturage rural en Pays de Gex",
        "Main_Picture": "No-image-yet.jpg",
        "shortDescription": "Expérimenter une ligne de covoiturage…",
        "description": "Texte long, avec ''wikitext'', [[liens]] et une URL https://ex.org/?a=b",
        "Tags": "covoiturage, rural,tiers-lieu",
        "Theme": "Covoiturage et autopartage,Territoires peu denses",
        "challenge": "Accélérer le déploiement du covoiturage quotidien",
        "communauté d'intérêt": "Communauté des fabriques",
        "referent": "Prénom Nom",
        "needs": "",
        "etape": "",
        "location": "Gex",
        "from": "",
        "Coordonnées géo": "46.33, 6.06",
        "url": "https://exemple.org",
    }


def test_read_fields_odd_spacing() -> None:
    assert read_fields(load("fabmob_acteur_spacing"), "Acteur") == {
        "Titre": "Ateliers Jean Moulin",
        "villes d'implantation": "Plouhinec, Audierne ,Pont-Croix",
        "Adherent": "non",
        "url": "https://exemple.org/ajm?ref=fabmob&lang=fr",
    }


def test_read_fields_inline_call() -> None:
    assert read_fields(load("fabmob_acteur_inline"), "Acteur") == {
        "Titre": "La Myne",
        "url": "https://www.lamyne.org",
    }


def test_read_fields_keeps_nested_constructs() -> None:
    fields = read_fields(load("movilab_ref_nested"), "Tiers-Lieux")
    assert fields["Description courte"] == (
        "Fablab {{Lien web|url=https://konkarlab.bzh|titre=site}} à "
        "[[Concarneau|Concarneau (29)]]"
    )
    assert fields["Adresse"] == (
        'Rue du Port<ref name="adresse">Vérifiée le 2024-01-31, voir {{Cite|a=b}}</ref>'
    )
    assert fields["Code postal"] == "29900 <!-- à vérifier -->"
    assert fields["Email"] == ""


def test_read_fields_third_party_param_and_prefixed_name() -> None:
    assert read_fields(load("movilab_le_wip"), "Tiers-Lieux")["pageCo"] == (
        "https://www.communecter.org/#@lewip"
    )
    assert read_fields(load("movilab_prefixed"), "Tiers-Lieux")["Thème"] == (
        "Recherche,Fablab ,  Biologie"
    )


def test_read_fields_undoes_escapes() -> None:
    page = "{{Acteur|Titre=a{{!}}b<nowiki>}}</nowiki>|x=<nowiki>[[</nowiki>c {{!}}}}"
    assert read_fields(page, "Acteur") == {"Titre": "a|b}}", "x": "[[c |"}


def test_read_fields_last_duplicate_wins() -> None:
    assert read_fields("{{Acteur|Titre=a|Titre=b}}", "Acteur") == {"Titre": "b"}


@pytest.mark.parametrize(
    ("written", "wanted"),
    [
        ("Modèle:Tiers-Lieux", "Tiers-Lieux"),
        ("template:tiers-Lieux", "Tiers-Lieux"),
        ("Tiers_Lieux", "Tiers Lieux"),
        ("  Communauté   des\tfabriques ", "Communauté des fabriques"),
        ("communaute\u0301", "Communauté"),
        ("Acteur<!-- x -->\n", "Acteur"),
    ],
)
def test_template_names_compare_as_titles(written: str, wanted: str) -> None:
    assert normalize_template_name(written) == normalize_template_name(wanted)


def test_template_names_are_case_sensitive_after_the_first_letter() -> None:
    assert normalize_template_name("tiers-lieux") != normalize_template_name("Tiers-Lieux")


def test_find_template_reports_offsets_and_aliases() -> None:
    text = load("movilab_prefixed")
    call = find_template(text, ["Fiche lieu", "Tiers-Lieux"])
    assert call.name == "modèle:tiers-Lieux"
    assert text[call.start: call.end] == call.text
    assert call.text.startswith("{{modèle:tiers-Lieux\n|Titre=La Myne\n")
    assert call.text.endswith("Biologie\n}}")


# ------------------------------------------------------------------------------------------
# Field edits: exact diffs
# ------------------------------------------------------------------------------------------

EDITS = [
    ("fabmob_project", {"Tags": "covoiturage, rural, tiers-lieu, montagne"}, """\
@@ -6 +6 @@
-|Tags=covoiturage, rural,tiers-lieu
+|Tags=covoiturage, rural, tiers-lieu, montagne
"""),
    ("fabmob_project", {"needs": "Des conducteurs = des passagers ?"}, """\
@@ -11 +11 @@
-|needs=
+|needs=Des conducteurs = des passagers ?
"""),
    ("fabmob_project",
     {"communauté d'intérêt": "Communauté des fabriques, Communauté Vélo",
      "Coordonnées géo": None}, """\
@@ -9 +9 @@
-|communauté d'intérêt=Communauté des fabriques
+|communauté d'intérêt=Communauté des fabriques, Communauté Vélo
@@ -15 +14,0 @@
-|Coordonnées géo=46.33, 6.06
"""),
    ("fabmob_project", {"statut": "En cours"}, """\
@@ -16,0 +17 @@
+|statut=En cours
"""),
    ("fabmob_acteur", {"villes d'implantation": "Concarneau, Quimper", "Adherent": "non"}, """\
@@ -9,2 +9,2 @@
-|villes d'implantation=Concarneau
-|Adherent=oui
+|villes d'implantation=Concarneau, Quimper
+|Adherent=non
"""),
    ("fabmob_acteur", {"description": "Atelier | partagé }} ouvert"}, """\
@@ -5 +5 @@
-|description=Atelier partagé ouvert à tous.<ref>Source : \
[https://konkarlab.bzh site du lieu]</ref>
+|description=Atelier {{!}} partagé <nowiki>}}</nowiki> ouvert
"""),
    ("fabmob_acteur_inline",
     {"url": "https://lamyne.org/?a=b", "villes d'implantation": "Villeurbanne"}, """\
@@ -1 +1 @@
-{{Acteur|Titre=La Myne|url=https://www.lamyne.org}}
+{{Acteur|Titre=La Myne|url=https://lamyne.org/?a=b|villes d'implantation=Villeurbanne}}
"""),
    ("fabmob_acteur_spacing", {"Adherent": "oui", "Coordonnées géo": "47.99, -4.55"}, """\
@@ -4 +4 @@
- | Adherent = non
+ | Adherent = oui
@@ -5,0 +6 @@
+ | Coordonnées géo = 47.99, -4.55
"""),
    ("fabmob_acteur_spacing", {"url": None}, """\
@@ -5 +4,0 @@
- | url = https://exemple.org/ajm?ref=fabmob&lang=fr
"""),
    ("fabmob_evenement", {"description": "Voir [[Compte rendu|le compte rendu]]"}, """\
@@ -5 +5 @@
-|description=
+|description=Voir [[Compte rendu|le compte rendu]]
"""),
    ("movilab_le_wip", {"Site web": "https://le-wip.com", "Code postal": "14460 "}, """\
@@ -9 +9 @@
-|Site web=https://www.le-wip.com/
+|Site web=https://le-wip.com
"""),
    ("movilab_le_wip", {"Ville": "Caen", "Latitude": "49.2"}, """\
@@ -8 +8 @@
-|Ville=Colombelles
+|Ville=Caen
@@ -17,0 +18 @@
+|Latitude=49.2
"""),
    ("movilab_le_wip", {"pageCo": None}, """\
@@ -18 +18 @@
-|pageCo=https://www.communecter.org/#@lewip }}
+}}
"""),
    ("movilab_prefixed", {"Code postal": "69100", "Thème": "Recherche, Fablab, Biologie"}, """\
@@ -9 +9 @@
-|Thème=Recherche,Fablab ,  Biologie
+|Thème=Recherche, Fablab, Biologie
"""),
    ("movilab_ref_nested", {"Code postal": "29900", "Email": "contact@konkarlab.bzh"}, """\
@@ -5 +5 @@
-|Code postal=29900 <!-- à vérifier -->
+|Code postal=29900
@@ -8 +8 @@
-|Email=
+|Email=contact@konkarlab.bzh
"""),
    ("movilab_projet", {"Thème": "Économie circulaire", "Statut": None, "Ville": "Colombelles"},
     """\
@@ -1 +1 @@
-{{Projet |Titre=Mobilité solidaire |Description courte=Un garage solidaire \
|Tiers-lieu porteur=[[Le WIP]] |Thème= |Référent=Prénom Nom |Statut=En cours }}
+{{Projet |Titre=Mobilité solidaire |Description courte=Un garage solidaire \
|Tiers-lieu porteur=[[Le WIP]] |Thème=Économie circulaire |Référent=Prénom Nom \
|Ville=Colombelles }}
"""),
    ("fabmob_communaute", {"Objectifs": "{{!}} et ~~~~"}, """\
@@ -7 +7 @@
-|Objectifs=Partager les pratiques = gagner du temps ?
+|Objectifs=<nowiki>{{</nowiki>!<nowiki>}}</nowiki> et <nowiki>~~~~</nowiki>
"""),
]


@pytest.mark.parametrize(("page", "changes", "expected"), EDITS,
                         ids=[f"{p}-{'+'.join(c)}" for p, c, _e in EDITS])
def test_set_fields_exact_diff(page: str, changes: dict[str, str | None], expected: str) -> None:
    old = load(page)
    new = set_fields(old, RECORD_PAGES[page], changes)
    assert diff(old, new) == "--- \n+++ \n" + expected
    assert str(parse(new)) == new
    fields = read_fields(new, RECORD_PAGES[page])
    for name, value in changes.items():
        if value is None:
            assert name not in fields
        else:
            assert fields[name] == normalize_value(value)


def test_set_fields_on_a_call_without_params() -> None:
    assert set_fields("{{Acteur}}\nx", "Acteur", {"Titre": "a"}) == "{{Acteur|Titre=a}}\nx"
    assert set_fields("{{Acteur\n}}\nx", "Acteur", {"Titre": "a"}) == "{{Acteur\n|Titre=a\n}}\nx"


def test_set_fields_same_value_changes_nothing() -> None:
    page = "{{Acteur|Titre=a{{!}}b}}"
    assert set_fields(page, "Acteur", {"Titre": " a|b\n"}) == page


def test_set_fields_removing_a_missing_param_changes_nothing() -> None:
    page = load("fabmob_acteur")
    assert set_fields(page, "Acteur", {"absent": None}) == page


def test_set_fields_normalises_newlines_and_keeps_inner_ones() -> None:
    new = set_fields("{{A\n|d=x\n}}", "A", {"d": "\r\nligne 1\r\nligne 2\r\n"})
    assert new == "{{A\n|d=ligne 1\nligne 2\n}}"


def test_set_positional_param_escapes_equals() -> None:
    new = set_fields("{{A|x|b=1}}", "A", {"1": "a=b|c"})
    assert new == "{{A|a{{=}}b{{!}}c|b=1}}"
    assert read_fields(new, "A")["1"] == "a=b|c"


# ------------------------------------------------------------------------------------------
# Escaping
# ------------------------------------------------------------------------------------------

ESCAPES = [
    ("a|b", "a{{!}}b"),
    ("a=b", "a=b"),
    ("[[a|b]]", "[[a|b]]"),
    ("{{X|y}}", "{{X|y}}"),
    ("<ref>a|b</ref>", "<ref>a|b</ref>"),
    ("x}}y", "x<nowiki>}}</nowiki>y"),
    ("{{x", "<nowiki>{{</nowiki>x"),
    ("a]]b[[c", "a<nowiki>]]</nowiki>b<nowiki>[[</nowiki>c"),
    ("{{!}}", "<nowiki>{{</nowiki>!<nowiki>}}</nowiki>"),
    ("<nowiki>", "<nowiki><</nowiki>nowiki>"),
    ("<!-- x", "<nowiki><</nowiki>!-- x"),
    ("~~~~", "<nowiki>~~~~</nowiki>"),
    ("[[a\nb|c]]", "<nowiki>[[</nowiki>a\nb{{!}}c<nowiki>]]</nowiki>"),
    ("[[[a|b]]", "<nowiki>[</nowiki>[[a|b]]"),
    ("''a|b''", "''a{{!}}b''"),
    ("[https://x.org/?a=b label|x]", "[https://x.org/?a=b label{{!}}x]"),
]


@pytest.mark.parametrize(("value", "escaped"), ESCAPES)
def test_escape_value(value: str, escaped: str) -> None:
    assert escape_value(value) == escaped
    assert unescape_value(escaped) == value


def test_escape_free_text() -> None:
    assert escape_free_text("== Titre ==\n[[a|b]] {{c") == (
        "<nowiki>==</nowiki> Titre ==\n[[a|b]] <nowiki>{{</nowiki>c"
    )
    assert escape_free_text("a | b = c") == "a | b = c"


# ------------------------------------------------------------------------------------------
# Property: any value reads back, the rest of the page is untouched
# ------------------------------------------------------------------------------------------

TOKENS = [
    "|", "=", "}}", "{{", "[[", "]]", "{{!}}", "{{=}}", "<nowiki>", "</nowiki>", "\n", "\r\n",
    "é", "e\u0301", "'", "''", "’", "🐝", "a", " ", "{", "}", "[", "]", "<ref>", "</ref>",
    "<!--", "-->", "~~~", "<span>", "<", ">", "https://ex.org/?a=b&c=d", "[[a|b]]", "{{X|y}}",
    ":", "*", "#", "==", "<pre>", "/>", "{{{", "}}}", "\t", "&amp;", "__NOTOC__",
]
STORABLE = st.characters(blacklist_categories=("Cs",),
                         blacklist_characters="".join(map(chr, [*range(9), 11, 12,
                                                                *range(14, 32), 127])))
VALUES = st.lists(st.sampled_from(TOKENS) | st.text(alphabet=STORABLE, max_size=3),
                  max_size=16).map("".join)


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(page=st.sampled_from(sorted(RECORD_PAGES)), value=VALUES, new=st.booleans(),
       data=st.data())
def test_any_value_reads_back(page: str, value: str, new: bool, data: st.DataObject) -> None:
    text = load(page)
    name = RECORD_PAGES[page]
    before = read_fields(text, name)
    param = "Nouveau paramètre d'essai" if new else data.draw(st.sampled_from(sorted(before)))
    out = set_fields(text, name, {param: value})
    after = read_fields(out, name)
    assert after[param] == normalize_value(value)
    assert {k: v for k, v in after.items() if k != param} == {
        k: v for k, v in before.items() if k != param}
    assert outside_call(out, name) == outside_call(text, name)
    assert str(parse(out)) == out


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(page=st.sampled_from(sorted(RECORD_PAGES)), data=st.data())
def test_removing_a_param(page: str, data: st.DataObject) -> None:
    text = load(page)
    name = RECORD_PAGES[page]
    before = read_fields(text, name)
    param = data.draw(st.sampled_from(sorted(before)))
    out = set_fields(text, name, {param: None})
    before.pop(param)
    assert read_fields(out, name) == before
    assert outside_call(out, name) == outside_call(text, name)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=VALUES)
def test_escape_round_trip(value: str) -> None:
    assert unescape_value(escape_value(value)) == value


# ------------------------------------------------------------------------------------------
# Refusals
# ------------------------------------------------------------------------------------------


def refusal(text: str, names: str = "Acteur") -> str:
    with pytest.raises(WikitextError) as info:
        find_template(text, names)
    return str(info.value)


def test_refuses_absent_template() -> None:
    message = refusal(load("movilab_le_wip_2"), "Tiers-Lieux")
    assert "no {{Tiers-Lieux}} call" in message


def test_refuses_template_twice() -> None:
    message = refusal("{{Acteur|Titre=a}}\n{{acteur|Titre=b}}\n")
    assert "appears 2 times" in message
    assert "lines 1, 2" in message


@pytest.mark.parametrize("before", [
    "{{Ebauche}}\n",
    "{{Ébauche|date=2024}}\n{{À sourcer}}\n",
    "Intro.\n",
    "[[Fichier:Logo.png|right|100px]]\n<!-- fiche -->\n",
    "''\n",
])
def test_finds_the_call_after_banners_and_text_in_the_lead(before: str) -> None:
    text = before + "{{Acteur|Titre=a}}\n== Suite ==\n{{Autre}}\n"
    call = find_template(text, "Acteur")
    assert call.start == len(before)
    assert read_fields(text, "Acteur") == {"Titre": "a"}
    assert set_fields(text, "Acteur", {"Titre": "b"}) == text.replace("Titre=a", "Titre=b")


def test_refuses_a_call_that_does_not_start_a_line() -> None:
    message = refusal("Voir {{Acteur|Titre=a}}\n")
    assert "does not start a line" in message
    assert "'Voir'" in message


def test_refuses_a_call_below_the_first_heading() -> None:
    message = refusal("{{Ebauche}}\n== Présentation ==\n{{Acteur|Titre=a}}\n")
    assert "below the first heading (line 3)" in message


def test_refuses_two_calls_in_the_lead_after_a_banner() -> None:
    message = refusal("{{Ebauche}}\n{{Acteur|Titre=a}}\n{{Acteur|Titre=b}}\n== S ==\n")
    assert "appears 2 times" in message
    assert "lines 2, 3" in message


def test_refuses_call_inside_formatting() -> None:
    message = refusal("'''{{Acteur|Titre=a}}'''\n")
    assert "unbalanced ''" in message


def test_refuses_call_inside_other_markup() -> None:
    message = refusal("<div>{{Acteur|Titre=a}}</div>\n")
    assert "inside other markup" in message


def test_refuses_unclosed_call() -> None:
    message = refusal("{{Acteur\n|Titre=a\n|url=b\n== Suite ==\n")
    assert "does not parse as one template call" in message


def test_allows_comments_switches_and_displaytitle_first() -> None:
    call = find_template(load("movilab_prefixed"), "Tiers-Lieux")
    assert call.start == load("movilab_prefixed").index("{{modèle:")


def test_set_fields_refuses_duplicate_param() -> None:
    with pytest.raises(WikitextError) as info:
        set_fields("{{Acteur|Titre=a|Titre=b}}", "Acteur", {"Titre": "c"})
    assert "appears 2 times in the call" in str(info.value)


def test_set_fields_refuses_bad_param_name() -> None:
    with pytest.raises(WikitextError) as info:
        set_fields("{{Acteur|Titre=a}}", "Acteur", {"a|b": "c"})
    assert "cannot be a template parameter name" in str(info.value)


def test_set_fields_refuses_control_characters() -> None:
    with pytest.raises(InputError) as info:
        set_fields("{{Acteur|Titre=a}}", "Acteur", {"Titre": "a\x00b"})
    assert "U+0000" in str(info.value)


# ------------------------------------------------------------------------------------------
# Lists
# ------------------------------------------------------------------------------------------

AMI_ENTRIES = [
    RawEntry(
        text="* [[Konk Ar Lab]] (Concarneau) – Fabrique numérique de territoire\n"
        "** contact : Prénom Nom\n",
        bullet="*",
        link=Link("internal", "Konk Ar Lab"),
        name="Konk Ar Lab",
        rest=" (Concarneau) – Fabrique numérique de territoire",
        children=("** contact : Prénom Nom",),
    ),
    RawEntry(
        text="* [https://movilab.org/wiki/Le_WIP Le WIP] – Colombelles\n",
        bullet="*",
        link=Link("external", "https://movilab.org/wiki/Le_WIP", "Le WIP"),
        name="Le WIP",
        rest=" – Colombelles",
    ),
    RawEntry(
        text="* Ateliers Jean Moulin, Plouhinec : contact à compléter\n"
        "*: à relancer en septembre\n",
        bullet="*",
        link=Link("plain"),
        name="Ateliers Jean Moulin",
        rest=", Plouhinec : contact à compléter",
        children=("*: à relancer en septembre",),
    ),
    RawEntry(
        text="* '''[[La Myne]]''' (Villeurbanne)\n",
        bullet="*",
        link=Link("internal", "La Myne"),
        name="La Myne",
        rest="''' (Villeurbanne)",
        lead="'''",
    ),
]


def test_read_list_ami() -> None:
    section = read_list(load("fabmob_ami"), "Tiers Lieux intéressés")
    assert list(section.entries) == AMI_ENTRIES  # not "# Tiers-lieu X" of the sub-section
    assert section.level == 2
    assert section.subsections == ("Candidatures à venir",)
    text = load("fabmob_ami")
    assert [text[s:e] for s, e in section.spans] == [e.text for e in AMI_ENTRIES]


def test_read_list_fdt() -> None:
    section = read_list(load("movilab_fdt"), "Tiers  Lieux intéressés ")
    assert [(e.link, e.name, e.rest) for e in section.entries] == [
        (Link("internal", "La Myne"), "La Myne", ""),
        (Link("external",
              "https://wiki.lafabriquedesmobilites.fr/wiki/AMI_Fabriques_de_Territoires",
              "Alliance FabMob / Tiers-Lieux"), "Alliance FabMob / Tiers-Lieux", ""),
        (Link("interwiki", "Ateliers Jean Moulin", "Ateliers Jean Moulin", "fabmob"),
         "Ateliers Jean Moulin", " – Plouhinec"),
    ]


def test_read_list_other_section_is_separate() -> None:
    section = read_list(load("movilab_fdt"), "Liste des Fabriques de Territoire")
    assert [e.link.target for e in section.entries] == ["Le WIP", "Konk Ar Lab", "La Machinerie"]
    assert section.entries[1].rest == " – Concarneau (29) – Fabrique numérique de territoire"


def test_read_list_missing_section() -> None:
    with pytest.raises(SectionNotFound) as info:
        read_list(load("movilab_fdt"), "Tiers-Lieux intéressés")
    assert "no section titled 'Tiers-Lieux intéressés'" in str(info.value)
    assert info.value.exit_code == 1


def test_read_list_commented_bullets_are_not_entries() -> None:
    text = "== L ==\n* [[A]]\n<!--\n* [[B]]\n-->\n* [[C]] <!-- x\ny -->\n"
    section = read_list(text, "L")
    assert [e.text for e in section.entries] == ["* [[A]]\n", "* [[C]] <!-- x\ny -->\n"]


def test_edit_list_exact() -> None:
    old = load("fabmob_ami")
    new = edit_list(
        old,
        "Tiers Lieux intéressés",
        remove={1},
        replace={2: "* Ateliers Jean Moulin, Plouhinec : contact pris\n"},
        append=[format_entry("*", Link("internal", "Le WIP"), " – Colombelles (14)")],
    )
    assert diff(old, new) == """\
--- \n+++ \n@@ -18 +17,0 @@
-* [https://movilab.org/wiki/Le_WIP Le WIP] – Colombelles
@@ -20,2 +19 @@
-* Ateliers Jean Moulin, Plouhinec : contact à compléter
-*: à relancer en septembre
+* Ateliers Jean Moulin, Plouhinec : contact pris
@@ -22,0 +21 @@
+* [[Le WIP]] – Colombelles (14)
"""


def test_edit_list_refuses_an_equals_sign_in_a_templates_unnamed_parameter() -> None:
    """An entry holding "=" appended to a list in ``{{colonnes|…}}``'s unnamed parameter would
    make MediaWiki read the whole parameter as named (and show none of the list): refused,
    saying so. Named (``1=``), the same parameter takes it."""
    text = "== L ==\n{{colonnes|nombre=2|\n* [[A]] – Caen\n}}\n== Fin ==\n"
    with pytest.raises(WikitextError) as caught:
        edit_list(text, "L", [], {}, ["* Garage 2+2=4 – Brest"])
    assert "unnamed parameter of {{colonnes}}" in str(caught.value)
    assert "'* Garage 2+2=4 – Brest' holds '='" in str(caught.value)
    assert "{{colonnes|1=...}}" in caught.value.hint
    named = text.replace("nombre=2|\n", "nombre=2|1=\n")
    new = edit_list(named, "L", [], {}, ["* Garage 2+2=4 – Brest"])
    assert "* [[A]] – Caen\n* Garage 2+2=4 – Brest\n}}" in new
    # where the list stands: an unnamed parameter, a named one, outside any template
    from wikisync.wikitext import _unnamed_parameter_at
    inside = text.index("* [[A]]")
    assert _unnamed_parameter_at(text, inside) == "colonnes"
    assert _unnamed_parameter_at(named, named.index("* [[A]]")) is None
    assert _unnamed_parameter_at(text, text.index("nombre")) is None
    assert _unnamed_parameter_at(text, text.index("== Fin")) is None


def test_edit_list_keeps_bytes_outside_entries() -> None:
    old = load("movilab_fdt")
    section = read_list(old, "Tiers Lieux intéressés")
    new = edit_list(old, "Tiers Lieux intéressés", {0}, {}, ["* [[Le WIP]]"])
    start, end = section.spans[0]
    assert new == old[:start] + old[end:section.spans[-1][1]] + "* [[Le WIP]]\n" + old[
        section.spans[-1][1]:]


def test_edit_list_appends_in_empty_section_before_blank_lines() -> None:
    old = "== A ==\nIntro.\n\n\n== B ==\n* x\n"
    new = edit_list(old, "A", set(), {}, ["* [[La Myne]]\n"])
    assert new == "== A ==\nIntro.\n* [[La Myne]]\n\n\n== B ==\n* x\n"


def test_edit_list_at_end_of_page_without_newline() -> None:
    new = edit_list("== A ==\n* [[X]]", "A", set(), {}, ["* [[Y]]"])
    assert new == "== A ==\n* [[X]]\n* [[Y]]\n"


def test_edit_list_refuses_entry_that_would_not_read_back() -> None:
    old = load("movilab_fdt")
    with pytest.raises(WikitextError) as info:
        edit_list(old, "Tiers Lieux intéressés", set(), {}, ["** [[Sous-entrée]]"])
    assert "would not read back" in str(info.value)


def test_edit_list_refuses_bad_index() -> None:
    with pytest.raises(WikitextError) as info:
        edit_list(load("movilab_fdt"), "Tiers Lieux intéressés", {7}, {}, [])
    assert "no entry number(s) [7]" in str(info.value)


@pytest.mark.parametrize(
    ("link", "rest", "name", "line"),
    [
        (Link("internal", "Le WIP"), " – Colombelles", None, "* [[Le WIP]] – Colombelles\n"),
        (Link("internal", "Le WIP", "WIP"), "", None, "* [[Le WIP|WIP]]\n"),
        (Link("interwiki", "Le WIP", None, "movilab"), "", None, "* [[movilab:Le WIP]]\n"),
        (Link("external", "https://movilab.org/wiki/Le_WIP", "Le WIP"), " (14)", None,
         "* [https://movilab.org/wiki/Le_WIP Le WIP] (14)\n"),
        (Link("plain"), ", Plouhinec", "Ateliers Jean Moulin",
         "* Ateliers Jean Moulin, Plouhinec\n"),
    ],
)
def test_format_entry(link: Link, rest: str, name: str | None, line: str) -> None:
    assert format_entry("*", link, rest, name=name) == line


def test_format_entry_with_children_reads_back() -> None:
    text = "== L ==\n" + format_entry("#", Link("internal", "X"), " : a", ["#* b", "#: c"])
    assert text == "== L ==\n# [[X]] : a\n#* b\n#: c\n"
    (entry,) = read_list(text, "L").entries
    assert entry.children == ("#* b", "#: c")


def test_format_entry_refuses_what_would_not_read_back() -> None:
    with pytest.raises(WikitextError) as info:
        format_entry("*", Link("plain"), "", name="Ateliers (Plouhinec)")
    assert "would read back" in str(info.value)


@pytest.mark.parametrize(("line", "name", "rest", "lead"), [
    ("* '''La Myne''' – Villeurbanne", "La Myne", "''' – Villeurbanne", "'''"),
    ("*  ''La Myne – Villeurbanne''", "La Myne", " – Villeurbanne''", "''"),
    ("* '''''La Myne'''''", "La Myne", "'''''", "'''''"),
    ("* L'Atelier – x", "L'Atelier", " – x", ""),
    ("* ''''x", "''''x", "", ""),  # four quotes: not bold, the name keeps them
])
def test_a_plain_name_in_bold_or_italic_keeps_its_quotes_out(line, name, rest, lead):
    [entry] = read_list(f"== L ==\n{line}\n", "L").entries
    assert (entry.name, entry.rest, entry.lead) == (name, rest, lead)


@pytest.mark.parametrize("line", [
    "* '''Lieu Fantôme''' – Nulle-Part",
    "* ''Lieu Fantôme – Nulle-Part''",
    "* '''Lieu Fantôme – Nulle-Part",
    "* '''''Lieu Fantôme''''' (Lyon)",
])
def test_a_formatted_plain_name_is_written_back_as_it_stood(line):
    """Read by the parser, rendered for a wiki where the lieu has no page: the same line."""
    from wikisync.lists import LinkContext, render_entry, to_list_entry

    ctx = LinkContext.from_data({"fabmob": {"article_urls": ["https://fabmob.example/wiki/"]}})
    [raw] = read_list(f"== L ==\n{line}\n", "L").entries
    entry = to_list_entry(raw, "fabmob", ctx)
    assert entry.key == "Lieu Fantôme"
    assert render_entry(entry, "fabmob", lambda wiki, key: False, ctx) == line + "\n"


def test_set_fields_finds_a_parameter_by_the_same_rule_as_reading() -> None:
    text = "{{Tiers-Lieux|titre=Le WIP|code_postal=14000}}"
    assert set_fields(text, "Tiers-Lieux", {"Code postal": "14460", "Titre": "WIP"}) == (
        "{{Tiers-Lieux|titre=WIP|code_postal=14460}}")


def test_set_fields_refuses_two_spellings_of_one_parameter() -> None:
    text = "{{Tiers-Lieux|code_postal=14000|Code postal=14460}}"
    with pytest.raises(WikitextError) as caught:
        set_fields(text, "Tiers-Lieux", {"code postal": "14460"})
    assert "appears 2 times" in str(caught.value)


# ------------------------------------------------------------------------------------------
# Property: reading a plain call without the parser gives what the parser gives
# ------------------------------------------------------------------------------------------

SEED_PAGE = Path("/work/shared/seeds/000_49717ace42f5acc1.txt")
CALL_NAMES = ["Acteur", "acteur", " Acteur\n", "Acteur\n", "Acteur_", "Tiers-Lieux",
              "Tiers Lieux", "Autre", "Act\neur", "", "#if:x", "Acteur<!-- c -->"]
PARAM_TOKENS = TOKENS + ["\n|", "|Titre=", "|Ville=", "| url =", "=", "==", "|=", "|1=",
                         "|\n=", "|a\nb=", "[[Lien|texte]]", "{{X|a=b|c}}", "<!-- | = }} -->",
                         "<nowiki>|}}</nowiki>", "{{!}}", "Saint-Étienne", "l'atelier", "🚲",
                         "https://tl.example.org/?a=1|b", "&#124;", "\u00a0", "\x0b", "\0"]
BELOW_TOKENS = ["\n", "== Présentation ==\n", "=== Bas ===", "=x=", "texte libre ", "{{Acteur}}",
                "{{Acteur|Titre=Autre}}", "{{Ebauche}}", "{{", "}}", "}", "{", "[[Catégorie:X]]",
                "<!--", "-->", "<nowiki>", "</nowiki>", "é", "'''gras'''", "🐝", "<ref>a</ref>",
                "\n== Contacts ==\n", "{{{1}}}", "| x = y"]


def plain_call_agrees(text: str, names: list[str]) -> bool:
    """The plain reading, when it answers, is find_template's answer (which must not refuse);
    read_fields gives find_template's fields or its error. True when the plain reading answered."""
    from wikisync.wikitext import _names_set, _plain_call, _plain_fields

    plain = _plain_call(text, _names_set(names))
    assert _plain_fields(text, _names_set(names)) == (plain.fields if plain else None), text
    try:
        full = find_template(text, names)
    except WikitextError as exc:
        assert plain is None, text
        with pytest.raises(WikitextError) as again:
            read_fields(text, names)
        assert str(again.value) == str(exc)
        return False
    if plain is not None:
        assert plain == full, text
    assert read_fields(text, names) == full.fields
    return plain is not None


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(lead=st.sampled_from(["", "", "", "\n", " ", "<!-- c -->\n", "{{Ebauche}}\n",
                             "__NOTOC__\n", "{"]),
       name=st.sampled_from(CALL_NAMES),
       params=st.lists(st.sampled_from(PARAM_TOKENS) | st.text(alphabet=STORABLE, max_size=4),
                       max_size=24).map("".join),
       close=st.sampled_from(["}}", "}}", "\n}}", "}}}", "}", ""]),
       below=st.lists(st.sampled_from(BELOW_TOKENS) | st.text(alphabet=STORABLE, max_size=6),
                      max_size=12).map("".join),
       names=st.sampled_from([["Acteur"], ["Tiers-Lieux", "Tiers Lieux"], ["Acteur", "Autre"]]))
def test_plain_call_reads_as_the_parser(lead: str, name: str, params: str, close: str,
                                        below: str, names: list[str]) -> None:
    plain_call_agrees(lead + "{{" + name + params + close + below, names)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(fields=st.lists(st.tuples(st.text(alphabet=STORABLE, max_size=8),
                                 st.text(alphabet=STORABLE, max_size=12)), max_size=8),
       below=st.text(alphabet=STORABLE, max_size=80))
def test_plain_call_of_ordinary_pages(fields: list[tuple[str, str]], below: str) -> None:
    """Pages of the commonest shape (a call of plain ``|name=value`` lines, free text below)."""
    params = "".join(f"\n|{k}={v}" for k, v in fields)
    plain_call_agrees("{{Acteur" + params + "\n}}\n== Présentation ==\n" + below, ["Acteur"])


def test_plain_call_answers_for_the_common_shape() -> None:
    """The fast reading is used at all: the bench's and the wikis' usual page shape."""
    text = ("{{Acteur\n|Titre=Tiers-lieu Gex n°0001\n|villes d'implantation=Gex\n"
            "|Theme=Vélo et Mobilités Actives,Données ouvertes\n|url=https://tl.example.org/\n"
            "|Adherent=oui\n}}\n== Présentation ==\nUn lieu où l'on répare 🚲.\n")
    assert plain_call_agrees(text, ["Acteur"])
    assert plain_call_agrees("{{Tiers Lieux|1|Ville=Caen|2=x|y}}", ["Tiers-Lieux", "Tiers Lieux"])


@pytest.mark.parametrize("text", ["{{Acteur|\u00a0\n==}}", "{{Acteur|a\n==}}",
                                  "{{Acteur|a\n=b=\n}}", "{{Acteur|a=\n==x==\n}}",
                                  "{{Acteur|\0}}", "{{Acteur|a\n=b}}"])
def test_plain_call_found_by_the_properties(text: str) -> None:
    """Calls the property tests found the plain reading wrong on (a line starting with "=" may
    be a heading to the parser, not a parameter's "="; NUL), and their neighbours."""
    plain_call_agrees(text, ["Acteur"])


@pytest.mark.parametrize("path", [*sorted(PAGES_DIR.glob("*.wiki")), SEED_PAGE],
                         ids=lambda p: p.stem)
def test_plain_call_on_stored_pages(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    text = path.read_text(encoding="utf-8")
    for names in sorted({(n,) for n in RECORD_PAGES.values()}):
        plain_call_agrees(text, list(names))
        # the same page with its call moved to the top, when it has one
        try:
            call = find_template(text, list(names))
        except WikitextError:
            continue
        plain_call_agrees(call.text + "\n" + text[:call.start] + text[call.end:], list(names))


PLAIN_TOKENS = ["|", "|", "=", "==", "\n", "\n|", "|Titre=", "| Ville =", "|1=", "|2 =", " ",
                "\t", "\u00a0", "é", "e\u0301", "'", "''", "'''", "’", "🐝", "a",
                "Saint-Étienne", ":", "*", "#", ";", "----", "~~~~", "https://ex.org/?a=b&c=d",
                "http://x.org/a|b", "&amp;", "&#124;", "&", "__NOTOC__", "_", "-"]
#: At most one of these in a drawn call: enough to meet the plain reading's refusals, rare
#: enough that it answers for most drawn calls.
ODD_TOKENS = ["|=", "|\n=", "|a\nb=", "<", "{", "}", "[", "]", "\0", "\x0b", "\r", "\x7f",
              "<!-- -->", "[[a|b]]", "{{X|y}}", "<nowiki>|</nowiki>", "{{!}}"]


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from([*CALL_NAMES[:8], "Tiers\tLieux", "Tiers\u00a0Lieux", "Tiers_Lieux",
                             "Modèle:Acteur", "template:acteur", "Acteur\n\n", " \n Acteur\t",
                             "Acteur&amp;", "Acteur=x", "Acteur:"]),
       params=st.tuples(st.lists(st.sampled_from(PLAIN_TOKENS), max_size=30),
                        st.sampled_from(ODD_TOKENS) | st.just("") | st.just("") | st.just(""),
                        st.integers(0, 30))
       .map(lambda p: "".join(p[0][:p[2]]) + p[1] + "".join(p[0][p[2]:])),
       close=st.sampled_from(["}}", "}}", "}}", "}}", "\n}}", "\n}}", "}}}"]),
       below=st.lists(st.sampled_from(BELOW_TOKENS[:12] + PLAIN_TOKENS * 6), max_size=8)
       .map("".join))
def test_plain_call_near_its_limits(name: str, params: str, close: str, below: str) -> None:
    """Calls that are mostly plain, so that the plain reading answers often and is held to the
    parser where it matters: ``|``, ``=``, whitespace MediaWiki strips or not, entities, URLs,
    names and keys over lines, ``}}}``, a second call or a stray brace below."""
    plain_call_agrees("{{" + name + params + close + below, ["Acteur", "Tiers-Lieux"])
    plain_call_agrees("{{" + name + params + close + below, ["Tiers Lieux", "Autre", "acteur"])


# --------------------------------------------------------------------------- list lines, fast

LINE_TOKENS = ["[[", "]]", "[", "]", "|", "{{", "}}", "<", ">", "<!--", "-->", ":", "::", "/",
               "&amp;", "~~~~", "''", "'''", " ", "\t", "=", "*", "#", ";", "Tiers-lieu Gex",
               "Saint-Étienne", "l'atelier", "l’atelier", "🚲", "http://x.org", "Fichier:a.png",
               "movilab:", "Catégorie:X", "<span>", "</span>", "<br>", "–", "__NOTOC__", "\0"]


def fast_line_agrees(line: str) -> bool:
    """The reading of an entry line without the parser, when it answers, is the parser's: the
    same (bullet, link, name, rest, lead, head) and nothing unclosed. True when it answered."""
    from wikisync.lists import is_article_link
    from wikisync.wikitext import (
        _parsed_entry_line,
        _parsed_unclosed,
        _plain_entry_line,
        unclosed,
    )

    assert unclosed(line) == _parsed_unclosed(line), line
    plain = _plain_entry_line(line, is_article_link)
    if plain is not None:
        assert plain == _parsed_entry_line(line, is_article_link), line
    return plain is not None


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(bullet=st.sampled_from(["*", "*", "#", "**", "*:", ":", ";", "*#"]),
       lead=st.sampled_from(["", " ", "  ", "\t", " x "]),
       target=st.lists(st.sampled_from(LINE_TOKENS) | st.text(alphabet=STORABLE, max_size=3),
                       max_size=5).map("".join),
       label=st.none() | st.lists(st.sampled_from(LINE_TOKENS)
                                  | st.text(alphabet=STORABLE, max_size=3),
                                  max_size=4).map("".join),
       rest=st.lists(st.sampled_from(LINE_TOKENS) | st.text(alphabet=STORABLE, max_size=4),
                     max_size=6).map("".join),
       end=st.sampled_from(["", "", "\n"]))
def test_plain_entry_line_reads_as_the_parser(bullet: str, lead: str, target: str,
                                              label: str | None, rest: str, end: str) -> None:
    """Entry lines as read_list gives them to unclosed (with their newline) and to the entry
    reader (without)."""
    link = f"[[{target}]]" if label is None else f"[[{target}|{label}]]"
    line = (bullet + lead + link + rest).replace("\n", " ")
    fast_line_agrees(line)
    from wikisync.wikitext import _parsed_unclosed, unclosed
    assert unclosed(line + end) == _parsed_unclosed(line + end), line + end


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(line=st.text(alphabet=STORABLE, max_size=60))
def test_unclosed_of_any_line_reads_as_the_parser(line: str) -> None:
    fast_line_agrees(line.replace("\n", " "))


@pytest.mark.parametrize("line", [
    "* [[Tiers-lieu Gex n°0001]] – Gex", "# [[L'Atelier|l’atelier 🚲]] (Saint-Étienne)",
    "** [[A|]] x", "*\t[[ A ]]", "* [[Tiers-lieu Gex]] – ''en projet'', http://x.org"])
def test_plain_entry_line_answers_for_the_common_shape(line: str) -> None:
    """The fast reading is used at all: the lists' usual lines."""
    assert fast_line_agrees(line)


# --------------------------------------------------------------------------------------------
# A section's parse, taken from the page's (read_list parses a page once)
# --------------------------------------------------------------------------------------------

#: Pieces of lines that open, close or hold every construct a list page may have, whole or
#: cut in two across lines (a template, a comment, a table, a tag open on one line and closed
#: on another, or never closed).
LINE_PIECES = [
    "== Lieux ==", "=== Sous ===", "==Autres==", "== Titre == <!-- c -->", "== Dans {{x|",
    "=", "==", "* [[Le WIP]] – Paris", "* L'Atelier ’Vélo’ 🚲", "* [[Le Bocal|Bocal]]<br>",
    "* [https://a.example Site]", "[http://x", "{{Boîte|", "}}", "{{Boîte|titre=x}}", "{{",
    "}}}", "{{{", "{{{1}}}", "|", "<div>", "</div>", "<span>", "</span>", "<!--", "-->",
    "<!-- c -->", "{|", "|-", "| cellule", "|}", "<nowiki>", "</nowiki>", "<pre>", "</pre>",
    "<gallery>", "</gallery>", "<ref>note</ref>", "<ref>", "</ref>", "<br>", "[[", "]]",
    "[[Fichier:x.png|vignette]]", "'''gras'''", "''", "*", "#", ":", "; terme", "__TOC__",
    "&nbsp;", "",
]
PIECED_LINES = st.lists(st.lists(st.sampled_from(LINE_PIECES), max_size=3).map("".join),
                        min_size=1, max_size=14)


def _tree(code) -> list[tuple[str, str]]:
    """Every node of a parse, nested ones included, as (type, text): equal for two parses
    exactly when they read the text the same way."""
    return [(type(node).__name__, str(node)) for node in code.filter(recursive=True)]


@settings(max_examples=400, suppress_health_check=list(HealthCheck), deadline=None)
@given(lines=PIECED_LINES, end_newline=st.booleans(), data=st.data())
def test_a_slice_of_the_page_parse_reads_as_the_slice_parsed_alone(lines, end_newline, data):
    """``_sub_code`` gives the section's parse from the page's. Checked here at any two line
    starts (a section's bounds are line starts), with constructs open across them; the
    reading must be the one parsing the slice alone gives, node for node, nested ones too.
    (40,000 examples passed when it was written.)"""
    from wikisync.wikitext import _sub_code

    text = "\n".join(lines) + ("\n" if end_newline else "")
    starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n"), len(text)]
    start = data.draw(st.sampled_from(starts))
    end = data.draw(st.sampled_from([at for at in starts if at >= start]))
    sub = _sub_code(text, parse(text), start, end)
    alone = parse(text[start:end])
    assert str(sub) == text[start:end]
    assert [(type(n).__name__, str(n)) for n in sub.nodes] == \
        [(type(n).__name__, str(n)) for n in alone.nodes]
    assert _tree(sub) == _tree(alone)


@pytest.mark.parametrize("name", sorted(p.stem for p in PAGES_DIR.glob("*.wiki")))
def test_every_section_of_the_golden_pages_reads_as_parsed_alone(name):
    from wikisync.wikitext import _sub_code

    text = (PAGES_DIR / f"{name}.wiki").read_text(encoding="utf-8")
    code = parse(text)
    bounds = sorted({0, len(text), *(i + 1 for i, ch in enumerate(text)
                                     if ch == "\n" and text[i + 1:i + 2] == "=")})
    for start, end in zip(bounds, bounds[1:], strict=False):
        assert _tree(_sub_code(text, code, start, end)) == _tree(parse(text[start:end]))


def test_a_list_is_read_with_one_parse_of_its_page(monkeypatch):
    """The section's own parse is cut from the page's (it was a second parse: 40% of the
    time of reading a list of 300 entries)."""
    import wikisync.wikitext as wikitext

    text = ("Intro {{Bandeau}}\n\n== Tiers Lieux intéressés ==\n<!-- liste -->\n"
            + "".join(f"* [[Lieu {i}]] – Ville {i}\n" for i in range(20))
            + "{{Boîte|\n* [[Lieu dans la boîte]]\n}}\n== Après ==\nfin\n")
    calls: list[int] = []
    real = wikitext.parse
    monkeypatch.setattr(wikitext, "parse", lambda t: calls.append(len(t)) or real(t))
    section = read_list(text, "Tiers Lieux intéressés")
    assert [e.link.target for e in section.entries] == [
        *(f"Lieu {i}" for i in range(20)), "Lieu dans la boîte"]
    assert calls == [len(text)]
