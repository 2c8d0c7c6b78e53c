"""Tests of wikisync.mapping: shipped mappings, validation of mapping files, field values."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wikisync.errors import EXIT_USAGE, ConfigError, InputError, UsageError
from wikisync.mapping import (
    FieldSpec,
    Mapping,
    join_list,
    load_mapping,
    load_mappings,
    param_key,
    same_param,
    split_list,
    template_key,
    validate_record,
    validate_value,
)

SHIPPED = Path(__file__).resolve().parent.parent / "mappings"
WIKIS = {"fabmob", "movilab"}

GOOD = """\
kind: lieu
title: "{nom}"
fields:
  nom:         {required: true}
  ville:       {required: true}
  code_postal: {pattern: "^[0-9]{5}$"}
  site_web:    {type: url}
  themes:      {type: list}
  date_maj:    {type: date}
wikis:
  movilab:
    template: Tiers-Lieux
    aliases: [Tiers Lieux]
    category: Tiers-Lieux
    page_template: lieu.movilab.wiki
    params: {nom: Titre, ville: Ville, code_postal: Code postal, site_web: Site web, themes: Thème}
  fabmob:
    template: Acteur
    category: Acteur
    page_template: lieu.fabmob.wiki
    params: {nom: Titre, ville: "villes d'implantation", site_web: url, themes: Theme}
sync: [ville, code_postal, site_web]
stale_after_days: 365
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in the test's folder, so that messages name files relative to it."""
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str, name: str = "lieu.yaml") -> Path:
    """Write a mapping file in ``tmp_path/mappings``."""
    folder = tmp_path / "mappings"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, **kwargs: object) -> list[str]:
    """The problems load_mapping reports for ``path``."""
    with pytest.raises(ConfigError) as info:
        load_mapping(path, **kwargs)  # type: ignore[arg-type]
    return info.value.problems


@pytest.fixture
def lieu(tmp_path: Path) -> Mapping:
    return load_mapping(write(tmp_path, GOOD), WIKIS)


# --------------------------------------------------------------------------- shipped mappings


def test_shipped_mappings_load_and_validate() -> None:
    mappings = load_mappings(SHIPPED, WIKIS)
    assert set(mappings) == {"lieu", "projet"}
    lieu, projet = mappings["lieu"], mappings["projet"]
    assert lieu.sync == ("ville", "code_postal", "site_web")
    assert lieu.wikis["fabmob"].template == "Acteur"
    assert lieu.wikis["fabmob"].params["ville"] == "villes d'implantation"
    assert lieu.wikis["movilab"].template == "Tiers-Lieux"
    assert lieu.wikis["movilab"].params["code_postal"] == "Code postal"
    assert projet.wikis["fabmob"].template == "Project"
    assert projet.wikis["fabmob"].category == "Projet"
    assert projet.wikis["fabmob"].params["communautes"] == "communauté d'intérêt"
    assert projet.wikis["movilab"].params["porteur"] == "Tiers-lieu porteur"
    assert {w.page_template for w in lieu.wikis.values()} == {
        "lieu.fabmob.wiki",
        "lieu.movilab.wiki",
    }


