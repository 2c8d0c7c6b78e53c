"""The list sync executor (read, plan, render, edit, state) on in-memory wikis, driven by random
people: after every sync all pages agree except on reported conflicts, the text around the
section never changes, and a second sync writes nothing."""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from wikisync import wikitext
from wikisync.app import App
from wikisync.config import load_config
from wikisync.lists import to_list_entry
from wikisync.listsync import link_context, sync_list
from wikisync.memwiki import MemoryWiki
from wikisync.state import State

REPO = Path(__file__).resolve().parents[1]
SECTION = "Tiers Lieux intéressés"
TITLES = {"fabmob": "AMI Fabriques de Territoires", "movilab": "Fabriques de Territoire"}
LIEUX = ["Le WIP", "La Myne", "Konk Ar Lab", "L'Atelier ’Vélo'", "Les Ateliers & Cie 🚲",
         "Lieu Fantôme"]
ON = {"fabmob": {"Le WIP", "La Myne", "Les Ateliers & Cie 🚲"},
      "movilab": {"Le WIP", "Konk Ar Lab", "L'Atelier ’Vélo'"}}
ANNOTATIONS = ["", " – Caen", " (Concarneau) – FNT", ", Plouhinec : à compléter"]
LEADS = ["", "'''", "''", "Le "]  # bold or italic around the link, or words before it


def line(lieu: str, note: str, lead: str = "") -> str:
    closing = lead if lead.startswith("'") else ""
    return f"* {lead}[[{lieu}]]{closing}{note}\n"

BEFORE = "Intro.\n\n== Autre ==\n* [[Pas une entrée]]\n\n== Tiers Lieux intéressés ==\n"
AFTER = "\n<!-- fin -->\n\n== Contacts ==\nTexte [[Catégorie:Alliance]]"
CONFIG = """
wikis:
  fabmob:
    api_url: https://fabmob.invalid/api.php
    username: Bot@wikisync
    password_env: NONE
    interwiki: {movilab: movilab}
  movilab:
    api_url: https://movilab.invalid/api.php
    username: Bot@wikisync
    password_env: NONE
mappings_dir: %s
state_dir: state
lists:
  tl:
    kind: lieu
    pages:
      fabmob: {title: "AMI Fabriques de Territoires", section: "Tiers Lieux intéressés"}
      movilab: {title: "Fabriques de Territoire", section: "Tiers Lieux intéressés"}
"""


class ListSyncOnFakeWikis(RuleBasedStateMachine):
    @initialize(first=st.lists(st.tuples(st.sampled_from(LIEUX), st.sampled_from(ANNOTATIONS)),
                               max_size=3))
    def start(self, first):
        import tempfile
        from pathlib import Path

        folder = Path(tempfile.mkdtemp())
        (folder / "wikisync.yaml").write_text(CONFIG % (REPO / "mappings"))
        config = load_config(folder / "wikisync.yaml")
        self.wikis = {name: MemoryWiki(name) for name in TITLES}
        for name, wiki in self.wikis.items():
            for lieu in ON[name]:
                wiki.put(lieu, "{{Acteur}}")
            lines = "".join(line(k, a) for k, a in dict(first).items())
            wiki.put(TITLES[name], BEFORE + lines + AFTER)
        self.app = App(config, _sites=dict(self.wikis))
        self.ctx = link_context(config)
        self.state = State(folder / "state")
        self.lst = config.list_named("tl")
        self.conflicts: set[str] = set()

    def entries(self, name: str) -> dict:
        listing = wikitext.read_list(self.wikis[name].text(TITLES[name]), SECTION)
        return {e.key: e.value for e in (to_list_entry(r, name, self.ctx) for r in listing.entries)}

    def _edit(self, name, remove=(), replace=None, append=()):
        wiki = self.wikis[name]
        text = wiki.text(TITLES[name])
        wiki.put(TITLES[name], wikitext.edit_list(text, SECTION, set(remove), replace or {},
                                                  list(append)))

    @rule(data=st.data(), lieu=st.sampled_from(LIEUX), note=st.sampled_from(ANNOTATIONS),
          lead=st.sampled_from(LEADS))
    def person_adds(self, data, lieu, note, lead):
        name = data.draw(st.sampled_from(sorted(self.wikis)))
        if lieu not in self.entries(name):
            self._edit(name, append=[line(lieu, note, lead)])

    @rule(data=st.data())
    def person_removes(self, data):
        name = data.draw(st.sampled_from(sorted(self.wikis)))
        count = len(self.entries(name))
        if count:
            self._edit(name, remove=[data.draw(st.integers(0, count - 1))])

    @rule(data=st.data(), note=st.sampled_from(ANNOTATIONS), lead=st.sampled_from(LEADS))
    def person_changes(self, data, note, lead):
        name = data.draw(st.sampled_from(sorted(self.wikis)))
        keys = list(self.entries(name))
        if keys:
            i = data.draw(st.integers(0, len(keys) - 1))
            self._edit(name, replace={i: line(keys[i], note, lead)})

    @rule()
    def sync(self):
        result = sync_list(self.app, self.lst, self.state, dry_run=False, allow_empty=True)
        self.conflicts = {c.key for c in result.conflicts}
        fab, mov = self.entries("fabmob"), self.entries("movilab")
        for key in set(fab) | set(mov):
            if key not in self.conflicts:
                assert fab.get(key) == mov.get(key), key
        edits = sum(w.counts["edit"] for w in self.wikis.values())
        again = sync_list(self.app, self.lst, self.state, dry_run=False, allow_empty=True)
        assert again.changes == []
        assert sum(w.counts["edit"] for w in self.wikis.values()) == edits

    @invariant()
    def text_outside_the_section_never_changes(self):
        if not hasattr(self, "wikis"):
            return
        for name, wiki in self.wikis.items():
            text = wiki.text(TITLES[name])
            assert text.startswith(BEFORE)
            assert text.endswith("\n\n== Contacts ==\nTexte [[Catégorie:Alliance]]")
            assert text.count("<!-- fin -->") == 1


