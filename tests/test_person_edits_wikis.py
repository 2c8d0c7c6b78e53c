"""A person's edit is never replaced (issue 11), on the two real local wikis.

The person here edits with wikisync's own account (a second bot password on it, as someone who
follows the README's advice would have): MediaWiki raises no edit conflict then, and only
wikisync's own checks stand between the person and a lost edit. The edits land exactly between
wikisync's read and its write: the real executor's save is wrapped so that the person's real
edit reaches the real wiki first.
"""

from __future__ import annotations

import secrets

import pytest

from wikisync import wikitext
from wikisync.app import App
from wikisync.config import load_config
from wikisync.devwiki import BOT_GRANTS, BOT_USER
from wikisync.errors import (
    EXIT_ATTENTION,
    EXIT_OK,
    ConcurrentEditError,
    PersonOverwrittenError,
)
from wikisync.lists import to_list_entry
from wikisync.listsync import link_context
from wikisync.model import Page
from wikisync.site import Site
from wikisync.sync import run_sync

FAB, MOV = "AMI Fabriques de Territoires", "Fabriques de Territoire"
SECTION = "Tiers Lieux intéressés"
PAGES = {"fabmob": FAB, "movilab": MOV}


def person(wikis, wiki: str) -> Site:
    """The bot's own account, through a second bot password ("MonCompte@person")."""
    local = wikis.farm.wikis[wiki]
    password = secrets.token_hex(16)
    local._php("createBotPassword.php", "--appid", "person", "--grants", BOT_GRANTS,
               BOT_USER, password)
    site = Site(wiki, local.api_url, f"{BOT_USER}@person", lambda: password)
    site.login()
    return site


def edit(site: Site, title: str, old: str, new: str) -> int:
    page = site.read([title])[title]
    assert old in page.text, (old, page.text)
    return site.save(page, page.text.replace(old, new, 1), "modification humaine").revid


def entries(wikis, wiki: str) -> dict:
    ctx = link_context(load_config(wikis.config))
    listing = wikitext.read_list(wikis.text(wiki, PAGES[wiki]), SECTION)
    return {e.key: e.annotation for e in (to_list_entry(r, wiki, ctx) for r in listing.entries)}


def history(wikis, wiki: str, title: str) -> list[dict]:
    data = wikis.site(wiki).query(prop="revisions", titles=title, rvlimit="10",
                                  rvprop="ids|user|comment")
    return data["query"]["pages"][0]["revisions"]


# --------------------------------------------------------------------------- Site.save


def test_a_save_that_replaced_an_edit_by_the_same_account_puts_it_back(wikis):
    bot = wikis.site("movilab")
    before = bot.read(["Le WIP"])["Le WIP"]
    theirs = edit(person(wikis, "movilab"), "Le WIP", "Une SCIC.", "Une SCIC depuis 2017.")
    ours = before.text.replace("|Ville=Colombelles", "|Ville=Colombelles (Calvados)")
    with pytest.raises(ConcurrentEditError) as info:
        bot.save(before, ours, "wikisync test")
    text = wikis.text("movilab", "Le WIP")
    assert "Une SCIC depuis 2017." in text  # the person's edit stands
    assert "Colombelles (Calvados)" not in text  # ours is for the caller to merge again
    revs = history(wikis, "movilab", "Le WIP")
    assert revs[2]["revid"] == theirs
    assert [r["comment"] for r in revs[:2]] == [
        f"wikisync: put back revision {theirs} (replaced by wikisync's revision "
        f"{revs[1]['revid']}, saved without seeing it)",
        "wikisync test",
    ]
    assert [revid for revid, _ in info.value.saved] == [revs[1]["revid"], revs[0]["revid"]]


def test_a_save_on_the_planned_revision_is_not_a_conflict_when_mediawiki_rewrites_it(wikis):
    """The pre-save transform (pipe trick, trailing spaces) is not someone else's edit."""
    bot = wikis.site("movilab")
    before = bot.read(["Le WIP"])["Le WIP"]
    ours = before.text + "\n* [[Konk Ar Lab (Concarneau)|]]   \n"
    saved = bot.save(before, ours, "wikisync test")
    assert saved.text.endswith("* [[Konk Ar Lab (Concarneau)|Konk Ar Lab]]")
    assert history(wikis, "movilab", "Le WIP")[0]["comment"] == "wikisync test"


