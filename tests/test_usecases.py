"""The use cases behind ``new`` and ``import`` run in the core, without click: a dialog (here a
script) stands for the person, a step callback for the progress bar."""

from __future__ import annotations

from pathlib import Path

import pytest

from wikisync import create, exchange
from wikisync.app import App
from wikisync.config import load_config
from wikisync.errors import ConfigError, InputError, PageExistsError
from wikisync.memwiki import MemoryWiki, memory_factory

REPO = Path(__file__).resolve().parents[1]
LIST_TEXT = "== Tiers Lieux intéressés ==\n* [[Le WIP]] – Colombelles\n\n== Fin ==\nTexte."
CONFIG = f"""\
wikis:
  fabmob:
    api_url: https://wiki.lafabriquedesmobilites.fr/api.php
    username: Bot@wikisync
    password_env: WIKISYNC_TEST_PASSWORD
  movilab:
    api_url: https://movilab.org/api.php
    {{movilab_login}}
mappings_dir: {REPO / "mappings"}
templates_dir: {REPO / "page_templates"}
state_dir: state
lists:
  tl:
    kind: lieu
    pages:
      fabmob: {{{{title: "Liste", section: "Tiers Lieux intéressés"}}}}
      movilab: {{{{title: "Liste", section: "Tiers Lieux intéressés"}}}}
"""


class Script:
    """A person who answers from a table and says ``yes`` or not; it remembers what it saw."""

    def __init__(self, answers: dict[str, str], yes: bool = True,
                 interactive: bool = True) -> None:
        self.answers = answers
        self.yes = yes
        self.interactive = interactive
        self.asked: list[str] = []
        self.notes: list[str] = []
        self.shown: list[create.Creation] = []

    def note(self, message: str) -> None:
        self.notes.append(message)

    def ask(self, mapping, name: str) -> str:
        self.asked.append(name)
        return self.answers.get(name, "")

    def show(self, creation: create.Creation) -> None:
        self.shown.append(creation)

    def confirm(self, creation: create.Creation) -> bool:
        return self.yes


LOGIN = "username: Bot@wikisync\n    password_env: WIKISYNC_TEST_PASSWORD"


def make_app(folder: Path, movilab_login: str = LOGIN) -> tuple[App, dict]:
    path = folder / "wikisync.yaml"
    path.write_text(CONFIG.format(movilab_login=movilab_login), encoding="utf-8")
    wikis = {name: MemoryWiki(name) for name in ("fabmob", "movilab")}
    for wiki in wikis.values():
        wiki.put("Liste", LIST_TEXT)
    return App(load_config(path), wiki_factory=memory_factory(wikis)), wikis


def edits(wikis: dict[str, MemoryWiki]) -> int:
    return sum(w.counts["edit"] for w in wikis.values())


def test_new_record_asks_the_fields_not_given_required_first_then_writes(tmp_path):
    app, wikis = make_app(tmp_path)
    dialog = Script({"ville": "Villeurbanne", "code_postal": "69100"})
    result = create.new_record(app, create.NewRequest("lieu", "La Myne"), dialog)
    assert dialog.asked[:3] == ["ville", "code_postal", "adresse"]
    assert "nom" not in dialog.asked and len(dialog.asked) == len(set(dialog.asked))
    assert [p.wiki for p in dialog.shown[0].pages] == ["fabmob", "movilab"]
    assert result.outcome is not None and not result.declined
    assert [(w, t) for w, t, _ in result.outcome.created] == [("fabmob", "La Myne"),
                                                              ("movilab", "La Myne")]
    assert "|Code postal=69100\n|Ville=Villeurbanne\n" in wikis["movilab"].text("La Myne")
    assert "* [[La Myne]]" in wikis["fabmob"].text("Liste")


def test_new_record_declined_or_dry_run_writes_nothing(tmp_path):
    app, wikis = make_app(tmp_path)
    request = create.NewRequest("lieu", "La Myne", ("ville=Lyon",))
    declined = create.new_record(app, request, Script({}, yes=False))
    assert declined.declined and declined.outcome is None
    dry = create.new_record(app, create.NewRequest("lieu", "La Myne", ("ville=Lyon",),
                                                   dry_run=True), Script({}, yes=True))
    assert dry.outcome is None and not dry.declined and dry.creation.pages
    assert edits(wikis) == 0


