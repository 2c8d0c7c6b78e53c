"""One lieu, two titles: the mappings' ``same:`` pairs in keys, lists, the planner and the audit
(pure: no server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_audit import lieu_mapping, record
from wikisync import audit, wikitext
from wikisync.errors import ConfigError
from wikisync.identity import Identity, same_line
from wikisync.lists import LinkContext, render_entry, to_list_entry
from wikisync.mapping import load_mapping
from wikisync.planner import plan_list
from wikisync.titles import fold, normalize_title

PAIR = {"movilab": "Le WIP", "fabmob": "WIP Colombelles"}
URLS = {
    "fabmob": {"article_urls": ["https://wiki.lafabriquedesmobilites.fr/wiki/"],
               "interwiki": {"movilab": "movilab"}},
    "movilab": {"article_urls": ["https://movilab.org/wiki/"]},
}
CTX = LinkContext.from_data(URLS, [PAIR])


def key_of(line: str, wiki: str) -> str:
    return to_list_entry(wikitext.read_entry(line), wiki, CTX).key


def test_the_key_is_the_title_on_the_first_wiki_whatever_the_order_of_the_pair():
    same = Identity.from_pairs([PAIR], ["fabmob", "movilab"])
    assert same == Identity.from_pairs([dict(reversed(PAIR.items()))], ["fabmob", "movilab"])
    assert same.key("movilab", "Le_WIP") == same.key("fabmob", "wIP Colombelles") == (
        "WIP Colombelles")
    assert same.title_on("movilab", "WIP Colombelles") == "Le WIP"
    assert same.key("fabmob", "Le WIP") == "Le WIP"  # another page of fabmob: not the pair
    assert same.key(None, "Le WIP") == "WIP Colombelles"  # a plain name, a key of the state
    assert same.key("movilab", "La Myne") == "La Myne"


@pytest.mark.parametrize(("line", "wiki"), [
    ("* [[WIP Colombelles]] – Colombelles\n", "fabmob"),
    ("* [[Le WIP]] – Colombelles\n", "movilab"),
    ("* [[movilab:Le WIP|Le WIP]] – Colombelles\n", "fabmob"),
    ("* [https://movilab.org/wiki/Le_WIP Le WIP] – Colombelles\n", "fabmob"),
    ("* [https://wiki.lafabriquedesmobilites.fr/wiki/WIP_Colombelles WIP] – Colombelles\n",
     "movilab"),
    ("* Le WIP – Colombelles\n", "movilab"),
])
def test_every_way_of_naming_the_lieu_gives_one_key(line: str, wiki: str):
    assert key_of(line, wiki) == "WIP Colombelles"


def test_each_page_links_to_its_own_wikis_title():
    entry = to_list_entry(wikitext.read_entry("* [[Le WIP]] – Colombelles\n"), "movilab", CTX)
    both = {("fabmob", "WIP Colombelles"), ("movilab", "Le WIP")}
    has_page = lambda wiki, title: (wiki, title) in both  # noqa: E731
    assert render_entry(entry, "fabmob", has_page, CTX) == "* [[WIP Colombelles]] – Colombelles\n"
    assert render_entry(entry, "movilab", has_page, CTX) == "* [[Le WIP]] – Colombelles\n"
    only_movilab = lambda wiki, title: (wiki, title) == ("movilab", "Le WIP")  # noqa: E731
    assert render_entry(entry, "fabmob", only_movilab, CTX) == (
        "* [[movilab:Le WIP|Le WIP]] – Colombelles\n")


def test_the_planner_sees_one_lieu_not_two():
    fab = to_list_entry(wikitext.read_entry("* [[WIP Colombelles]] – Colombelles\n"), "fabmob",
                        CTX)
    mov = to_list_entry(wikitext.read_entry("* [[Le WIP]] – Colombelles\n"), "movilab", CTX)
    plan = plan_list({"fabmob": [fab], "movilab": [mov]}, None)
    assert all(page.is_empty for page in plan.pages.values())
    assert not plan.conflicts


def test_only_on_and_duplicate_see_one_record():
    titles = {"a": ["WIP Colombelles"], "b": ["Le WIP"]}
    same = Identity.from_pairs([{"a": "WIP Colombelles", "b": "Le WIP"}], ["a", "b"])
    assert audit.only_on_findings(["a", "b"], titles, same) == []
    assert audit.duplicate_findings(titles, same) == []
    assert len(audit.only_on_findings(["a", "b"], titles)) == 2  # without the pair: two lieux


def test_the_audit_suggests_the_same_line_for_records_that_agree_on_their_sync_fields():
    mapping = lieu_mapping()
    records = {"a": [record("a", "WIP Colombelles", ville="Colombelles", nom="WIP")],
               "b": [record("b", "Le WIP", ville="Colombelles", nom="Le WIP"),
                     record("b", "La Myne", ville="Villeurbanne")]}
    mapping = type(mapping)(**{**mapping.__dict__, "sync": ("ville", "code_postal")})
    findings = audit.only_on_findings(
        ["a", "b"], {w: [r.title for r in rs] for w, rs in records.items()},
        suggest=audit.likely_pairs(mapping, {
            w: [(r.title, [r.fields.get(f, "") for f in mapping.sync]) for r in rs]
            for w, rs in records.items()}))
    detail = {f.title: f.detail for f in findings}
    assert 'same: [{a: "WIP Colombelles", b: "Le WIP"}]' in detail["WIP Colombelles"]
    assert 'same: [{a: "WIP Colombelles", b: "Le WIP"}]' in detail["Le WIP"]
    assert "same:" not in detail["La Myne"]


def test_same_line_is_valid_yaml_for_the_mapping():
    assert same_line(PAIR) == 'same: [{movilab: "Le WIP", fabmob: "WIP Colombelles"}]'


def test_mapping_same_is_checked(tmp_path: Path):
    text = (Path(__file__).parents[1] / "mappings" / "lieu.yaml").read_text(encoding="utf-8")
    good = tmp_path / "lieu.yaml"
    good.write_text(text + '\nsame: [{fabmob: "WIP Colombelles", movilab: "Le WIP"}]\n',
                    encoding="utf-8")
    assert load_mapping(good).same == ({"fabmob": "WIP Colombelles", "movilab": "Le WIP"},)
    good.write_text(text + '\nsame:\n  - {fabmob: "WIP Colombelles", movilab: "Le WIP"}\n'
                    '  - {fabmob: "WIP Colombelles", movlab: "X"}\n  - {fabmob: "Seul"}\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_mapping(good)
    message = str(caught.value)
    assert "same[1].fabmob: 'WIP Colombelles' is already in same[0]" in message
    assert "same[1].movlab: not a wiki of this mapping" in message
    assert "same[2]: names one wiki" in message


def test_counterpart_parameters_and_same_items_merge_into_one_group():
    from wikisync.identity import record_identity
    from wikisync.model import Record

    fiche = Record("lieu", "movilab", "Le WIP", {}, None, {"fabmob": "WIP Colombelles"})
    same = record_identity([{"movilab": "Le WIP", "other": "WIP (autre)"}], [fiche],
                           ["fabmob", "movilab", "other"])
    assert len(same.groups) == 1
    assert same.key("other", "WIP (autre)") == same.key("movilab", "Le WIP") == "WIP Colombelles"


def test_a_mapping_reads_counterpart_parameters_by_the_parameter_name_rule():
    from wikisync.mapping import Mapping, WikiMapping

    mapping = Mapping("lieu", "{nom}", {}, {
        "fabmob": WikiMapping("Acteur"),
        "movilab": WikiMapping("Tiers-Lieux", counterparts={"fabmob": "Page FabMob"})})
    assert mapping.counterparts("movilab", {"page_FabMob": " WIP Colombelles "}) == {
        "fabmob": "WIP Colombelles"}
    assert mapping.counterparts("movilab", {"Page FabMob": ""}) == {}


def test_an_entry_still_named_under_another_wikis_title_stops_its_removal():
    from wikisync.listsync import mentions

    assert mentions("Voir aussi Le WIP, à Colombelles.\n", "WIP Colombelles", "movilab",
                    CTX) == (1, "Voir aussi Le WIP, à Colombelles.")
    assert mentions("Voir aussi [[Le WIP]].\n", "WIP Colombelles", "movilab", CTX) == (
        1, "Voir aussi [[Le WIP]].")
    assert mentions("Rien ici.\n", "WIP Colombelles", "movilab", CTX) is None


# --------------------------------------------------------------------------- groups, two passes

_NAMES = ["Le WIP", "le wip", "Le Wip", "La Myne", "la-myne", "L’Établi", "l'etabli", "Konk Ar Lab"]


def _groups_built_whole(titles, same):
    """The groups as they were built before the two passes: every record's, in one pass."""
    groups: dict[str, dict[str, list[str]]] = {}
    for wiki, names in titles.items():
        for title in names:
            key = same.key(wiki, title) if same is not None else title
            groups.setdefault(fold(key), {}).setdefault(wiki, []).append(title)
    return groups