def test_an_edit_merged_by_mediawiki_is_reported_with_its_revision(wikis):
    bot = wikis.site("movilab")
    before = bot.read(["Le WIP"])["Le WIP"]
    edit(wikis.peer("movilab"), "Le WIP", "Une SCIC.", "Une SCIC depuis 2017.")
    ours = before.text.replace("|Ville=Colombelles", "|Ville=Colombelles (Calvados)")
    with pytest.raises(ConcurrentEditError) as info:
        bot.save(before, ours, "wikisync test")
    text = wikis.text("movilab", "Le WIP")
    assert "Une SCIC depuis 2017." in text and "Colombelles (Calvados)" in text
    assert [revid for revid, _ in info.value.saved] == [history(wikis, "movilab", "Le WIP")[0]
                                                       ["revid"]]


def test_when_the_person_cannot_be_put_back_the_error_names_page_and_revision(wikis):
    bot = wikis.site("movilab")
    before = bot.read(["Le WIP"])["Le WIP"]
    who = person(wikis, "movilab")
    theirs = edit(who, "Le WIP", "Une SCIC.", "Une SCIC depuis 2017.")
    real_edit = bot._edit
    calls = []

    def protect_before_the_second_edit(page, text, summary, create):
        calls.append(summary)
        if len(calls) == 2:  # the put-back: an administrator protects the page just before
            wikis.farm.wikis["movilab"].protect("Le WIP")
        return real_edit(page, text, summary, create)

    bot._edit = protect_before_the_second_edit
    with pytest.raises(PersonOverwrittenError) as info:
        bot.save(before, before.text + "\nAjout.", "wikisync test")
    assert f"replaced revision {theirs}" in str(info.value)
    assert "'Le WIP'" in str(info.value)
    assert f"restore revision {theirs}" in info.value.hint
    assert len(calls) == 2


# --------------------------------------------------------------------------- list sync


def person_edits_before_saves(wikis, app: App, edits: dict[str, list[tuple[str, str]]]):
    """Make the person's ``edits`` land on each wiki's list page right before wikisync's first
    save of it (after its read): the real executor's save is wrapped, the edits are real.
    Returns the revisions the person made, in order."""
    landed: list[int] = []
    for wiki, changes in edits.items():
        who, site = person(wikis, wiki), app.site(wiki)

        def save(page: Page, text: str, summary: str, *, _real=site.save, _who=who,
                 _wiki=wiki, _changes=changes, **kw) -> Page:
            if _changes and page.title == PAGES[_wiki]:
                for old, new in _changes:
                    landed.append(edit(_who, PAGES[_wiki], old, new))
                _changes.clear()
            return _real(page, text, summary, **kw)

        site.save = save
    return landed


def test_a_list_edited_with_the_bots_own_account_during_a_sync_keeps_every_change(wikis):
    assert run_sync(App(load_config(wikis.config))).exit_code == EXIT_OK
    edit(wikis.peer("fabmob"), FAB, "* [[La Myne]]\n", "* [[La Myne]]\n* Gare Vivante – Lyon\n")
    app = App(load_config(wikis.config))
    landed = person_edits_before_saves(wikis, app, {"movilab": [
        ("* [[Le WIP]] – Colombelles\n", "* [[La Californie]] – Toucy\n"),
        ("* [[La Myne]]\n", "* [[La Myne]] – Villeurbanne\n"),
    ]})
    report = run_sync(app)
    assert report.exit_code == EXIT_OK, [str(r.error) for r in report.lists]
    for wiki in PAGES:
        found = entries(wikis, wiki)
        assert "Le WIP" not in found, wiki  # the person's removal
        assert found["La Californie"] == " – Toucy", wiki  # the person's addition
        assert found["La Myne"] == " – Villeurbanne", wiki  # the person's change
        assert found["Gare Vivante"] == " – Lyon", wiki  # wikisync's own addition
    revids = [c.revid for r in report.lists for c in r.changes if c.wiki == "movilab"]
    movilab = [r["revid"] for r in history(wikis, "movilab", MOV)]
    assert revids == sorted(movilab[:3])  # replaced, put back, merged: each reported once
    assert movilab[3:5] == landed[::-1]
    assert run_sync(App(load_config(wikis.config))).exit_code == EXIT_OK
    assert [r["revid"] for r in history(wikis, "movilab", MOV)] == movilab


