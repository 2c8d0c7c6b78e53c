"""Lines people write that the list sync must never harm, on in-memory wikis: a lieu written
twice, plain names that are not links, separators typed with other spaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from wikisync.app import App
from wikisync.config import load_config
from wikisync.errors import ListStopped
from wikisync.listsync import link_context, new_text, parse_page
from wikisync.memwiki import MemoryWiki
from wikisync.model import Page
from wikisync.planner import PagePlan
from wikisync.sync import run_sync

REPO = Path(__file__).resolve().parents[1]
TITLES = {"fabmob": "AMI Fabriques de Territoires", "movilab": "Fabriques de Territoire"}
CONFIG = """
wikis:
  fabmob: {api_url: https://fabmob.invalid/api.php, username: B@w,
           password_env: WIKISYNC_PEOPLE_PASSWORD, interwiki: {movilab: movilab}}
  movilab: {api_url: https://movilab.invalid/api.php, username: B@w,
            password_env: WIKISYNC_PEOPLE_PASSWORD}
mappings_dir: %s
templates_dir: %s
state_dir: state
lists:
  tl:
    kind: lieu
    pages:
      fabmob: {title: "AMI Fabriques de Territoires", section: "Tiers Lieux intéressés"}
      movilab: {title: "Fabriques de Territoire", section: "Tiers Lieux intéressés"}
"""


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("WIKISYNC_PEOPLE_PASSWORD", "in-memory wikis take any password")


def page(body: str) -> str:
    return f"Intro.\n\n== Tiers Lieux intéressés ==\n{body}\n== Contacts ==\nTexte."


CHILD_LIST = """
  sel:
    kind: lieu
    pages:
      fabmob: {title: "AMI Fabriques de Territoires", section: "Tiers Lieux intéressés / Sélection"}
      movilab: {title: "Fabriques de Territoire", section: "Tiers Lieux intéressés / Sélection"}
"""


class Wikis:
    """Two in-memory wikis holding the list pages and the lieux, and a sync of the list (with
    ``child``, of its sub-section "Sélection" too, as a list of its own)."""

    def __init__(self, folder: Path, fabmob: str, movilab: str,
                 lieux=("Le WIP", "La Myne", "Konk Ar Lab"), child: bool = False):
        config = CONFIG % (REPO / "mappings", REPO / "page_templates")
        (folder / "wikisync.yaml").write_text(config + (CHILD_LIST if child else ""))
        self.config = load_config(folder / "wikisync.yaml")
        self.wikis = {name: MemoryWiki(name) for name in TITLES}
        for name, wiki in self.wikis.items():
            for lieu in lieux:
                wiki.put(lieu, "{{Acteur}}")
            wiki.put(TITLES[name], page(fabmob if name == "fabmob" else movilab))
        self.app = App(self.config, _sites=dict(self.wikis))

    def sync(self, dry_run: bool = False):
        for wiki in self.wikis.values():
            wiki.new_run()
        report = run_sync(self.app, tuple(self.config.lists), dry_run=dry_run)
        return report.exit_code, report.lists[0]

    def text(self, wiki: str) -> str:
        return self.wikis[wiki].text(TITLES[wiki])

    def edit(self, wiki: str, old: str, new: str) -> None:
        text = self.text(wiki)
        assert old in text
        self.wikis[wiki].put(TITLES[wiki], text.replace(old, new, 1))


def test_a_removal_never_takes_a_second_line_a_person_wrote_for_the_same_lieu(tmp_path):
    both = "* [[Le WIP]] – Caen\n* [[La Myne]]\n"
    w = Wikis(tmp_path, both, both)
    w.sync()
    w.edit("fabmob", "* [[La Myne]]\n", "* [[La Myne]]\n* [[Le WIP]] – antenne d'Hérouville\n")
    w.edit("movilab", "* [[Le WIP]] – Caen\n", "")
    fabmob, movilab = w.text("fabmob"), w.text("movilab")
    code, result = w.sync()
    assert [(c.key, c.kind) for c in result.conflicts] == [("Le WIP", "removed-and-changed")]
    assert code == 3 and result.error is None
    assert w.text("fabmob") == fabmob and w.text("movilab") == movilab
    assert w.sync()[0] == 3  # reported again until a person settles it
    assert w.text("fabmob") == fabmob and w.text("movilab") == movilab


def test_words_before_an_outside_link_name_the_place_not_the_link_text(tmp_path):
    """``* Le Bocal [https://bocal.example.org site]`` names Le Bocal (it once took "site",
    the link's text, as its key, so that La Cantine's line read as the same place): each is
    copied once, as written, and a person's removal of one takes that one only."""
    fabmob = ("* Le Bocal [https://bocal.example.org site]\n"
              "* La Cantine [https://cantine.example.org site] – Rennes\n"
              "* Konk Ar Lab http://konk.example.org\n* [[La Myne]]\n")
    w = Wikis(tmp_path, fabmob, "* [[La Myne]]\n")
    code, result = w.sync()
    assert code == 0 and not result.conflicts
    assert w.text("movilab") == page(
        "* [[La Myne]]\n* Le Bocal [https://bocal.example.org site]\n"
        "* La Cantine [https://cantine.example.org site] – Rennes\n"
        "* [[Konk Ar Lab]] http://konk.example.org\n")
    code, result = w.sync()  # nothing to do
    assert code == 0 and not result.conflicts and w.text("fabmob") == page(fabmob)
    w.edit("movilab", "* Le Bocal [https://bocal.example.org site]\n", "")
    code, result = w.sync()
    assert code == 0 and not result.conflicts
    assert w.text("fabmob") == page(
        "* La Cantine [https://cantine.example.org site] – Rennes\n"
        "* Konk Ar Lab http://konk.example.org\n* [[La Myne]]\n")


