"""List sync against the two real local wikis (issue 4's acceptance tests)."""

from __future__ import annotations

import re
import time

import pytest
import requests

from wikisync import wikitext
from wikisync.app import App
from wikisync.config import load_config
from wikisync.errors import EXIT_ATTENTION, EXIT_FAILED, EXIT_OK
from wikisync.lists import to_list_entry
from wikisync.listsync import link_context
from wikisync.state import Lock
from wikisync.sync import run_sync

FAB, MOV = "AMI Fabriques de Territoires", "Fabriques de Territoire"
SECTION = "Tiers Lieux intéressés"
PAGES = {"fabmob": FAB, "movilab": MOV}


def entries(wikis, wiki: str) -> dict:
    """key -> (annotation, children) of the list on ``wiki``, as wikisync reads it."""
    ctx = link_context(load_config(wikis.config))
    listing = wikitext.read_list(wikis.text(wiki, PAGES[wiki]), SECTION)
    return {
        e.key: (e.annotation, e.children)
        for e in (to_list_entry(r, wiki, ctx) for r in listing.entries)
    }


def raw_lines(wikis, wiki: str) -> list[str]:
    listing = wikitext.read_list(wikis.text(wiki, PAGES[wiki]), SECTION)
    return [r.text.splitlines()[0] for r in listing.entries]


def outside(text: str) -> tuple[str, str]:
    """The page's text before the section's first entry and after its section."""
    section = wikitext.read_list(text, SECTION)
    start = section.spans[0][0] if section.spans else section.start
    return text[:start], text[section.end:]


def revid(wikis, wiki: str, title: str) -> int:
    return wikis.site(wiki).read([title])[title].revid


def edit(wikis, wiki: str, old: str, new: str, title: str | None = None) -> None:
    """A person (the peer account) edits the list page."""
    title = title or PAGES[wiki]
    peer = wikis.peer(wiki)
    page = peer.read([title])[title]
    assert old in page.text, f"{old!r} not on {wiki}:{title}"
    peer.save(page, page.text.replace(old, new), "modification humaine")


def test_first_sync_makes_both_lists_hold_the_same_lieux(wikis):
    before = {w: wikis.text(w, t) for w, t in PAGES.items()}
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    fab, mov = entries(wikis, "fabmob"), entries(wikis, "movilab")
    assert fab == mov
    assert set(fab) == {
        "Konk Ar Lab", "Le WIP", "Ateliers Jean Moulin", "L'Atelier du Vélo·Solidaire",
        "Tiers-lieu d’Écomobilité (Gex)", "La Machinerie", "Lieu Fantôme", "La Myne",
        "Les Ateliers & Cie 🚲",
    }
    for wiki, title in PAGES.items():
        assert outside(wikis.text(wiki, title)) == outside(before[wiki])
    assert "changed fabmob:AMI Fabriques de Territoires: wikisync: +2 (Tiers Lieux intéressés)" \
        in result.stdout
    assert "changed movilab:Fabriques de Territoire: wikisync: +5 (Tiers Lieux intéressés)" \
        in result.stdout