def test_shipped_page_templates_are_checked_when_templates_dir_is_given(tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "lieu.fabmob.wiki").write_text("{{Acteur}}", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_mappings(SHIPPED, WIKIS, templates_dir=tmp_path / "tpl")
    problems = info.value.problems
    assert len(problems) == 3
    assert any(
        "lieu.yaml: wikis.movilab.page_template: no file lieu.movilab.wiki" in p for p in problems
    )
    assert not any("lieu.fabmob.wiki" in p for p in problems)


def test_shipped_lieu_reads_real_fabmob_params() -> None:
    lieu = load_mappings(SHIPPED, WIKIS)["lieu"]
    params = {
        "Titre": "Konk Ar Lab",
        "villes_d'implantation": "Concarneau",
        "Theme": "Fablab,Tiers-lieu",
        "Adherent": "oui",
        "pageCo": "https://x",
    }
    fields = lieu.from_params("fabmob", params)
    assert fields == {
        "nom": "Konk Ar Lab",
        "ville": "Concarneau",
        "themes": "Fablab,Tiers-lieu",
        "adherent": "oui",
    }
    assert validate_record(lieu, fields, wiki="fabmob") == []


# --------------------------------------------------------------------------- mapping problems


def test_good_mapping_loads(lieu: Mapping) -> None:
    assert lieu.kind == "lieu"
    assert lieu.title_format == "{nom}"
    assert lieu.fields["code_postal"].pattern == "^[0-9]{5}$"
    assert lieu.fields["site_web"].type == "url"
    assert lieu.fields["nom"].required is True
    assert lieu.fields["themes"].required is False
    assert lieu.wikis["movilab"].aliases == ("Tiers Lieux",)
    assert lieu.stale_after_days == 365
    assert lieu.ignore == ()
    assert lieu.mapped_fields("fabmob") == ("nom", "ville", "site_web", "themes")


def test_every_mapping_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = """\
kind: lieu
title: "{name}"
fields:
  nom:         {required: true, typ: text}
  code_postal: {pattern: "^[0-9{5}$"}
  site_web:    {type: link}
  date_maj:    {type: date}
wikis:
  movilab:
    template: Tiers-Lieux
    categorie: Tiers-Lieux
    page_template: lieu.movilab.wiki
    params: {nom: Titre, ville: Ville, site_web: titre}
  wikipedia:
    template: Infobox
    category: Lieu
    params: {nom: Nom}
sync: [ville, date_maj]
stale_after_days: 0
"""
    problems = problems_of(write(tmp_path, text), wikis=WIKIS, templates_dir=tmp_path)
    expected = [
        "mappings/lieu.yaml: fields.nom.typ: unknown key (did you mean 'type'?)",
        "mappings/lieu.yaml: fields.code_postal.pattern: invalid regular expression",
        "mappings/lieu.yaml: fields.site_web.type: unknown type 'link'",
        "mappings/lieu.yaml: title: names an unknown field {name} (expected one of: code_postal",
        "mappings/lieu.yaml: wikis.movilab.categorie: unknown key (did you mean 'category'?)",
        "mappings/lieu.yaml: wikis.movilab.category: required",
        "mappings/lieu.yaml: wikis.movilab.page_template: no file lieu.movilab.wiki",
        "mappings/lieu.yaml: wikis.movilab.params.ville: unknown field",
        "mappings/lieu.yaml: wikis.movilab.params.site_web: parameter 'titre' is already the field",
        "mappings/lieu.yaml: wikis.wikipedia: not a wiki of the config",
        "mappings/lieu.yaml: sync[0]: unknown field 'ville'",
        "mappings/lieu.yaml: sync[1]: the field 'date_maj' is mapped on no wiki",
        "mappings/lieu.yaml: stale_after_days: must be 1 or more",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)


def test_kind_must_match_file_name_and_title_field_be_required(tmp_path: Path) -> None:
    text = GOOD.replace("kind: lieu", "kind: place").replace(
        'title: "{nom}"', 'title: "{ville} {site_web}"'
    )
    problems = problems_of(write(tmp_path, text))
    assert problems == [
        "mappings/lieu.yaml: kind: 'place' differs from the file name: call the file place.yaml",
        "mappings/lieu.yaml: title: uses the field 'site_web', which must then be required: true",
    ]


def test_broken_yaml_and_missing_sections(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path, "kind: lieu\nfields: [a\n"))[0].startswith(
        "mappings/lieu.yaml: line 3, column 1: invalid YAML"
    )
    problems = problems_of(write(tmp_path, "kind: lieu\ntitel: x\n"))
    assert "mappings/lieu.yaml: titel: unknown key (did you mean 'title'?)" in problems
    assert "mappings/lieu.yaml: title: required" in problems
    assert any(p.startswith("mappings/lieu.yaml: fields: required") for p in problems)
    assert any(p.startswith("mappings/lieu.yaml: wikis: required") for p in problems)


def test_choice_needs_choices(tmp_path: Path) -> None:
    text = GOOD.replace("  date_maj:    {type: date}", "  adherent: {type: choice}")
    problems = problems_of(write(tmp_path, text))
    assert problems == [
        "mappings/lieu.yaml: fields.adherent.choices: required for a field of type choice"
    ]


def test_load_mappings_collects_problems_of_every_file(tmp_path: Path) -> None:
    write(tmp_path, GOOD.replace("nom: Titre, ville: Ville", "nom: Titre, vile: Ville"))
    write(
        tmp_path,
        GOOD.replace("kind: lieu", "kind: projet").replace("sync: [", "snyc: ["),
        "projet.yaml",
    )
    with pytest.raises(ConfigError) as info:
        load_mappings(tmp_path / "mappings", WIKIS)
    problems = info.value.problems
    assert info.value.exit_code == EXIT_USAGE
    assert any(
        p.startswith(
            "mappings/lieu.yaml: wikis.movilab.params.vile: unknown field (did you mean 'ville'?)"
        )
        for p in problems
    )
    assert "mappings/projet.yaml: snyc: unknown key (did you mean 'sync'?)" in problems
    assert len(problems) == 2