def test_a_name_before_an_outside_link_stays_as_written_when_its_annotation_changes(tmp_path):
    """The annotation changed on the other page lands after the person's own words: the
    name stays plain text on the page where it was written so, the link stays a link there."""
    w = Wikis(tmp_path, "* Konk Ar Lab http://konk.example.org\n* [[La Myne]]\n",
              "* [[La Myne]]\n")
    w.sync()
    assert "* [[Konk Ar Lab]] http://konk.example.org\n" in w.text("movilab")
    w.edit("movilab", "http://konk.example.org\n", "http://konk.example.org – Brest\n")
    assert w.sync()[0] == 0
    assert w.text("fabmob") == page("* Konk Ar Lab http://konk.example.org – Brest\n"
                                    "* [[La Myne]]\n")
    w.edit("fabmob", "http://konk.example.org – Brest", "[http://konk.example.org site] – Brest")
    assert w.sync()[0] == 0
    assert "* [[Konk Ar Lab]] [http://konk.example.org site] – Brest\n" in w.text("movilab")


def test_the_writer_refuses_a_removal_that_would_take_two_lines(tmp_path):
    """What the planner never plans (the test above), the writer refuses on its own."""
    config = Wikis(tmp_path, "", "").config
    config_ctx, lst = link_context(config), config.list_named("tl")
    text = page("* [[Le WIP]] – Caen\n* [[La Myne]]\n* [[Le WIP]] – antenne\n")
    lp = parse_page(lst, "fabmob", Page(TITLES["fabmob"], text, revid=1), config_ctx)
    with pytest.raises(ListStopped) as stopped:
        new_text(lp, PagePlan(remove=("Le WIP",)), lambda _w, _t: True, config_ctx)
    assert "* [[Le WIP]] – antenne" in str(stopped.value)
    once = page("* [[Le WIP]] – Caen\n* [[La Myne]]\n")
    lp = parse_page(lst, "fabmob", Page(TITLES["fabmob"], once, revid=1), config_ctx)
    assert new_text(lp, PagePlan(remove=("Le WIP",)), lambda _w, _t: True, config_ctx) == page(
        "* [[La Myne]]\n")



@pytest.mark.parametrize("line", [
    "* Le Bocal ''(en attente)''",  # its name ends at the italics: no link may hold them
    "* (en projet) Le Bocal",  # no name before the separator: the whole line is the key
    "* TETRIS - Philippe Chemla pour une Fabrique des Territoires",
])
def test_a_plain_name_no_wiki_has_a_page_of_is_copied_as_written_never_made_a_link(
        tmp_path, line):
    w = Wikis(tmp_path, f"{line}\n* [[La Myne]]\n", "* [[La Myne]]\n")
    fabmob = w.text("fabmob")
    assert w.sync()[0] == 0
    assert w.text("movilab") == page(f"* [[La Myne]]\n{line}\n")
    assert w.text("fabmob") == fabmob
    assert w.sync()[0] == 0 and w.text("movilab") == page(f"* [[La Myne]]\n{line}\n")


@pytest.mark.parametrize(("fabmob", "movilab"), [
    # the visual editor saves a non-breaking space before the dash
    ("* TETRIS\u00a0- Philippe Chemla pour une Fabrique des Territoires\n",
     "* TETRIS - Philippe Chemla pour une Fabrique des Territoires\n"),
    ("* La Myne\t– Lyon\n", "* [[La Myne]] – Lyon\n"),
    ("* La Myne \u00a0–\u00a0Lyon\n", "* [[La Myne]] – Lyon\n"),
])
def test_a_separator_typed_with_other_blanks_is_the_same_separator(tmp_path, fabmob, movilab):
    w = Wikis(tmp_path, fabmob, movilab)
    assert w.sync()[0] == 0
    assert w.text("fabmob") == page(fabmob) and w.text("movilab") == page(movilab)