def test_both_list_pages_edited_with_the_bots_own_account_during_a_sync(wikis):
    assert run_sync(App(load_config(wikis.config))).exit_code == EXIT_OK
    edit(wikis.peer("movilab"), MOV, "* [[La Myne]]\n", "* [[La Myne]]\n* Gare Vivante – Lyon\n")
    edit(wikis.peer("fabmob"), FAB, "* [[La Myne]]\n", "* [[La Myne]]\n* Port du Rhin\n")
    app = App(load_config(wikis.config))
    person_edits_before_saves(wikis, app, {
        "fabmob": [("* Ateliers Jean Moulin, Plouhinec : contact à compléter\n", ""),
                   ("Écrire à l'équipe d'animation.", "Écrire à l'équipe, s'il vous plaît.")],
        "movilab": [("* [[Konk Ar Lab]] (Concarneau)", "* [[Konk Ar Lab]] (Concarneau, 29)"),
                    ("* [[La Myne]]\n", "* [[La Myne]]\n* [[La Californie]] – Toucy\n")],
    })
    report = run_sync(app)
    assert report.exit_code == EXIT_OK, [str(r.error) for r in report.lists]
    fab, mov = entries(wikis, "fabmob"), entries(wikis, "movilab")
    assert fab == mov
    assert "Ateliers Jean Moulin" not in fab  # the person's removal on FabMob
    assert fab["Konk Ar Lab"].startswith(" (Concarneau, 29)")  # the person's change on Movilab
    assert fab["La Californie"] == " – Toucy"  # the person's addition on Movilab
    assert "Écrire à l'équipe, s'il vous plaît." in wikis.text("fabmob", FAB)  # outside the list
    assert {"Gare Vivante", "Port du Rhin"} <= set(fab)  # what the sync was there for


def test_a_persons_edit_that_conflicts_with_the_sync_is_kept_and_reported(wikis):
    assert run_sync(App(load_config(wikis.config))).exit_code == EXIT_OK
    edit(wikis.peer("fabmob"), FAB, "* [[La Myne]]\n", "* [[La Myne]]\n* Gare Vivante – Lyon\n")
    app = App(load_config(wikis.config))
    person_edits_before_saves(wikis, app, {"movilab": [
        ("* [[La Myne]]\n", "* [[La Myne]]\n* Gare Vivante – Lyon (69), près de Perrache\n"),
    ]})
    report = run_sync(app)
    assert report.exit_code == EXIT_ATTENTION, [str(r.error) for r in report.lists]
    assert [c.key for r in report.lists for c in r.conflicts] == ["Gare Vivante"]
    assert entries(wikis, "movilab")["Gare Vivante"] == " – Lyon (69), près de Perrache"
    assert entries(wikis, "fabmob")["Gare Vivante"] == " – Lyon"


# --------------------------------------------------------------------------- record fields


def test_a_field_edited_by_hand_with_the_bots_own_account_reaches_the_other_wiki(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    edit(person(wikis, "movilab"), "Konk Ar Lab", "|Ville=Concarneau",
         "|Ville=Concarneau (Finistère)")
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "changed fabmob:Konk Ar Lab: wikisync: ville (lieu)" in result.stdout
    assert "|villes d'implantation=Concarneau (Finistère)\n" in wikis.text("fabmob", "Konk Ar Lab")
    report = run_sync(App(load_config(wikis.config)))  # and nothing more to do
    assert report.exit_code == EXIT_OK
    assert [c for f in report.fields for c in f.changes] == []


def test_a_record_edited_with_the_bots_own_account_during_a_field_sync_keeps_both(wikis):
    assert run_sync(App(load_config(wikis.config))).exit_code == EXIT_OK
    edit(wikis.peer("movilab"), "Konk Ar Lab", "|Ville=Concarneau",
         "|Ville=Concarneau (Finistère)")
    who = person(wikis, "fabmob")
    app = App(load_config(wikis.config))
    site = app.site("fabmob")
    real_save = site.save
    landed = []

    def person_edits_first(page: Page, text: str, summary: str, **kw) -> Page:
        if page.title == "Konk Ar Lab" and not landed:
            landed.append(edit(who, "Konk Ar Lab", "|Adherent=oui", "|Adherent=non"))
        return real_save(page, text, summary, **kw)

    site.save = person_edits_first
    report = run_sync(app)
    assert report.exit_code == EXIT_OK, [str(e) for f in report.fields for e in f.errors]
    text = wikis.text("fabmob", "Konk Ar Lab")
    assert "|Adherent=non\n" in text  # the person's edit
    assert "|villes d'implantation=Concarneau (Finistère)\n" in text  # the sync's
    revids = sorted(c.revid for f in report.fields for c in f.changes)
    assert revids == sorted(r["revid"] for r in history(wikis, "fabmob", "Konk Ar Lab")[:3])
    assert history(wikis, "fabmob", "Konk Ar Lab")[3]["revid"] == landed[0]
