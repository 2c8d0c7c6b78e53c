"""Layout changes a person makes to a synced list never plan an addition or a removal (issue 10).

Pure: the list reader, the planner and the removal guard on page texts, no wiki.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wikisync import wikitext
from wikisync.errors import ListStopped
from wikisync.lists import LinkContext, to_list_entry
from wikisync.listsync import ListPage, ListRead, check_removals
from wikisync.model import Page
from wikisync.planner import plan_list

CTX = LinkContext()
NAMES = ["Le WIP", "La Myne", "Konk Ar Lab", "L'Atelier ’Vélo’", "Tiers-lieu d’Écomobilité",
         "Les Ateliers & Cie 🚲", "Gare Vivante", "La Machinerie"]


def page(body: str) -> str:
    return f"Intro.\n== Tiers Lieux intéressés ==\n{body}\n=== En projet ===\n* [[Autre]]\n"


def entries(text: str, wiki: str = "fabmob"):
    return [to_list_entry(r, wiki, CTX)
            for r in wikitext.read_list(text, "Tiers Lieux intéressés").entries]


@st.composite
def lists(draw):
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    lines = []
    for name in names:
        plain = draw(st.booleans())
        head = name if plain and "'" not in name else f"[[{name}]]"
        note = draw(st.sampled_from(["", " – Caen", " (14)", ", Lyon : à relancer"]))
        kids = draw(st.sampled_from([[], ["** contact : Prénom"], [": contact : x"]]))
        lines.append((head, note, kids))
    return lines


def wrap(lines, layout: str, decorate: str) -> str:
    """The same entries in another layout."""
    out = []
    for head, note, kids in lines:
        if decorate == "icon":
            head = f"[[Fichier:Logo.png|20px]] {head}"
        elif decorate == "bold":
            head = f"'''{head}'''"
        elif decorate == "span":
            head = f'<span style="color:green">{head}</span>'
        out.append("\n".join([f"* {head}{note}", *kids]))
    body = "\n".join(out)
    if layout == "div":
        return f'Des lieux :\n<div style="column-count:2">\n{body}\n</div>'
    if layout == "colonnes":
        return f"{{{{colonnes|nombre=2|\n{body}\n}}}}"
    if layout == "table":
        return f'{{| class="wikitable"\n|-\n|\n{body}\n| autre cellule\n|}}'
    return body


@given(lists(), st.sampled_from(["plain", "div", "colonnes", "table"]),
       st.sampled_from(["none", "icon", "bold", "span"]))
def test_a_layout_change_that_keeps_every_entry_plans_no_addition_or_removal(
    lines, layout, decorate
):
    before = entries(page(wrap(lines, "plain", "none")))
    base = {e.key: e for e in before}
    after = entries(page(wrap(lines, layout, decorate)))
    assert [e.key for e in after] == [e.key for e in before]
    plan = plan_list({"fabmob": after, "movilab": before}, base)
    for page_plan in plan.pages.values():
        assert page_plan.add == () and page_plan.remove == ()


def read(texts: dict[str, str], base) -> ListRead:
    pages = {}
    for wiki, text in texts.items():
        listing = wikitext.read_list(text, "Tiers Lieux intéressés")
        found = [to_list_entry(r, wiki, CTX) for r in listing.entries]
        pages[wiki] = ListPage(wiki, Page("P", text, 1), "Tiers Lieux intéressés",
                               list(listing.entries), found, list(range(len(found))), listing)
    plan = plan_list({w: lp.entries for w, lp in pages.items()}, base)
    return ListRead("l", pages, plan)


HIDDEN = {
    "gallery": "<gallery>\nlogo.jpg|[[{name}]] (Caen)\n</gallery>",
    "definition": "; [[{name}]] : Caen",
    "pre": " * [[{name}]] – Caen",
    "sub-section": "",  # moved under the sub-heading (still in the section)
}


@given(lists(), st.sampled_from(sorted(HIDDEN)))
def test_an_entry_moved_where_the_reader_cannot_see_it_stops_the_list(lines, how):
    before = page(wrap(lines, "plain", "none"))
    base = {e.key: e for e in entries(before)}
    head, _note, _kids = lines[0]
    name = head.strip("[]")
    kept = wrap(lines[1:], "plain", "none")
    if how == "sub-section":
        moved = page(kept).replace("* [[Autre]]", f"* [[Autre]]\n* [[{name}]]")
    else:
        moved = page(kept + "\n" + HIDDEN[how].format(name=name))
    listing = read({"fabmob": moved, "movilab": before}, base)
    assert listing.plan.pages["movilab"].remove  # the planner alone would remove it...
    try:
        check_removals(listing, CTX)
    except ListStopped as exc:
        assert name in str(exc) or repr(name) in str(exc)
    else:
        raise AssertionError("a removal was planned for an entry that still stands")


def test_an_entry_really_gone_is_removed():
    lines = [("[[Le WIP]]", " – Caen", []), ("[[La Myne]]", "", [])]
    before = page(wrap(lines, "plain", "none"))
    base = {e.key: e for e in entries(before)}
    after = page(wrap(lines[1:], "plain", "none"))
    listing = read({"fabmob": after, "movilab": before}, base)
    check_removals(listing, CTX)  # no error
    assert listing.plan.pages["movilab"].remove == ("Le WIP",)
