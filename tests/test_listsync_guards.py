"""The guard before additions, on in-memory wikis: an entry is added to a page only when its
lieu stands nowhere in that page's list section. A page that names the lieu where the reader
does not take it as an entry (a table cell, a ``;``/``:`` line, an ``<li>``, a sub-bullet, a
template, another entry's annotation) stops the list: exit 1, the wiki, page and line named,
and no page of the list written, on the first run (no state) as in the steady state.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.test_listsync_fake import CONFIG, REPO, SECTION, TITLES
from wikisync.app import App
from wikisync.config import load_config
from wikisync.errors import EXIT_FAILED, ListStopped
from wikisync.listsync import sync_list
from wikisync.memwiki import MemoryWiki
from wikisync.state import State

LIEUX = ("Le WIP", "La Myne", "Konk Ar Lab")
BULLETS = "* [[Le WIP]] – Caen\n* [[La Myne]]\n"


def page(body: str) -> str:
    return f"Intro.\n\n== {SECTION} ==\n{body}\n== Contacts ==\nTexte."


def line_number(body: str, line: str) -> int:
    """The page line of ``line`` of ``body`` (1-based, as the message counts)."""
    return page(body).split("\n").index(line) + 1


class Wikis:
    """Two in-memory wikis holding the list's pages and the lieux's pages, and the list's
    state."""

    def __init__(self, fabmob: str, movilab: str) -> None:
        folder = Path(tempfile.mkdtemp())
        (folder / "wikisync.yaml").write_text(CONFIG % (REPO / "mappings"))
        config = load_config(folder / "wikisync.yaml")
        self.wikis = {name: MemoryWiki(name) for name in TITLES}
        for name, wiki in self.wikis.items():
            for lieu in LIEUX:
                wiki.put(lieu, "{{Acteur}}")
            wiki.put(TITLES[name], page(fabmob if name == "fabmob" else movilab))
        self.app = App(config, _sites=dict(self.wikis))
        self.state = State(folder / "state")
        self.lst = config.list_named("tl")

    def sync(self):
        for wiki in self.wikis.values():
            wiki.new_run()
        return sync_list(self.app, self.lst, self.state, dry_run=False, allow_empty=False)

    def text(self, name: str) -> str:
        return self.wikis[name].text(TITLES[name])

    def edit(self, name: str, old: str, new: str) -> None:
        text = self.text(name)
        assert old in text
        self.wikis[name].put(TITLES[name], text.replace(old, new, 1))

    def snapshot(self) -> dict[tuple[str, str], str]:
        return {(name, title): wiki.text(title) for name, wiki in self.wikis.items()
                for title in (TITLES[name], *LIEUX)}

    def edits(self) -> int:
        return sum(wiki.counts["edit"] for wiki in self.wikis.values())


def stops(wikis: Wikis) -> ListStopped:
    """Sync, expecting the list to stop with nothing written (no page, no state)."""
    before, base = wikis.snapshot(), wikis.state.list_base("tl")
    with pytest.raises(ListStopped) as caught:
        wikis.sync()
    assert wikis.snapshot() == before  # every page byte for byte
    assert wikis.edits() == 0
    assert wikis.state.list_base("tl") == base
    return caught.value


def assert_names_the_line(exc: ListStopped, wiki: str, lieu: str, body: str, line: str) -> None:
    assert exc.exit_code == EXIT_FAILED == 1
    assert exc.wiki == wiki
    message = str(exc)
    assert repr(lieu) in message
    assert repr(TITLES[wiki]) in message
    assert f"line {line_number(body, line)}: {line.strip()!r}" in message
    assert "nothing written" in message
    assert f"* [[{lieu}]]" in exc.hint


# ----------------------------------------------------------------------- first run (no state)

#: FabMob's section: Le WIP (and La Myne) written where the reader takes no entry, or not as
#: the key Movilab's bullets give; the first line naming Le WIP.
FIRST_RUN = {
    "table": ('{| class="wikitable"\n|-\n| [[Le WIP]] || Caen\n|-\n| [[La Myne]] ||\n|}\n',
              "| [[Le WIP]] || Caen"),
    "definition": ("; Normandie\n: [[Le WIP]] – Caen\n: [[La Myne]]\n", ": [[Le WIP]] – Caen"),
    "html list": ("<ul><li>[[Le WIP]] – Caen</li><li>[[La Myne]]</li></ul>\n",
                  "<ul><li>[[Le WIP]] – Caen</li><li>[[La Myne]]</li></ul>"),
    "regions": ("* Normandie\n** [[Le WIP]] – Caen\n* Rhône\n** [[La Myne]]\n",
                "** [[Le WIP]] – Caen"),
    "template": ("* {{Lien|Le WIP}} – Caen\n* [[La Myne]]\n", "* {{Lien|Le WIP}} – Caen"),
}


@pytest.mark.parametrize("layout", sorted(FIRST_RUN))
def test_first_run_a_lieu_the_page_names_outside_its_entries_stops_the_list(layout):
    body, line = FIRST_RUN[layout]
    wikis = Wikis(fabmob=body, movilab=BULLETS)
    exc = stops(wikis)
    assert_names_the_line(exc, "fabmob", "Le WIP", body, line)


def test_first_run_regions_copy_nothing_to_the_other_wiki():
    """The regions would be copied to Movilab as lieux: the list stops on FabMob, where the
    lieux stand in sub-bullets, and Movilab is not written either."""
    body = FIRST_RUN["regions"][0]
    wikis = Wikis(fabmob=body, movilab=BULLETS)
    stops(wikis)
    assert "Normandie" not in wikis.text("movilab")
    assert wikis.text("movilab") == page(BULLETS)


def test_first_run_the_template_form_is_caught_on_either_page():
    """``{{Lien|Le WIP}}`` on Movilab, ``[[Le WIP]]`` on FabMob: the list stops on Movilab."""
    body = "* {{Lien|Le WIP}} – Caen\n* [[La Myne]]\n"
    wikis = Wikis(fabmob=BULLETS, movilab=body)
    exc = stops(wikis)
    assert_names_the_line(exc, "movilab", "Le WIP", body, "* {{Lien|Le WIP}} – Caen")


# ----------------------------------------------------------------------- steady state

#: A person writes Konk Ar Lab on FabMob where the reader takes no entry for it, while a
#: person on Movilab adds it as a bullet.
STEADY = {
    "table": ('{| class="wikitable"\n|-\n| [[Konk Ar Lab]] || Concarneau\n|}\n',
              "| [[Konk Ar Lab]] || Concarneau"),
    "definition": ("; [[Konk Ar Lab]] : en discussion\n", "; [[Konk Ar Lab]] : en discussion"),
    "html list": ("<ul><li>[[Konk Ar Lab]] – Concarneau</li></ul>\n",
                  "<ul><li>[[Konk Ar Lab]] – Concarneau</li></ul>"),
    "region": ("* Bretagne\n** [[Konk Ar Lab]] – Concarneau\n", "** [[Konk Ar Lab]] – Concarneau"),
    "template": ("* {{Lien|Konk Ar Lab}} – Concarneau\n", "* {{Lien|Konk Ar Lab}} – Concarneau"),
    "plain name in prose": ("Aussi en discussion : Konk Ar Lab, à Concarneau.\n",
                            "Aussi en discussion : Konk Ar Lab, à Concarneau."),
}


@pytest.mark.parametrize("layout", sorted(STEADY))
def test_steady_state_a_lieu_the_page_names_outside_its_entries_stops_the_list(layout):
    hidden, line = STEADY[layout]
    wikis = Wikis(fabmob=BULLETS, movilab=BULLETS)
    assert wikis.sync().changes == []  # the state now knows both entries
    wikis.edit("fabmob", "* [[La Myne]]\n", "* [[La Myne]]\n" + hidden)
    wikis.edit("movilab", "* [[La Myne]]\n", "* [[La Myne]]\n* [[Konk Ar Lab]] – Concarneau\n")
    exc = stops(wikis)
    assert_names_the_line(exc, "fabmob", "Konk Ar Lab", BULLETS + hidden, line)


def test_steady_state_a_lieu_named_in_another_entrys_annotation_stops_the_list():
    consortium = "* [[Le WIP]] et [[Konk Ar Lab]] (consortium)\n* [[La Myne]]\n"
    wikis = Wikis(fabmob=consortium, movilab=consortium)
    assert wikis.sync().changes == []
    wikis.edit("movilab", "* [[La Myne]]\n", "* [[La Myne]]\n* [[Konk Ar Lab]] – Concarneau\n")
    exc = stops(wikis)
    assert_names_the_line(exc, "fabmob", "Konk Ar Lab", consortium,
                          "* [[Le WIP]] et [[Konk Ar Lab]] (consortium)")


# ----------------------------------------------------------------------- what still goes through

def test_first_run_a_lieu_nowhere_on_the_receiving_page_is_added():
    hidden = '{| class="wikitable"\n|-\n| [[La Myne]] || Villeurbanne\n|}\n'
    wikis = Wikis(fabmob="* [[Le WIP]] – Caen\n" + hidden,
                  movilab="* [[Le WIP]] – Caen\n* [[Konk Ar Lab]] – Concarneau\n")
    result = wikis.sync()
    assert [c.wiki for c in result.changes] == ["fabmob"]
    assert wikis.text("fabmob") == page(
        "* [[Le WIP]] – Caen\n* [[Konk Ar Lab]] – Concarneau\n" + hidden)
    assert wikis.sync().changes == []


def test_steady_state_a_lieu_nowhere_on_the_receiving_page_is_added():
    wikis = Wikis(fabmob=BULLETS + "; Bretagne : à venir\n", movilab=BULLETS)
    wikis.sync()
    wikis.edit("movilab", "* [[La Myne]]\n", "* [[La Myne]]\n* [[Konk Ar Lab]] – Concarneau\n")
    result = wikis.sync()
    assert [c.wiki for c in result.changes] == ["fabmob"]
    assert wikis.text("fabmob") == page(
        "* [[Le WIP]] – Caen\n* [[La Myne]]\n* [[Konk Ar Lab]] – Concarneau\n"
        "; Bretagne : à venir\n")
    assert wikis.sync().changes == []


def test_a_common_name_in_an_annotation_stops_and_the_hinted_bullet_lets_it_through():
    """A plain entry whose name is a word of another entry's annotation stops the list (in
    doubt): the hint's bullet, written by a person, makes the pages agree, and the sync goes on.
    """
    prose = "* [[Le WIP]] – Caen, près de Lyon\n"
    wikis = Wikis(fabmob=prose, movilab=prose + "* Lyon : 3 lieux\n")
    exc = stops(wikis)
    assert exc.wiki == "fabmob"
    assert f"line {line_number(prose, prose.strip())}: {prose.strip()!r}" in str(exc)
    assert "(* Lyon)" in exc.hint
    wikis.edit("fabmob", prose, prose + "* Lyon : 3 lieux\n")
    assert wikis.sync().changes == []
    assert wikis.text("fabmob") == wikis.text("movilab")


def test_a_bullet_without_a_name_is_no_word_found_on_every_line():
    """An empty bullet's key is "": it is no name to look for (it would match every line)."""
    wikis = Wikis(fabmob="* [[Le WIP]] – Caen\n*\n", movilab="* [[Le WIP]] – Caen\n")
    result = wikis.sync()
    assert [c.wiki for c in result.changes] == ["movilab"]


