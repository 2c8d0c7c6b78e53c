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