def test_new_record_without_a_person_needs_the_required_fields(tmp_path):
    app, wikis = make_app(tmp_path)
    dialog = Script({"ville": "Lyon"}, interactive=False)
    with pytest.raises(InputError) as caught:
        create.new_record(app, create.NewRequest("lieu", "La Myne"), dialog)
    assert caught.value.message == "missing required field(s): ville"
    assert dialog.asked == [] and edits(wikis) == 0


def test_new_record_of_a_record_that_exists_everywhere_asks_nothing(tmp_path):
    app, wikis = make_app(tmp_path)
    for wiki in wikis.values():
        wiki.put("La Myne", "Une page.")
    dialog = Script({"ville": "Lyon"})
    with pytest.raises(PageExistsError):
        create.new_record(app, create.NewRequest("lieu", "La Myne"), dialog)
    assert dialog.asked == [] and edits(wikis) == 0


def test_new_record_says_which_wiki_has_the_page_already(tmp_path):
    app, wikis = make_app(tmp_path)
    wikis["fabmob"].put("La Myne", "Une page.")
    with pytest.raises(PageExistsError):  # it holds other content: kept, nothing written
        create.new_record(app, create.NewRequest("lieu", "La Myne"),
                          dialog := Script({"ville": "Lyon"}))
    assert dialog.notes == ["La Myne exists already on fabmob: it is kept if it holds the "
                            "fields you give"]
    assert edits(wikis) == 0


def test_a_write_to_a_wiki_without_login_is_refused_before_anything(tmp_path):
    app, wikis = make_app(tmp_path, movilab_login="")
    with pytest.raises(ConfigError) as caught:
        create.new_record(app, create.NewRequest("lieu", "La Myne", ("ville=Lyon",)),
                          Script({}))
    assert "wikis.movilab: no username" in caught.value.message
    assert sum(sum(w.counts.values()) for w in wikis.values()) == 0  # not even a read
    dry = create.new_record(app, create.NewRequest("lieu", "La Myne", ("ville=Lyon",),
                                                   dry_run=True), Script({}))
    assert dry.outcome is None


def test_import_moves_its_step_once_per_record(tmp_path):
    app, wikis = make_app(tmp_path)
    mapping = app.mapping("lieu")
    rows = [{"nom": "La Myne", "ville": "Villeurbanne"}, {"nom": "Le Bocal", "ville": "Caen"}]
    plan = exchange.plan_import(app, mapping, rows, ["fabmob", "movilab"])
    steps: list[str] = []
    outcome = exchange.execute_import(app, mapping, plan, step=lambda c: steps.append(c.title))
    assert steps == ["La Myne", "Le Bocal"]
    assert len(outcome.created) == 4 and len(outcome.listed) == 2


def test_threads_asking_for_one_wiki_get_one_site(tmp_path):
    """The audit and the list reads work on the wikis at once: threads asking for the same
    wiki's Site at the same moment must share one (its session, its login)."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    app, _wikis = make_app(tmp_path)
    made: list[str] = []
    start = threading.Barrier(8)
    inner = app.wiki_factory

    def slow_factory(name, wiki):
        made.append(name)
        time.sleep(0.05)  # a Site takes a moment to make: the window a second thread would use
        return inner(name, wiki)

    app.wiki_factory = slow_factory

    def ask(_i: int):
        start.wait()
        return app.site("fabmob")

    with ThreadPoolExecutor(max_workers=8) as pool:
        sites = list(pool.map(ask, range(8)))
    assert made == ["fabmob"]
    assert all(site is sites[0] for site in sites)


def test_begin_reads_begins_each_wiki_once_then_loads_the_login_code(tmp_path, monkeypatch):
    """``export --wiki movilab`` begins movilab's read only; every read is begun before the
    login's code loads (the first requests are out meanwhile), each wiki once."""
    calls = []
    monkeypatch.setattr(MemoryWiki, "begin_category_read",
                        lambda self, category, **kw: calls.append(("begin", self.name, category)))
    monkeypatch.setattr(MemoryWiki, "prepare_login",
                        lambda self: calls.append(("login code", self.name)))
    app, _wikis = make_app(tmp_path)
    app.begin_reads(["lieu", "lieu"], app.target_wikis(app.mapping("lieu"), ["movilab"]))
    assert calls == [("begin", "movilab", "Tiers-Lieux"), ("login code", "movilab")]
    calls.clear()
    app.begin_reads(["lieu", "projet"])
    assert calls == [("begin", "fabmob", "Acteur"), ("begin", "movilab", "Tiers-Lieux"),
                     ("login code", "fabmob"), ("login code", "movilab")]