# ------------------------------------------------- near namesakes: one place, two spellings

#: (the entry on FabMob's page, the entry on Movilab's): titles that differ only by an
#: apostrophe, case, an accent or punctuation, which MediaWiki keeps as two pages.
NAMESAKES = {
    "apostrophe": ("L'Atelier du Vélo", "L’Atelier du Vélo"),
    "case": ("Le WIP", "Le Wip"),
    "accent": ("La Fabrique du Végétal", "La Fabrique du Vegetal"),
    "hyphen": ("Tiers-lieu de Gex", "Tiers lieu de Gex"),
}


@pytest.mark.parametrize("variant", sorted(NAMESAKES))
def test_first_run_a_near_namesake_stops_the_list_naming_its_line(variant):
    """Each page lists the place under its own spelling: a sync would write each spelling on
    the other page, the same place twice on both. It stops instead, naming the line."""
    ours, theirs = NAMESAKES[variant]
    fabmob = f"* [[{ours}]] – Caen\n* [[La Myne]]\n"
    wikis = Wikis(fabmob=fabmob, movilab=f"* [[{theirs}]] – Caen\n* [[La Myne]]\n")
    exc = stops(wikis)
    assert exc.exit_code == EXIT_FAILED
    assert exc.wiki == "fabmob"
    message = str(exc)
    assert f"{theirs!r} is to be added to {TITLES['fabmob']!r}" in message
    line = f"* [[{ours}]] – Caen"
    assert f"line {line_number(fabmob, line)}: {line!r}" in message
    assert "same:" in exc.hint