def test_page_furniture_in_the_section_is_never_copied(tmp_path):
    furniture = ("* [[Catégorie:Tiers-Lieux]]\n"
                 "* [[Fichier:Carte.png|200px]] [[Catégorie:Alliance]]\n"
                 "* [[#Contacts|voir les contacts]]\n")
    w = Wikis(tmp_path, furniture + "* [[Le WIP]]\n", "* [[Le WIP]]\n* [[La Myne]]\n")
    assert w.sync()[0] == 0
    assert w.text("movilab") == page("* [[Le WIP]]\n* [[La Myne]]\n")  # nothing copied
    assert w.text("fabmob") == page(furniture + "* [[Le WIP]]\n* [[La Myne]]\n")
    # a file beside words is an entry (an icon before a plain name), as before
    (tmp_path / "icon").mkdir()
    w = Wikis(tmp_path / "icon", "* [[Fichier:Logo.png|20px]] Le Bocal\n", "")
    assert w.sync()[0] == 0
    assert "Le Bocal" in w.text("movilab")


def test_a_page_with_the_section_twice_stops_that_list_naming_the_wiki_and_page(tmp_path):
    w = Wikis(tmp_path, "* [[Le WIP]]\n\n== Tiers Lieux intéressés ==\n* [[La Myne]]\n",
              "* [[Le WIP]]\n")
    fabmob, movilab = w.text("fabmob"), w.text("movilab")
    code, result = w.sync()
    assert code == 1 and isinstance(result.error, ListStopped)
    assert result.error.wiki == "fabmob"
    assert "'AMI Fabriques de Territoires'" in str(result.error)
    assert "2 sections titled 'Tiers Lieux intéressés'" in str(result.error)
    assert w.text("fabmob") == fabmob and w.text("movilab") == movilab


def test_the_audit_names_a_list_the_sync_would_stop_on_as_unread_instead_of_failing(tmp_path):
    from wikisync.audit import AuditOptions, run_audit

    w = Wikis(tmp_path, "* [[Le WIP]]\n\n== Tiers Lieux intéressés ==\n* [[La Myne]]\n",
              "* [[Le WIP]]\n")
    result = run_audit(w.app, AuditOptions(kinds=("lieu",)))
    [unread] = result.unread
    assert (unread.name, unread.wiki, unread.problem) == ("tl", "fabmob", "layout")
    assert "2 sections titled" in unread.message


def test_an_entry_added_differently_then_withdrawn_on_one_page_is_not_put_back_there(tmp_path):
    w = Wikis(tmp_path, "* [[Le WIP]] – Caen\n* [[La Myne]]\n",
              "* [[Le WIP]] – Colombelles\n* [[La Myne]]\n")
    code, result = w.sync()
    assert code == 3 and [(c.key, c.kind) for c in result.conflicts] == [
        ("Le WIP", "added-differently")]
    w.edit("movilab", "* [[Le WIP]] – Colombelles\n", "")  # Movilab's person withdraws it
    fabmob, movilab = w.text("fabmob"), w.text("movilab")
    code, result = w.sync()
    assert code == 3 and [(c.key, c.kind) for c in result.conflicts] == [
        ("Le WIP", "removed-and-changed")]
    assert w.text("fabmob") == fabmob and w.text("movilab") == movilab
    # once FabMob's person removes it too, the conflict is gone and nothing is written
    w.edit("fabmob", "* [[Le WIP]] – Caen\n", "")
    fabmob = w.text("fabmob")
    assert w.sync()[0] == 0
    assert w.text("fabmob") == fabmob and w.text("movilab") == movilab
    assert w.sync()[0] == 0


def test_a_lieu_whose_name_is_part_of_another_lieus_link_is_added_and_removed(tmp_path):
    lieux = ("La Cantine", "La Cantine Numérique", "La Myne")
    both = "* [[La Cantine Numérique]] – Rennes\n* [[La Myne]]\n"
    w = Wikis(tmp_path, both, both, lieux=lieux)
    assert w.sync()[0] == 0
    w.edit("movilab", "* [[La Myne]]\n", "* [[La Myne]]\n* [[La Cantine]] – Brest\n")
    assert w.sync()[0] == 0
    assert w.text("fabmob") == page(both + "* [[La Cantine]] – Brest\n")
    w.edit("fabmob", "* [[La Cantine]] – Brest\n", "")
    assert w.sync()[0] == 0
    assert w.text("movilab") == page(both)


def test_a_lieu_in_a_sub_section_another_list_reads_is_that_lists_not_this_ones(tmp_path):
    both = "* [[Le WIP]] – Caen\n* [[La Myne]]\n=== Sélection ===\n* [[La Myne]] – retenue\n"
    w = Wikis(tmp_path, both, both, child=True)
    assert w.sync()[0] == 0
    # FabMob's person takes La Myne out of the parent list only: removed from Movilab's parent
    w.edit("fabmob", "* [[La Myne]]\n=== S", "=== S")
    code, result = w.sync()
    assert code == 0 and result.error is None
    after = "* [[Le WIP]] – Caen\n=== Sélection ===\n* [[La Myne]] – retenue\n"
    assert w.text("fabmob") == page(after) and w.text("movilab") == page(after)
    # and Movilab's adds it back to the parent: added to FabMob's parent, not stopped
    w.edit("movilab", "* [[Le WIP]] – Caen\n", "* [[Le WIP]] – Caen\n* [[La Myne]]\n")
    assert w.sync()[0] == 0
    assert w.text("fabmob") == page(both) and w.text("movilab") == page(both)
