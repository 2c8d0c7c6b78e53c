"""The list reader against MediaWiki's own reading of the same wikitext, on a real wiki."""

from __future__ import annotations

import random

from tests.rendering import rendered_items
from tests.test_list_layouts import NAMES, entries, page, wrap
from tests.test_list_layouts_wikis import write_colonnes


def test_the_reader_finds_the_items_and_links_mediawiki_renders(wikis):
    """Generated lists in the layouts the reader knows (plain, in a column ``<div>``, in a
    ``{{colonnes|…}}`` template, in a table cell; with icons, bold or a ``<span>`` around the
    name; with sub-lines and continuation lines), rendered by MediaWiki itself: the entries
    the reader finds are its top-level list items, in order, each keyed by the article its
    first article link names, or, without one, by the words the item starts with. One
    combination is left out: a ``<span style=…>`` in ``{{colonnes|…}}`` puts an ``=`` in the
    template's one parameter, which MediaWiki then reads as a named parameter and shows
    nothing of."""
    write_colonnes(wikis)
    rng = random.Random(15)
    checked = 0
    while checked < 40:
        lines = []
        for name in rng.sample(NAMES, rng.randint(1, 6)):
            plain = rng.random() < 0.5 and "'" not in name
            lines.append((name if plain else f"[[{name}]]",
                          rng.choice(["", " – Caen", " (14)", ", Lyon : à relancer"]),
                          rng.choice([[], ["** contact : Prénom"], [": contact : x"]])))
        layout = rng.choice(["plain", "div", "colonnes", "table"])
        decorate = rng.choice(["none", "icon", "bold", "span"])
        if (layout, decorate) == ("colonnes", "span"):
            continue
        body = wrap(lines, layout, decorate)
        rendered = rendered_items(wikis.site("fabmob"), body)
        ours = entries(page(body))
        assert len(ours) == len(rendered), (body, ours, rendered)
        for entry, item in zip(ours, rendered, strict=True):
            if entry.linked:
                assert entry.key == item["link"], (body, entry, item)
            else:
                assert item["link"] is None, (body, entry, item)
                assert " ".join(item["text"].split()).startswith(entry.key), (body, entry, item)
        checked += 1


def test_an_equals_sign_in_a_templates_unnamed_parameter_hides_the_whole_list(wikis):
    """What the writer's refusal says (``edit_list`` refuses to write an "=" there): with an
    "=" in ``{{colonnes|…}}``'s unnamed parameter MediaWiki shows none of the list; with the
    parameter named (``1=``) it shows every item."""
    write_colonnes(wikis)
    unnamed = "{{colonnes|nombre=2|\n* [[Le WIP]] – Caen\n* Garage 2+2=4 – Brest\n}}"
    assert rendered_items(wikis.site("fabmob"), unnamed) == []
    named = unnamed.replace("nombre=2|\n", "nombre=2|1=\n")
    items = rendered_items(wikis.site("fabmob"), named)
    assert [item["link"] for item in items] == ["Le WIP", None]