ListSyncOnFakeWikis.TestCase.settings = settings(max_examples=150, stateful_step_count=15,
                                                 deadline=None)
test_list_sync_executor_on_fake_wikis = ListSyncOnFakeWikis.TestCase


CONTACTS_IN_A_DIV = ('* [[Le WIP]]\n<div style="background:#eef">\n== Contacts du réseau ==\n'
                     "* Paul Dupont – référent\n* [[Utilisateur:Marie|Marie]] – animatrice\n"
                     "</div>\n")


def _two_pages(fabmob: str, movilab: str):
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / "wikisync.yaml").write_text(CONFIG % (REPO / "mappings"))
    config = load_config(folder / "wikisync.yaml")
    wikis = {name: MemoryWiki(name) for name in TITLES}
    for name, wiki in wikis.items():
        for lieu in ("Le WIP", "La Myne"):
            wiki.put(lieu, "{{Acteur}}")
        body = fabmob if name == "fabmob" else movilab
        wiki.put(TITLES[name], BEFORE + body + AFTER)
    app = App(config, _sites=dict(wikis))
    return wikis, lambda: sync_list(app, config.list_named("tl"), State(folder / "state"),
                                    dry_run=False, allow_empty=False)


def test_the_next_section_written_inside_a_div_is_not_synced():
    wikis, sync = _two_pages(CONTACTS_IN_A_DIV, "")
    fabmob_before = wikis["fabmob"].text(TITLES["fabmob"])
    sync()
    assert wikis["fabmob"].text(TITLES["fabmob"]) == fabmob_before
    movilab = wikis["movilab"].text(TITLES["movilab"])
    assert [e.name for e in wikitext.read_list(movilab, SECTION).entries] == ["Le WIP"]
    assert movilab.replace("* [[Le WIP]]\n", "", 1) == BEFORE + AFTER
    assert "Paul Dupont" not in movilab and "Marie" not in movilab


def test_an_addition_next_to_a_heading_inside_a_div_stops_the_list_and_writes_nothing():
    import pytest

    from wikisync.errors import ListStopped

    wikis, sync = _two_pages(CONTACTS_IN_A_DIV, "* [[La Myne]]\n")
    before = {name: wiki.text(TITLES[name]) for name, wiki in wikis.items()}
    with pytest.raises(ListStopped) as caught:
        sync()
    assert {name: wiki.text(TITLES[name]) for name, wiki in wikis.items()} == before
    assert sum(w.counts["edit"] for w in wikis.values()) == 0
    line = BEFORE.count("\n") + 3  # "== Contacts du réseau ==", the div's heading
    message = str(caught.value)
    assert f"line {line} is a heading inside a container" in message
    assert "'== Contacts du réseau =='" in message
    assert "move the heading out of it" in caught.value.hint
