"""Title normalisation from a French wiki's siteinfo (as MediaWiki 1.39 answers it)."""

from __future__ import annotations

import pytest

from wikisync.siteinfo import TitleRules

SITEINFO = {
    "namespaces": {
        "0": {"id": 0, "name": "", "case": "first-letter"},
        "2": {"id": 2, "name": "Utilisateur", "canonical": "User", "case": "first-letter"},
        "10": {"id": 10, "name": "Modèle", "canonical": "Template", "case": "first-letter"},
        "14": {"id": 14, "name": "Catégorie", "canonical": "Category", "case": "first-letter"},
        "102": {"id": 102, "name": "Attribut", "canonical": "Property", "case": "case-sensitive"},
    },
    "namespacealiases": [{"id": 2, "alias": "Utilisatrice"}, {"id": 6, "alias": "Image"}],
}
RULES = TitleRules.from_siteinfo(SITEINFO)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("modèle:tiers-Lieux", "Modèle:Tiers-Lieux"),
        ("Template:Acteur", "Modèle:Acteur"),
        ("template:acteur", "Modèle:Acteur"),
        ("MODÈLE:Acteur", "Modèle:Acteur"),
        ("Utilisatrice:contributrice", "Utilisateur:Contributrice"),
        ("le_WIP", "Le WIP"),
        ("Projet:Mobilité douce", "Projet:Mobilité douce"),  # not a namespace here
        ("attribut:a le type", "Attribut:a le type"),  # case-sensitive namespace
        ("Cafe\u0301 ’Vélo'", "Café ’Vélo'"),  # NFC
        (":Catégorie:Acteur", "Catégorie:Acteur"),
    ],
)
def test_normalize(title, expected):
    assert RULES.normalize(title) == expected


@pytest.mark.parametrize("name", ["Acteur", "Category:Acteur", "catégorie:acteur", "acteur"])
def test_category_names(name):
    assert RULES.in_namespace(name, 14) == "Catégorie:Acteur"


def test_the_real_wiki_agrees(wikis):
    site = wikis.site("fabmob")
    rules = site.titles()
    titles = ["template:acteur", "Modèle:project", "category:Acteur", "le_WIP", "image:x.png"]
    pages = site.read(titles)
    for title in titles:  # MediaWiki's own normalisation, missing pages included
        assert rules.normalize(title) == pages[title].title
    assert rules.normalize("template:acteur") == "Modèle:Acteur"
    assert site.read(["template:acteur"])["template:acteur"].title == "Modèle:Acteur"
    assert site.category_title("acteur") == "Catégorie:Acteur"
