"""The state is a cache (issue 13), on in-memory wikis: the merge base rebuilt from the list
pages' histories, and what tells a state made against other pages."""

from __future__ import annotations

from tests.test_listsync_fake import AFTER, BEFORE, CONFIG, REPO, SECTION, TITLES
from wikisync import wikitext
from wikisync.app import App
from wikisync.config import load_config
from wikisync.memwiki import MemoryWiki
from wikisync.model import Page
from wikisync.provenance import _page_problem, base_from_history
from wikisync.state import State


def setup(tmp_path, lists: dict[str, list[str]]):
    (tmp_path / "wikisync.yaml").write_text(CONFIG % (REPO / "mappings"))
    config = load_config(tmp_path / "wikisync.yaml")
    wikis = {name: MemoryWiki(name) for name in TITLES}
    for name, keys in lists.items():
        wikis[name].put(TITLES[name], text(keys))
    return App(config, _sites=dict(wikis)), wikis, config.list_named("tl")


def text(keys: list[str]) -> str:
    return BEFORE + "".join(f"* [[{k}]]\n" for k in keys) + AFTER


def keys(wiki: MemoryWiki) -> list[str]:
    return [r.text.strip("*[] \n") for r in
            wikitext.read_list(wiki.text(TITLES[wiki.name]), SECTION).entries]


def bot_save(wiki: MemoryWiki, keys_: list[str], summary: str = "wikisync: +1 (x)") -> None:
    page = wiki.read([TITLES[wiki.name]])[TITLES[wiki.name]]
    wiki.save(page, text(keys_), summary)


def test_no_wikisync_edit_in_the_histories_is_a_first_run(tmp_path):
    app, _wikis, lst = setup(tmp_path, {"fabmob": ["A"], "movilab": ["B"]})
    assert base_from_history(app, lst, State(tmp_path / "state")) is None


def test_the_base_is_the_list_every_page_held_at_wikisyncs_last_save(tmp_path):
    app, wikis, lst = setup(tmp_path, {"fabmob": ["A", "B", "X"], "movilab": ["A", "B"]})
    bot_save(wikis["movilab"], ["A", "B", "X"])  # the last sync copied X to movilab
    wikis["fabmob"].clock = wikis["movilab"].clock  # one clock for both wikis
    wikis["fabmob"].put(TITLES["fabmob"], text(["A", "B"]))  # then a person removed X
    base = base_from_history(app, lst, State(tmp_path / "state"))
    assert list(base.entries) == ["A", "B", "X"]  # so X's removal is a removal


def test_an_entry_only_some_pages_held_then_is_not_in_the_base(tmp_path):
    """A save that did not carry what another page had (a person's edit in between): the
    entry is added where it is missing, never removed where it is."""
    app, wikis, lst = setup(tmp_path, {"fabmob": ["A", "Y"], "movilab": ["A"]})
    bot_save(wikis["movilab"], ["A", "Z"])
    base = base_from_history(app, lst, State(tmp_path / "state"))
    assert list(base.entries) == ["A"]


def test_a_person_using_wikisyncs_summary_with_another_account_is_not_wikisync(tmp_path):
    app, wikis, lst = setup(tmp_path, {"fabmob": ["A"], "movilab": ["A"]})
    revid = wikis["movilab"].put(TITLES["movilab"], text(["A", "B"])).revid
    wikis["movilab"].summaries[revid] = "wikisync: +1 (x)"  # by Contributrice
    assert base_from_history(app, lst, State(tmp_path / "state")) is None


def test_a_page_deleted_and_recreated_or_rewound_is_not_the_page_of_the_state():
    then = {"title": "Fabriques de Territoire", "pageid": 12, "revid": 40}
    assert _page_problem(then, Page("Fabriques de Territoire", revid=41, pageid=12)) is None
    assert "deleted and re-created" in _page_problem(
        then, Page("Fabriques de Territoire", revid=41, pageid=13))
    assert "older than revision 40" in _page_problem(
        then, Page("Fabriques de Territoire", revid=39, pageid=12))
    assert _page_problem(then, Page("Autre page", revid=1, pageid=99)) is None  # config changed
    assert _page_problem(None, Page("Fabriques de Territoire", revid=1, pageid=1)) is None


def test_a_persons_edit_in_the_second_of_wikisyncs_last_save_came_after_it(tmp_path):
    app, wikis, lst = setup(tmp_path, {"fabmob": ["A", "B", "X"], "movilab": ["A", "B"]})
    bot_save(wikis["movilab"], ["A", "B", "X"])
    saved = wikis["movilab"].pages[TITLES["movilab"]][-1].timestamp
    wikis["fabmob"].clock = wikis["movilab"].clock - 1  # the next tick is that same second
    removal = wikis["fabmob"].put(TITLES["fabmob"], text(["A", "B"]))
    assert removal.timestamp == saved
    base = base_from_history(app, lst, State(tmp_path / "state"))
    assert list(base.entries) == ["A", "B", "X"]  # X's removal stays a removal