def test_target_wikis_are_checked_before_any_read(tmp_path):
    app, wikis = make_app(tmp_path)
    with pytest.raises(InputError, match="no page on wiki"):
        app.target_wikis(app.mapping("lieu"), ["fabmob", "wikipedia"])
    assert app.target_wikis(app.mapping("lieu"), ()) == ["fabmob", "movilab"]
    assert sum(w.counts.total() for w in wikis.values()) == 0


def test_new_record_never_adds_a_second_line_for_a_lieu_the_list_names_in_a_table(
        tmp_path, caplog):
    app, wikis = make_app(tmp_path)
    table = ("== Tiers Lieux intéressés ==\n* [[Le WIP]] – Colombelles\n"
             "{| class=\"wikitable\"\n|-\n| [[La Myne]] || Villeurbanne\n|}\n\n== Fin ==\nTexte.")
    wikis["fabmob"].put("Liste", table)
    request = create.NewRequest("lieu", "La Myne", ("ville=Villeurbanne",))
    with caplog.at_level("WARNING", logger="wikisync.create"):
        result = create.new_record(app, request, Script({}))
    assert [(w, t) for w, t, _ in result.outcome.created] == [("fabmob", "La Myne"),
                                                              ("movilab", "La Myne")]
    assert wikis["fabmob"].text("Liste") == table  # named there already: not added again
    assert "* [[La Myne]]" in wikis["movilab"].text("Liste")
    assert "line 5: '| [[La Myne]] || Villeurbanne'" in caplog.text


def test_new_record_never_adds_a_near_namesake_of_an_entry(tmp_path, caplog):
    """A lieu created as "L’Atelier" is not added to a list that has "[[L'Atelier]]": its
    title differs only by the apostrophe, likely the same place. The other list gets it."""
    app, wikis = make_app(tmp_path)
    text = ("== Tiers Lieux intéressés ==\n* [[Le WIP]] – Colombelles\n"
            "* [[L'Atelier]] – Caen\n\n== Fin ==\nTexte.")
    wikis["fabmob"].put("Liste", text)
    request = create.NewRequest("lieu", "L’Atelier", ("ville=Caen",))
    with caplog.at_level("WARNING", logger="wikisync.create"):
        result = create.new_record(app, request, Script({}))
    assert [(w, t) for w, t, _ in result.outcome.created] == [("fabmob", "L’Atelier"),
                                                              ("movilab", "L’Atelier")]
    assert wikis["fabmob"].text("Liste") == text
    assert "* [[L’Atelier]]" in wikis["movilab"].text("Liste")
    assert "line 3: \"* [[L'Atelier]] – Caen\"" in caplog.text
    assert "same:" in caplog.text


def test_new_record_is_added_to_a_list_whose_sub_section_another_list_reads(tmp_path, caplog):
    """A lieu listed in "Sélection", a sub-section that a list of its own reads, is that
    list's: new adds it to the parent list too, as the sync would, without a warning."""
    path = tmp_path / "wikisync.yaml"
    path.write_text(CONFIG.format(movilab_login=LOGIN) + (
        "  sel:\n    kind: lieu\n    pages:\n"
        "      fabmob: {title: \"Liste\", section: \"Tiers Lieux intéressés / Sélection\"}\n"),
        encoding="utf-8")
    wikis = {name: MemoryWiki(name) for name in ("fabmob", "movilab")}
    text = ("== Tiers Lieux intéressés ==\n* [[Le WIP]] – Colombelles\n"
            "=== Sélection ===\n* [[La Myne]]\n\n== Fin ==\nTexte.")
    wikis["fabmob"].put("Liste", text)
    wikis["movilab"].put("Liste", LIST_TEXT)
    app = App(load_config(path), wiki_factory=memory_factory(wikis))
    with caplog.at_level("WARNING", logger="wikisync.create"):
        create.new_record(app, create.NewRequest("lieu", "La Myne", ("ville=Villeurbanne",)),
                          Script({}))
    after = wikis["fabmob"].text("Liste")
    own = after.split("=== Sélection ===")[0]
    assert "* [[La Myne]]" in own and "* [[Le WIP]] – Colombelles\n" in own
    assert after.count("* [[La Myne]]") == 2  # the sub-section's line is left as it was
    assert "outside its entries" not in caplog.text