def test_steady_state_a_near_namesake_added_on_one_wiki_stops_the_list():
    wikis = Wikis(fabmob=BULLETS, movilab=BULLETS)
    wikis.sync()
    wikis.edit("movilab", "* [[La Myne]]\n", "* [[La Myne]]\n* [[Le Wip]] – Colombelles\n")
    exc = stops(wikis)
    assert exc.wiki == "fabmob"
    assert f"line {line_number(BULLETS, '* [[Le WIP]] – Caen')}: '* [[Le WIP]] – Caen'" \
        in str(exc)


def test_a_link_renamed_to_a_near_namesake_travels_as_a_rename():
    """The entry that differs only by spelling leaves the page in the same run: a rename,
    not a second entry."""
    wikis = Wikis(fabmob=BULLETS, movilab=BULLETS)
    wikis.sync()
    wikis.edit("movilab", "* [[Le WIP]] – Caen\n", "* [[Le Wip]] – Caen\n")
    result = wikis.sync()
    assert [c.wiki for c in result.changes] == ["fabmob"]
    fabmob = wikis.text("fabmob")
    assert "[[Le WIP]]" not in fabmob and fabmob.count("Le Wip") == 1
    assert wikis.sync().changes == []


def test_a_same_pair_makes_near_namesakes_one_entry():
    """With the two titles named as one lieu in the mapping's ``same:``, the pages agree as
    they are: nothing is added, nothing stops."""
    import shutil

    folder = Path(tempfile.mkdtemp())
    shutil.copytree(REPO / "mappings", folder / "mappings")
    with open(folder / "mappings" / "lieu.yaml", "a", encoding="utf-8") as mapping:
        mapping.write('\nsame: [{fabmob: "L\'Atelier du Vélo", movilab: "L’Atelier du Vélo"}]\n')
    (folder / "wikisync.yaml").write_text(CONFIG % (folder / "mappings"))
    wikis = Wikis(fabmob="* [[L'Atelier du Vélo]] – Caen\n* [[La Myne]]\n",
                  movilab="* [[L’Atelier du Vélo]] – Caen\n* [[La Myne]]\n")
    config = load_config(folder / "wikisync.yaml")
    wikis.app = App(config, _sites=dict(wikis.wikis))
    wikis.lst = config.list_named("tl")
    before = wikis.snapshot()
    assert wikis.sync().changes == []
    assert wikis.snapshot() == before