def _duplicates_from_whole_groups(titles, same):
    """(wiki, title, reference) of each duplicate, read from every group built whole."""
    found = []
    for group in _groups_built_whole(titles, None).values():
        where: dict[str, list[tuple[str, str]]] = {}
        for wiki, names in group.items():
            for title in names:
                where.setdefault(same.key(wiki, title), []).append((wiki, title))
        keys = list(where)
        if len(keys) > 1:
            reference = max(keys, key=lambda k: (len(where[k]), -keys.index(k)))
            found.extend((w, normalize_title(t), normalize_title(where[reference][0][1]))
                         for k in keys if k != reference for w, t in where[k])
    return found


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from("abc"), st.lists(st.sampled_from(_NAMES), max_size=5),
                       min_size=1),
       st.lists(st.tuples(st.sampled_from(_NAMES), st.sampled_from(_NAMES)), max_size=2),
       st.permutations("abc"))
def test_only_on_and_duplicates_find_what_groups_built_whole_show(titles, pairs, order):
    wikis = list(order[:2])  # the titles may name a wiki outside the mapping's
    same = Identity.from_pairs([{"a": x, "b": y} for x, y in pairs], ["a", "b", "c"])
    lacking = {key: group for key, group in _groups_built_whole(titles, same).items()
               if any(group.get(w) for w in wikis) and not all(group.get(w) for w in wikis)}
    assert audit._lacking_groups(wikis, titles, same) == lacking
    found = [(f.wiki, f.title, f.detail.split("« ")[1].split(" »")[0])
             for f in audit.duplicate_findings(titles, same)]
    assert found == _duplicates_from_whole_groups(titles, same)
