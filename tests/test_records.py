"""Reading the records of several wikis (pure: in-memory wikis, no server)."""

from __future__ import annotations

import threading

import pytest

from tests.test_audit import lieu_mapping
from wikisync.model import Page, Record
from wikisync.records import read_records_of


class BarrierWiki:
    """A wiki whose category read waits until every other wiki's read has begun: reading the
    wikis one after the other breaks the barrier instead of hanging."""

    def __init__(self, barrier: threading.Barrier, pages: dict[str, str]) -> None:
        self.barrier = barrier
        self.pages = pages

    def category_pages(self, category: str):
        self.barrier.wait()
        for title, text in self.pages.items():
            yield Page(title, text, revid=1, timestamp="2026-11-01T00:00:00Z")


def test_the_wikis_are_read_at_once_and_each_keeps_its_order():
    barrier = threading.Barrier(2, timeout=5)
    sites = {
        "a": BarrierWiki(barrier, {"Z": "{{Acteur|Titre=Z}}", "A": "pas de modèle"}),
        "b": BarrierWiki(barrier, {"B": "{{Tiers-Lieux|Titre=B|Ville=Gex}}"}),
    }
    read = read_records_of(sites.__getitem__, lieu_mapping(), ["a", "b"])
    assert list(read) == ["a", "b"]
    assert [(type(item).__name__, item.title) for item in read["a"]] == [
        ("Record", "Z"), ("Page", "A")]  # a page without the template comes back bare
    [b] = read["b"]
    assert isinstance(b, Record) and b.fields == {"nom": "B", "ville": "Gex"}


def test_a_failing_wiki_fails_the_read():
    class Down:
        def category_pages(self, category: str):
            raise ConnectionError("b is down")
            yield  # a generator, as a Site's read is

    sites = {"a": BarrierWiki(threading.Barrier(1), {}), "b": Down()}
    with pytest.raises(ConnectionError, match="b is down"):
        read_records_of(sites.__getitem__, lieu_mapping(), ["a", "b"])


# --- one rule for parameter names (issue 12) ---------------------------------------------------

WIP_WITH_UNDERSCORE = "{{Tiers-Lieux\n|Titre=Le WIP\n|Ville=Colombelles\n|code_postal=14000\n}}\n"


def test_set_changes_a_parameter_written_with_an_underscore_instead_of_adding_one():
    from wikisync.records import plan_field_edit, record_from_page

    page = Page("Le WIP", WIP_WITH_UNDERSCORE, revid=1, timestamp="2026-11-01T00:00:00Z")
    mapping = lieu_mapping()  # wiki b maps code_postal to "Code postal"
    assert record_from_page(mapping, "b", page).fields["code_postal"] == "14000"
    new = plan_field_edit(mapping, "b", page, {"code_postal": "14460"})
    assert new == WIP_WITH_UNDERSCORE.replace("14000", "14460")  # the same parameter, in place
    assert record_from_page(mapping, "b", Page("Le WIP", new)).fields["code_postal"] == "14460"