def test_links_are_written_for_the_wiki_they_land_on(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    mov = raw_lines(wikis, "movilab")
    fab = raw_lines(wikis, "fabmob")
    fab_url = wikis.farm.wikis["fabmob"].article_url
    # Movilab has La Machinerie: internal link; Gex is on FabMob only: external link to FabMob.
    assert "* [[La Machinerie]] – Amiens" in mov
    assert (f"* [{fab_url}Tiers-lieu_d%E2%80%99%C3%89comobilit%C3%A9_(Gex) "
            "Tiers-lieu d’Écomobilité (Gex)] – Gex") in mov
    # A red link (a lieu on no wiki) stays a link: it turns blue when the page is created.
    assert "* [[Lieu Fantôme]] – Nulle-Part" in mov
    # FabMob has La Myne and Les Ateliers: internal links.
    assert "* [[La Myne]]" in fab
    assert "* [[Les Ateliers & Cie 🚲]] – Amiens" in fab


def test_a_second_run_changes_nothing_reads_little_and_needs_no_login(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    revs = {w: revid(wikis, w, t) for w, t in PAGES.items()}
    app = App(load_config(wikis.config))
    report = run_sync(app)
    assert report.exit_code == EXIT_OK
    assert [c for r in report.lists for c in r.changes] == []
    assert [c for r in report.fields for c in r.changes] == []
    for name, site in app.sites.items():
        assert "login" not in site.session.counts, name
        assert "edit" not in site.session.counts, name
        # the wiki's identity, the list page's revision and the recent changes shared by both
        # kinds, in one request
        assert dict(site.session.counts) == {
            "query:prop=revisions": 1}, (name, site.session.counts)
    assert {w: revid(wikis, w, t) for w, t in PAGES.items()} == revs
    again = wikis.run("sync")
    assert again.returncode == EXIT_OK
    assert again.stdout == ""


def test_a_removal_on_one_wiki_propagates(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    konk = "* [[Konk Ar Lab]] (Concarneau) – Fabrique numérique de territoire\n"
    edit(wikis, "movilab", konk, "")
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "Konk Ar Lab" not in entries(wikis, "fabmob")
    assert "Konk Ar Lab" not in entries(wikis, "movilab")
    assert "wikisync: \u22121 (Tiers Lieux intéressés)" in result.stdout


def test_an_annotation_change_propagates(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    edit(wikis, "fabmob", "* [[La Myne]]\n", "* [[La Myne]] – Villeurbanne (69)\n")
    assert wikis.run("sync").returncode == EXIT_OK
    assert entries(wikis, "movilab")["La Myne"] == (" – Villeurbanne (69)", ())
    assert "* [[La Myne]] – Villeurbanne (69)" in raw_lines(wikis, "movilab")


def test_conflicting_annotations_exit_3_and_leave_both_pages_as_they_are(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    edit(wikis, "fabmob", "Le WIP] – Colombelles", "Le WIP] – Colombelles (14)")
    edit(wikis, "movilab", "* [[Le WIP]] – Colombelles", "* [[Le WIP]] – Colombelles, Calvados")
    edit(wikis, "movilab", "* [[La Myne]]\n", "* [[La Myne]] – Villeurbanne\n")
    result = wikis.run("sync")
    assert result.returncode == EXIT_ATTENTION
    assert "CONFLICT list tiers-lieux-interesses: 'Le WIP' (changed-differently)" in result.stdout
    assert entries(wikis, "fabmob")["Le WIP"][0] == " – Colombelles (14)"
    assert entries(wikis, "movilab")["Le WIP"][0] == " – Colombelles, Calvados"
    # the rest of the list still syncs
    assert entries(wikis, "fabmob")["La Myne"][0] == " – Villeurbanne"
    # and the conflict is reported again until a person resolves it
    assert wikis.run("sync").returncode == EXIT_ATTENTION
    edit(wikis, "movilab", "[[Le WIP]] – Colombelles, Calvados", "[[Le WIP]] – Colombelles (14)")
    assert wikis.run("sync").returncode == EXIT_OK


def test_dry_run_prints_diffs_and_writes_nothing(wikis):
    revs = {w: revid(wikis, w, t) for w, t in PAGES.items()}
    result = wikis.run("sync", "--dry-run")
    assert result.returncode == EXIT_OK
    assert "+* [[La Myne]]" in result.stdout
    assert "--- fabmob:AMI Fabriques de Territoires (now)" in result.stdout
    assert {w: revid(wikis, w, t) for w, t in PAGES.items()} == revs
    assert "would change" in wikis.run("sync", "--dry-run").stdout  # no state was written
    assert not load_config(wikis.config).state_dir.exists()


def test_json_output_is_one_document(wikis):
    import json

    result = wikis.run("sync", "--json")
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == 0
    changes = doc["lists"][0]["changes"]
    assert {(c["wiki"], c["title"]) for c in changes} == {("fabmob", FAB), ("movilab", MOV)}
    assert all(isinstance(c["revid"], int) for c in changes)


def test_an_edit_by_someone_else_between_read_and_write_is_not_lost(wikis):
    app = App(load_config(wikis.config))
    site = app.site("movilab")
    real_save = site.save
    state = {"done": False}

    def save_after_a_person(page, text, summary, **kw):
        if not state["done"]:
            state["done"] = True
            edit(wikis, "movilab", "== Une histoire récente des Tiers-Lieux (2019-2020) ==\nTexte.",
                 "== Une histoire récente des Tiers-Lieux (2019-2020) ==\nTexte enrichi.")
        return real_save(page, text, summary, **kw)

    site.save = save_after_a_person
    report = run_sync(app)
    assert report.exit_code == EXIT_OK
    text = wikis.text("movilab", MOV)
    assert "Texte enrichi." in text
    assert entries(wikis, "movilab") == entries(wikis, "fabmob")
    assert "Les Ateliers & Cie 🚲" in entries(wikis, "movilab")


class Killed(BaseException):
    """Stands for the process being killed: nothing after it runs, no handler catches it."""


def test_killed_between_two_page_writes_then_rerun_ends_right(wikis):
    app = App(load_config(wikis.config))
    site = app.site("movilab")

    def die(*args, **kwargs):
        raise Killed()

    site.save = die
    with pytest.raises(Killed):
        run_sync(app)
    assert "La Myne" in entries(wikis, "fabmob")  # the first page was written
    assert "Lieu Fantôme" not in entries(wikis, "movilab")
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    fab, mov = entries(wikis, "fabmob"), entries(wikis, "movilab")
    assert fab == mov
    for wiki in PAGES:
        keys = [line for line in raw_lines(wikis, wiki)]
        assert len(keys) == len(set(keys)) == 9
    assert wikis.run("sync").returncode == EXIT_OK


def test_a_second_run_while_one_holds_the_state_exits_1_naming_the_holder(wikis):
    state_dir = load_config(wikis.config).state_dir
    lock = Lock(state_dir)
    lock.acquire()
    try:
        result = wikis.run("sync")
    finally:
        lock.release()
    assert result.returncode == EXIT_FAILED
    assert "is in use by wikisync pid" in result.stderr
    assert revid(wikis, "fabmob", FAB) == wikis.site("fabmob").read([FAB])[FAB].revid


def test_an_emptied_list_stops_the_sync_unless_allowed(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    text = wikis.text("fabmob", FAB)
    listing = wikitext.read_list(text, SECTION)
    emptied = wikitext.edit_list(text, SECTION, set(range(len(listing.entries))), {}, [])
    peer = wikis.peer("fabmob")
    peer.save(peer.read([FAB])[FAB], emptied, "vidage")
    result = wikis.run("sync")
    assert result.returncode == EXIT_FAILED
    assert "is empty while 9 entries were synced last time" in result.stderr
    assert len(entries(wikis, "movilab")) == 9
    allowed = wikis.run("sync", "--allow-empty")
    assert allowed.returncode == EXIT_OK
    assert entries(wikis, "movilab") == {}


def test_a_missing_section_is_exit_1_not_an_empty_list(wikis):
    edit(wikis, "movilab", "== Tiers Lieux intéressés ==", "== Lieux intéressés ==")
    result = wikis.run("sync")
    assert result.returncode == EXIT_FAILED
    assert "has no section 'Tiers Lieux intéressés'" in result.stderr
    assert "La Myne" not in entries(wikis, "fabmob")


def test_the_wiki_going_down_during_a_write_then_rerun_ends_right(wikis):
    from wikisync.site import Deadline

    app = App(load_config(wikis.config), deadline=Deadline(5))
    site = app.site("movilab")
    real_save = site.save
    movilab = wikis.farm.wikis["movilab"]

    def server_dies_first(page, text, summary, **kw):
        movilab.stop()
        return real_save(page, text, summary, **kw)

    site.save = server_dies_first
    try:
        report = run_sync(app)
    finally:
        movilab.start()
    assert report.exit_code == EXIT_FAILED
    assert "gave up after" in str(report.lists[0].error)
    assert "La Myne" in entries(wikis, "fabmob")
    assert "La Machinerie" not in entries(wikis, "movilab")
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert entries(wikis, "fabmob") == entries(wikis, "movilab")
    assert len(raw_lines(wikis, "movilab")) == len(set(raw_lines(wikis, "movilab"))) == 9


def test_a_lieu_only_on_movilab_lands_on_fabmob_as_an_interwiki_link(wikis):
    edit(wikis, "movilab", "* [[La Myne]]\n", "* [[La Myne]]\n* [[La Californie]] – Toucy\n")
    assert wikis.run("sync").returncode == EXIT_OK
    assert "* [[movilab:La Californie|La Californie]] – Toucy" in raw_lines(wikis, "fabmob")
    assert entries(wikis, "fabmob")["La Californie"] == (" – Toucy", ())
    # and MediaWiki itself reads it as an interwiki link to Movilab
    parsed = wikis.site("fabmob").call({"action": "parse", "page": FAB, "prop": "iwlinks"})
    iwlinks = parsed["parse"]["iwlinks"]
    assert {"prefix": "movilab", "url": wikis.farm.wikis["movilab"].article_url
            + "La_Californie", "title": "movilab:La Californie"} in iwlinks


def test_text_before_a_link_lands_on_the_other_wiki_as_written(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    edit(wikis, "movilab", "* [[La Myne]]\n", "* '''[[La Myne]]''' – Villeurbanne\n")
    edit(wikis, "fabmob", "* [[La Myne]]\n",
         "* [[La Myne]]\n* Le [[Port du Rhin]] à Strasbourg\n* ''Gare Vivante'' (Lyon)\n")
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "* '''[[La Myne]]''' – Villeurbanne" in raw_lines(wikis, "fabmob")
    assert "* Le [[Port du Rhin]] à Strasbourg" in raw_lines(wikis, "movilab")
    assert "* ''Gare Vivante'' (Lyon)" in raw_lines(wikis, "movilab")  # a name, not a title
    assert "Gare Vivante" in entries(wikis, "movilab")
    # MediaWiki shows the whole link in bold, and the annotation after it in plain text
    html = wikis.site("fabmob").call({"action": "parse", "page": FAB, "prop": "text",
                                      "formatversion": "2"})["parse"]["text"]
    assert '<b><a href="/wiki/La_Myne" title="La Myne">La Myne</a></b> – Villeurbanne' in html
    again = wikis.run("sync")
    assert again.returncode == EXIT_OK
    assert again.stdout == ""  # stable: nothing rewritten on the next run


MARKER = "test-marker-"


def _api_requests(wiki) -> list[str]:
    """The API requests (``GET /api.php?...``) the wiki's PHP server has logged so far."""
    marker = f"{MARKER}{time.monotonic_ns()}"
    requests.get(f"{wiki.api_url}?{marker}", timeout=30)
    log = wiki.root / "server.log"
    for _ in range(100):  # the server logs a request right after answering it
        text = log.read_text(encoding="utf-8", errors="replace")
        if marker in text:
            break
        time.sleep(0.05)
    lines = re.findall(r"\]: ((?:GET|POST) /api\.php\S*)", text)
    return [line for line in lines if MARKER not in line]


def test_an_idle_sync_is_one_request_per_wiki_as_the_servers_count_it(wikis):
    assert wikis.run("sync").returncode == EXIT_OK  # the state: bases and last runs
    before = {name: len(_api_requests(w)) for name, w in wikis.farm.wikis.items()}
    idle = wikis.run("sync")
    assert idle.returncode == EXIT_OK, idle.stderr
    for name, wiki in wikis.farm.wikis.items():
        sent = _api_requests(wiki)[before[name]:]
        assert len(sent) == 1, (name, sent)
        [request] = sent
        assert request.startswith("GET "), request  # no login (a POST), no write
        assert "list=recentchanges" in request and "prop=revisions" in request, request
        assert "meta=siteinfo" in request, request
