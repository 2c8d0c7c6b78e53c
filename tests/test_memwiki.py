"""The in-memory wiki: it offers everything Site offers (checked member by member, so that the two
cannot drift apart silently) and behaves as MediaWiki does where wikisync cares."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import pytest

import wikisync
from wikisync.errors import (
    ConcurrentEditError,
    EditConflictError,
    EditError,
    PageExistsError,
    UnreachableError,
)
from wikisync.memwiki import MemoryWiki
from wikisync.model import Page
from wikisync.site import Site

#: Site's raw transport (one API call, one query, the HTTP session): the memory wiki has no API
#: to call. Nothing but site.py may use them (checked below), so the protocol holds without them.
TRANSPORT = {"call", "query", "session"}


def public_members(cls: type, instance: object) -> dict[str, object]:
    """Every public name of a class and of one of its instances (what __post_init__ sets)."""
    names = {n for n in dir(cls) if not n.startswith("_")}
    if dataclasses.is_dataclass(cls):
        names |= {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")}
    names |= {n for n in vars(instance) if not n.startswith("_")}
    return {n: inspect.getattr_static(instance, n) for n in sorted(names)}


def drift(model: type, model_obj: object, other: type, other_obj: object,
          leave_out: set[str] = frozenset()) -> list[str]:
    """How ``other`` fails to offer what ``model`` offers: a missing name, a method where a
    value is expected (or the reverse), a property that is not one, a parameter missing, moved,
    of another kind or without the default, another return annotation."""
    problems = []
    theirs = public_members(other, other_obj)
    for name, member in public_members(model, model_obj).items():
        if name in leave_out:
            continue
        if name not in theirs:
            problems.append(f"{name}: missing")
            continue
        ours = theirs[name]
        if isinstance(member, property) != isinstance(ours, property):
            problems.append(f"{name}: property on one side only")
            continue
        if not inspect.isfunction(member):
            if inspect.isfunction(ours):
                problems.append(f"{name}: a method, where Site has a value")
            continue
        if not inspect.isfunction(ours):
            problems.append(f"{name}: not a method")
            continue
        problems += [f"{name}: {p}" for p in _signature_drift(inspect.signature(member),
                                                              inspect.signature(ours))]
    return problems


def _signature_drift(model: inspect.Signature, other: inspect.Signature) -> list[str]:
    problems = []
    mine, theirs = list(model.parameters.values()), list(other.parameters.values())
    by_name = {p.name: p for p in theirs}
    for i, param in enumerate(mine):
        twin = by_name.get(param.name)
        if twin is None:
            problems.append(f"no parameter {param.name!r}")
            continue
        if twin.kind != param.kind:
            problems.append(f"parameter {param.name!r} is {twin.kind}, not {param.kind}")
        if param.kind is param.POSITIONAL_OR_KEYWORD and theirs.index(twin) != i:
            problems.append(f"parameter {param.name!r} at another position")
        if param.default is not param.empty and twin.default != param.default:
            problems.append(f"parameter {param.name!r} defaults to {twin.default!r}, "
                            f"not {param.default!r}")
    extra = [p.name for p in theirs if p.name not in {q.name for q in mine}
             and p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    problems += [f"extra required parameter {name!r}" for name in extra]
    if other.return_annotation != model.return_annotation:
        problems.append(f"returns {other.return_annotation}, not {model.return_annotation}")
    return problems


def a_site() -> Site:
    return Site(name="x", api_url="https://x.invalid/api.php")  # no request is sent


def test_the_memory_wiki_offers_every_public_member_of_site():
    assert drift(Site, a_site(), MemoryWiki, MemoryWiki("x"), TRANSPORT) == []


def test_the_protocol_check_sees_a_wiki_that_drifted():
    class Drifted(MemoryWiki):
        def read(self, titles: list[str], content: bool) -> dict[str, Page]:  # extra required
            return {}

        def history(self, title: str, limit: int = 50) -> list:  # another default, return
            return []

        def save(self, page: Page, text: str, summary: str, create: bool = False) -> Page:
            return page  # create no longer keyword-only

        category_title = None  # a value where Site has a method

    problems = drift(Site, a_site(), Drifted, Drifted("x"), TRANSPORT | {"texts"})
    assert "read: extra required parameter 'content'" in problems
    assert "history: parameter 'limit' defaults to 50, not 500" in problems
    assert "history: returns list, not list[HistoryEntry]" in problems
    assert any(p.startswith("save: parameter 'create' is POSITIONAL_OR_KEYWORD") for p in problems)
    assert "category_title: not a method" in problems
    assert len(problems) == 5

    class Partial:
        name = "x"

    assert "read: missing" in drift(Site, a_site(), Partial, Partial())
    assert "saved_revids: missing" in drift(Site, a_site(), Partial, Partial())


def test_only_site_uses_the_raw_transport():
    package = Path(wikisync.__file__).parent
    users = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "site.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("call", "query")
            if called or (isinstance(node, ast.Attribute) and node.attr == "session"):
                users.append(f"{path.relative_to(package)}:{node.lineno}")
    assert users == []


# --------------------------------------------------------------------------- behaviour


@pytest.fixture
def wiki() -> MemoryWiki:
    wiki = MemoryWiki("fabmob")
    wiki.put("Le WIP", "{{Acteur|Titre=Le WIP}}\n[[Catégorie:Acteur]]")
    return wiki


def test_a_save_on_the_revision_read_makes_a_revision_with_its_summary(wiki):
    page = wiki.read(["le_WIP"])["le_WIP"]
    assert page.title == "Le WIP" and page.exists and page.starttimestamp
    saved = wiki.save(page, "Nouveau texte.  \n", "wikisync: test")
    assert saved.revid > page.revid and saved.user == "Bot"
    assert wiki.text("Le WIP") == "Nouveau texte."  # trailing whitespace trimmed
    assert wiki.saved_revids == [saved.revid]
    assert wiki.history("Le WIP")[0].comment == "wikisync: test"
    assert wiki.history("Le WIP")[1].revid == page.revid


def test_a_save_on_an_older_revision_is_refused_and_changes_nothing(wiki):
    page = wiki.read(["Le WIP"])["Le WIP"]
    wiki.put("Le WIP", "Une personne est passée.")
    with pytest.raises(EditConflictError) as caught:
        wiki.save(page, "Texte de wikisync.", "wikisync: test")
    assert not isinstance(caught.value, ConcurrentEditError)
    assert wiki.text("Le WIP") == "Une personne est passée."
    assert wiki.saved_revids == []


def test_createonly_and_nocreate(wiki):
    with pytest.raises(PageExistsError):
        wiki.save(Page("Le WIP", exists=False), "x", "s", create=True)
    with pytest.raises(EditError):
        wiki.save(wiki.read(["Absente"])["Absente"], "x", "s")
    assert "Absente" not in wiki.pages
    created = wiki.save(Page("Absente", exists=False), "Nouvelle.", "s", create=True)
    assert wiki.read(["Absente"])["Absente"].revid == created.revid


def test_a_save_that_changes_nothing_makes_no_revision(wiki):
    page = wiki.read(["Le WIP"])["Le WIP"]
    assert wiki.save(page, page.text + "\n\n", "s").revid == page.revid
    assert len(wiki.pages["Le WIP"]) == 1 and wiki.saved_revids == []


def test_a_protected_page_refuses_edits_and_says_so_before(wiki):
    wiki.protected["le WIP"] = "edit=sysop"
    assert wiki.write_access(["Le WIP", "Autre"]).refused == {"Le WIP": "edit=sysop"}
    with pytest.raises(EditError):
        wiki.save(wiki.read(["Le WIP"])["Le WIP"], "x", "s")


def test_category_members_come_from_the_text_and_from_the_table(wiki):
    wiki.put("La Myne", "{{Acteur|Titre=La Myne}}")
    wiki.put("Lien", "Voir [[:Catégorie:Acteur]].")  # a link to the category, not a member
    wiki.categories["Category:acteur"] = {"La Myne"}
    assert [p.title for p in wiki.category_pages("Acteur")] == ["La Myne", "Le WIP"]
    assert [p.title for p in wiki.category_pages("Catégorie:Tiers-Lieux")] == []
    assert wiki.category_title("category:acteur") == "Catégorie:Acteur"


def test_a_template_can_put_its_pages_in_a_category():
    wiki = MemoryWiki("movilab", template_categories={"Modèle:Tiers-Lieux": "Tiers-Lieux"})
    wiki.put("Le WIP", "{{tiers-Lieux\n|Titre=Le WIP}}\nTexte.")
    wiki.put("Autre", "{{Tiers-Lieux/Carte}} {{Acteur|Titre=Autre}}")
    assert [p.title for p in wiki.category_pages("Tiers-Lieux")] == ["Le WIP"]


def test_redirects_revisions_without_content_and_revisions_by_id(wiki):
    wiki.put("WIP", "#REDIRECTION [[le WIP]]")
    assert wiki.redirects(["WIP", "Le WIP"]) == {"WIP": "Le WIP"}
    latest = wiki.revisions(["Le WIP"])["Le WIP"]
    assert latest.exists and latest.text == "" and latest.revid == 1
    page, parent = wiki.revision(1)
    assert page.text.startswith("{{Acteur") and parent == 0
    assert wiki.texts([1]) == {1: page.text}


def test_recent_changes_leave_out_the_runs_own_revisions(wiki):
    since = wiki.now()
    saved = wiki.save(wiki.read(["Le WIP"])["Le WIP"], "Par wikisync.", "s")
    wiki.put("La Myne", "Par une personne.")
    titles, now = wiki.recent_titles(since, skip=[saved.revid])
    assert titles == {"La Myne"} and now > since
    assert wiki.recent_titles("2020-01-01T00:00:00Z") == (None, "")  # older than they reach


def test_now_is_taken_once_per_run(wiki):
    first = wiki.now()
    wiki.read(["Le WIP"])
    assert wiki.now() == first
    wiki.new_run()
    assert wiki.now() > first


def test_a_deleted_page_comes_back_as_another_page(wiki):
    before = wiki.read(["Le WIP"])["Le WIP"].pageid
    wiki.delete("Le WIP")
    assert not wiki.read(["Le WIP"])["Le WIP"].exists
    wiki.put("Le WIP", "Recréée.")
    assert wiki.read(["Le WIP"])["Le WIP"].pageid not in (0, before)


def test_an_unreachable_wiki_fails_every_request(wiki):
    wiki.unreachable = "the connection was refused (is the wiki up?)"
    for call in (lambda: wiki.read(["Le WIP"]), wiki.login, wiki.siteinfo,
                 lambda: list(wiki.category_pages("Acteur"))):
        with pytest.raises(UnreachableError) as caught:
            call()
        assert caught.value.wiki == "fabmob"


def test_put_back_restores_the_persons_text(wiki):
    planned = wiki.read(["Le WIP"])["Le WIP"]
    wiki.put("Le WIP", "La personne, avec le compte du bot.", user="Bot")
    ours = wiki.put("Le WIP", "Le texte de wikisync.", user="Bot")
    with pytest.raises(ConcurrentEditError) as caught:
        wiki.put_back(planned, ours.revid)
    assert wiki.text("Le WIP") == "La personne, avec le compte du bot."
    assert caught.value.saved[0][0] == ours.revid