def test_titles_with_nothing_to_fold_are_no_namesakes():
    """Two names with no letter or digit fold to "": that is no likeness."""
    wikis = Wikis(fabmob="* [[Le WIP]] – Caen\n* 🚲\n", movilab="* [[Le WIP]] – Caen\n* 🛴\n")
    result = wikis.sync()
    assert sorted(c.wiki for c in result.changes) == ["fabmob", "movilab"]
    assert "🛴" in wikis.text("fabmob") and "🚲" in wikis.text("movilab")


@pytest.mark.parametrize("written", ["Les%20Ateliers%20%26%20Cie", "Les Ateliers &amp; Cie",
                                     "Les_Ateliers_&#38;_Cie"])
def test_a_link_written_with_escapes_or_references_is_the_entry_it_names(written):
    """``[[Les Ateliers &amp; Cie]]`` links to "Les Ateliers & Cie", as MediaWiki reads it:
    the same entry as ``[[Les Ateliers & Cie]]`` on the other page, nothing to add."""
    wikis = Wikis(fabmob=f"* [[Le WIP]] – Caen\n* [[{written}]] – Lyon\n",
                  movilab="* [[Le WIP]] – Caen\n* [[Les Ateliers & Cie]] – Lyon\n")
    before = wikis.snapshot()
    assert wikis.sync().changes == []
    assert wikis.snapshot() == before