def test_load_mappings_without_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_mappings(tmp_path / "none")
    assert info.value.problems == ["none: mappings folder not found"]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("spec", "value", "problem"),
    [
        (FieldSpec("a"), "anything | at all", None),
        (FieldSpec("a"), "   ", None),
        (FieldSpec("a", type="url"), "https://www.le-wip.com/", None),
        (FieldSpec("a", type="url"), "http://ex.org/?a=b&c=d", None),
        (FieldSpec("a", type="url"), "www.le-wip.com", "is not a web address"),
        (FieldSpec("a", type="url"), "ftp://ex.org/", "is not a web address"),
        (FieldSpec("a", type="url"), "https://", "is not a web address"),
        (FieldSpec("a", type="url"), "https://ex.org/a b", "is not a web address"),
        (FieldSpec("a", type="date"), "2024-02-29", None),
        (FieldSpec("a", type="date"), "2023-02-29", "is not a date that exists"),
        (FieldSpec("a", type="date"), "29/02/2024", "expected YYYY-MM-DD"),
        (FieldSpec("a", type="date"), "20240229", "expected YYYY-MM-DD"),
        (FieldSpec("a", type="list"), "Gouvernance, Animation,Economique", None),
        (
            FieldSpec("a", type="list", pattern="[A-Z].*"),
            "Gouvernance, animation",
            "item 'animation'",
        ),
        (FieldSpec("a", type="email"), "contact@example.org", None),
        (FieldSpec("a", type="email"), "contact at example.org", "is not an e-mail address"),
        (FieldSpec("a", type="number"), "46,33", None),
        (FieldSpec("a", type="number"), "46 33", "is not a number"),
        (FieldSpec("a", type="choice", choices=("oui", "non")), "Oui", None),
        (
            FieldSpec("a", type="choice", choices=("oui", "non")),
            "peut-être",
            "is not one of: oui, non",
        ),
        (FieldSpec("a", pattern="^[0-9]{5}$"), "14460", None),
        (FieldSpec("a", pattern="[0-9]{5}"), "144600", "'144600' is not 5 digits"),
        (FieldSpec("a", pattern="[0-9]{5}"), "x14460", "'x14460' is not 5 digits"),
        (FieldSpec("a", pattern="^[0-9]{5}$", help="5 chiffres"), "1446", "is not 5 chiffres"),
        # checked as the template receives it: without its comments
        (FieldSpec("a", pattern="^[0-9]{5}$"), "14460 <!-- à vérifier -->", None),
        (FieldSpec("a", type="url"), "<!-- https://exemple.org -->", None),
        (FieldSpec("a", type="choice", choices=("oui", "non")), "oui <!-- 2024 -->", None),
        (FieldSpec("a", type="list", pattern="[A-Z].*"), "Gouvernance <!-- , animation -->",
         None),
    ],
)
def test_validate_value(spec: FieldSpec, value: str, problem: str | None) -> None:
    result = validate_value(spec, value)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


def test_split_and_join_list() -> None:
    assert split_list("a,b") == ["a", "b"]
    assert split_list("a, b ,, c,") == ["a", "b", "c"]
    assert split_list("") == []
    assert join_list(["a", " b", ""]) == "a, b"
    assert join_list(["a", "b"], ",") == "a,b"


def test_validate_record(lieu: Mapping) -> None:
    fields = {
        "nom": "Le WIP",
        "ville": " ",
        "code_postal": "1446",
        "site_web": "le-wip.com",
        "colour": "red",
    }
    problems = validate_record(lieu, fields)
    assert [(p.field, p.code) for p in problems] == [
        ("colour", "unknown-field"),
        ("ville", "missing-field"),
        ("code_postal", "invalid-field"),
        ("site_web", "invalid-field"),
    ]
    assert str(problems[1]) == "ville: required"
    assert validate_record(lieu, {"nom": "Le WIP", "ville": "Colombelles"}) == []


def test_validate_record_reads_values_without_their_comments(lieu: Mapping) -> None:
    """As the template receives them: a note after a value is no fault, a hint alone is no
    value, an unclosed comment hides the rest, and a fault stays a fault."""
    fields = {"nom": "Le WIP <!-- nom d'usage -->", "ville": "<!-- la ville -->",
              "code_postal": "14000 <!-- à vérifier -->",
              "site_web": "<!-- https:// --> le-wip.com"}
    problems = validate_record(lieu, fields)
    assert [(p.field, p.code) for p in problems] == [
        ("ville", "missing-field"), ("site_web", "invalid-field")]
    assert validate_record(lieu, {"nom": "X", "ville": "Caen", "site_web": "<!-- https://"}) \
        == []
    assert validate_record(lieu, {"nom": "X", "ville": "Caen",
                                  "code_postal": "1446 <!-- x -->"})[0].code == "invalid-field"


def test_validate_record_for_a_wiki_only_requires_its_fields(tmp_path: Path) -> None:
    text = GOOD.replace('ville: "villes d\'implantation", ', "")
    lieu = load_mapping(write(tmp_path, text), WIKIS)
    assert validate_record(lieu, {"nom": "X"}, wiki="fabmob") == []
    assert [p.field for p in validate_record(lieu, {"nom": "X"}, wiki="movilab")] == ["ville"]


