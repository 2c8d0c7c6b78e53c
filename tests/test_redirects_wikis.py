"""A link to a redirect names the lieu the redirect leads to (issue 12), on the real wikis."""

from __future__ import annotations

from wikisync.errors import EXIT_OK

FAB, MOV = "AMI Fabriques de Territoires", "Fabriques de Territoire"
SECTION = "Tiers Lieux intéressés"


def save(wikis, wiki: str, title: str, text: str) -> None:
    peer = wikis.peer(wiki)
    page = peer.read([title])[title]
    peer.save(page, text, "modification humaine", create=not page.exists)


def section(text: str) -> str:
    start = text.index(f"== {SECTION} ==")
    end = text.find("\n== ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_a_link_to_a_redirect_is_the_lieu_it_leads_to(wikis):
    assert wikis.run("sync").returncode == EXIT_OK
    save(wikis, "movilab", "WIP", "#REDIRECTION [[Le WIP]]\n")
    before = wikis.text("fabmob", FAB)
    mov = wikis.text("movilab", MOV)
    assert "* [[Le WIP]] – Colombelles" in mov
    # a person writes the short name, which redirects to the lieu's page
    save(wikis, "movilab", MOV, mov.replace("* [[Le WIP]] – Colombelles",
                                            "* [[WIP]] – Colombelles"))
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    # the same lieu: nothing added, nothing removed on FabMob
    assert wikis.text("fabmob", FAB) == before
    assert section(wikis.text("movilab", MOV)).count("WIP]]") == 1
    # an annotation changed next to the redirect travels as any other
    mov = wikis.text("movilab", MOV)
    save(wikis, "movilab", MOV, mov.replace("* [[WIP]] – Colombelles",
                                            "* [[WIP]] – Colombelles (14)"))
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    fab = wikis.text("fabmob", FAB)
    assert "Le WIP] – Colombelles (14)" in section(fab)
    assert "[[WIP]]" not in fab
    assert "* [[WIP]] – Colombelles (14)" in wikis.text("movilab", MOV)  # as the person wrote


def test_existence_learnt_from_the_redirects_read(wikis):
    """One read of a list's links tells redirects and existence (issue 15): ``exists`` then
    answers without a request what ``revisions`` answers with one, a page saved meanwhile is
    known to exist, and titles that read did not see are asked."""
    save(wikis, "movilab", "WIP", "#REDIRECTION [[Le WIP]]\n")
    titles = ["WIP", "Le WIP", "le WIP", "Lieu qui n'existe pas", "Redirection vers rien"]
    save(wikis, "movilab", "Redirection vers rien", "#REDIRECTION [[Page absente]]\n")
    site = wikis.site("movilab")
    truth = {t: p.exists for t, p in wikis.site("movilab").revisions(
        [*titles, "Page absente", "Tiers-lieu jamais lu"]).items()}
    assert site.redirects(titles) == {"WIP": "Le WIP", "Redirection vers rien": "Page absente"}
    asked = site.session.total
    # asked again (the audit asks a list's links ahead, then with the other wiki's list):
    # the titles known are not sent again, a new one is
    assert site.redirects(["WIP", "Le WIP"]) == {"WIP": "Le WIP"}
    assert site.session.total == asked
    assert site.redirects(["WIP", "Page absente"]) == {"WIP": "Le WIP"}
    assert site.session.total == asked + 1
    asked += 1
    assert site.exists([*titles, "Page absente"]) == {
        t: truth[t] for t in [*titles, "Page absente"]}
    assert site.session.total == asked  # all known from the redirects' answer
    assert site.exists(["Tiers-lieu jamais lu"]) == {"Tiers-lieu jamais lu": False}
    assert site.session.total == asked + 1
    created = site.read(["Lieu qui n'existe pas"])["Lieu qui n'existe pas"]
    site.save(created, "{{Tiers-Lieux}}\nUn lieu.\n", "test", create=True)
    assert site.exists(["Lieu qui n'existe pas"]) == {"Lieu qui n'existe pas": True}
    assert truth["WIP"] and truth["Le WIP"] and not truth["Lieu qui n'existe pas"]