# --------------------------------------------------------------------------- titles and params


def test_title_for(lieu: Mapping) -> None:
    assert lieu.title_for({"nom": "  Le   WIP "}) == "Le WIP"
    with pytest.raises(InputError) as missing:
        lieu.title_for({"ville": "Colombelles"})
    assert "'nom'" in str(missing.value)
    with pytest.raises(InputError) as bad:
        lieu.title_for({"nom": "A [[b]]"})
    assert "cannot be a page title" in str(bad.value)


def test_param_names_with_accents_apostrophes_and_underscores() -> None:
    assert same_param("villes d'implantation", "villes_d'implantation")
    assert same_param("villes d'implantation", "Villes d'implantation")
    assert same_param("Code postal", "code_postal")
    assert same_param("Thème", "the\u0300me")  # decomposed accent (NFD) equals composed
    assert same_param("Coordonnées géo", "  Coordonnées   géo ")
    assert not same_param("villes d'implantation", "villes d’implantation")
    assert not same_param("Thème", "Theme")
    assert not same_param("Code postal", "Code Postal")
    assert param_key("Élan") == "élan"
    assert template_key("Modèle:Tiers-Lieux") == template_key("tiers-Lieux")


def test_from_params_and_to_params_round_trip(lieu: Mapping) -> None:
    page_params = {
        "Titre": "Konk Ar Lab ",
        "Villes_d'implantation": "Concarneau",
        "theme": "Fablab,Tiers-lieu",
        "pageCo": "https://www.communecter.org/#@x",
    }
    fields = lieu.from_params("fabmob", page_params)
    assert fields == {"nom": "Konk Ar Lab", "ville": "Concarneau", "themes": "Fablab,Tiers-lieu"}
    assert lieu.to_params("fabmob", fields) == {
        "Titre": "Konk Ar Lab",
        "villes d'implantation": "Concarneau",
        "Theme": "Fablab,Tiers-lieu",
    }
    movilab = lieu.to_params("movilab", {"nom": "Le WIP", "code_postal": "14460"})
    assert movilab == {"Titre": "Le WIP", "Code postal": "14460"}
    assert lieu.to_params("fabmob", {"code_postal": "14460"}) == {}


def test_to_params_refuses_unknown_fields_and_wikis(lieu: Mapping) -> None:
    with pytest.raises(InputError) as field_error:
        lieu.to_params("fabmob", {"vile": "Caen"})
    assert "did you mean 'ville'" in str(field_error.value)
    with pytest.raises(UsageError) as wiki_error:
        lieu.from_params("movilb", {})
    assert "did you mean 'movilab'" in str(wiki_error.value)


def test_template_and_field_lookup(lieu: Mapping) -> None:
    movilab = lieu.wikis["movilab"]
    assert movilab.is_template("Tiers-Lieux")
    assert movilab.is_template("tiers_Lieux")
    assert movilab.is_template("Tiers Lieux")  # an alias
    assert not movilab.is_template("Acteur")
    assert lieu.wikis["fabmob"].field_for("Villes_d'implantation") == "ville"
    assert lieu.wikis["fabmob"].field_for("pageCo") is None
    assert movilab.param_for("code_postal") == "Code postal"
    assert lieu.wikis["fabmob"].param_for("code_postal") is None


def test_is_ignored(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, GOOD + "ignore: [La Fabrique des Mobilités]\n"))
    assert mapping.is_ignored("la_Fabrique des Mobilités")
    assert not mapping.is_ignored("La Myne")


@given(st.lists(st.text(min_size=1).filter(lambda t: "," not in t and t.strip())))
def test_split_list_reads_back_join_list(items: list[str]) -> None:
    assert split_list(join_list(items)) == [item.strip() for item in items]
    assert split_list(join_list(items, ",")) == [item.strip() for item in items]


@settings(max_examples=300, deadline=None)
@given(type_=st.sampled_from(["text", "url", "date", "list", "email", "number", "choice"]),
       pattern=st.sampled_from([None, "[0-9]{5}", "[A-Z].*"]),
       choices=st.sampled_from([(), ("Oui", "Non"), ("Vélo", "Données ouvertes")]),
       value=st.sampled_from(["", " ", "oui", "Vélo, données ouvertes", "69001", "x y",
                              "https://tl.example.org/", "2024-02-30", "a@b.fr", "12,5",
                              "Lyon", "vélo,", "NON"]))
def test_a_field_said_to_take_any_value_finds_no_problem_in_any(type_, pattern, choices, value):
    """``any_value`` lets the audit skip a field's checks: it must never skip a problem."""
    if type_ == "choice" and not choices:
        choices = ("Oui",)
    spec = FieldSpec("f", type=type_, pattern=pattern, choices=choices)
    if spec.any_value:
        assert validate_value(spec, value) is None
