"""Unit tests of the audit's pure finding functions, its orchestration over a fake wiki, and the
report formats. No network."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wikisync import audit, report
from wikisync.audit import AuditOptions, AuditResult
from wikisync.cli.audit import TerminalProgress
from wikisync.config import ListConfig, PageRef
from wikisync.errors import UsageError
from wikisync.lists import LinkContext
from wikisync.listsync import parse_page
from wikisync.mapping import FieldSpec, Mapping, WikiMapping
from wikisync.model import Finding, ListEntry, Page, Record
from wikisync.planner import plan_list
from wikisync.state import State

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def lieu_mapping(ignore: tuple[str, ...] = (), stale: int = 365) -> Mapping:
    fields = {
        "nom": FieldSpec("nom", required=True),
        "ville": FieldSpec("ville", required=True),
        "code_postal": FieldSpec("code_postal", pattern="^[0-9]{5}$"),
        "site_web": FieldSpec("site_web", type="url"),
        "themes": FieldSpec("themes", type="list", choices=("vélo", "numérique")),
        "adherent": FieldSpec("adherent", type="choice", choices=("oui", "non")),
    }
    wikis = {
        "a": WikiMapping("Acteur", category="Acteur", params={
            "nom": "Titre", "ville": "villes d'implantation", "site_web": "url",
            "themes": "Theme", "adherent": "Adherent"}),
        "b": WikiMapping("Tiers-Lieux", category="Tiers-Lieux", params={
            "nom": "Titre", "ville": "Ville", "code_postal": "Code postal"}),
    }
    return Mapping("lieu", "{nom}", fields, wikis, stale_after_days=stale, ignore=ignore)


def record(wiki: str, title: str, **fields: str) -> Record:
    return Record("lieu", wiki, title, dict(fields))


# --------------------------------------------------------------------------- stale


def test_stale_names_the_last_edit_date_and_author():
    page = Page("Vieux", timestamp="2019-03-01T09:00:00Z", user="Contributrice")
    finding = audit.stale_finding("a", page, 365, NOW)
    assert finding == Finding(
        "stale", "a", "Vieux", None,
        "dernière modification le 2019-03-01 par Contributrice (seuil : 365 jours)",
        detail_en="last edited on 2019-03-01 by Contributrice (threshold: 365 days)",
    )


@pytest.mark.parametrize("timestamp", ["2025-11-28T12:00:00Z", "2026-11-01T00:00:00Z", "", "x"])
def test_not_stale_at_the_threshold_recent_or_without_timestamp(timestamp):
    page = Page("P", timestamp=timestamp, user="U")
    assert audit.stale_finding("a", page, 365, NOW) is None


def test_stale_one_day_past_the_threshold():
    page = Page("P", timestamp="2025-11-27T11:59:00Z", user="U")
    assert audit.stale_finding("a", page, 365, NOW) is not None


# --------------------------------------------------------------------------- fields


def test_missing_required_field_names_the_wiki_parameter():
    findings = audit.field_findings(lieu_mapping(), record("a", "Garage", nom="Garage", ville=""))
    assert [(f.code, f.field) for f in findings] == [("missing-field", "ville")]
    assert "villes d'implantation" in findings[0].detail
    assert "{{Acteur}}" in findings[0].detail


def test_invalid_field_gives_value_and_expectation():
    rec = record("b", "La Californie", nom="La Californie", ville="Toucy", code_postal="1446")
    findings = audit.field_findings(lieu_mapping(), rec)
    assert [(f.code, f.field) for f in findings] == [("invalid-field", "code_postal")]
    assert "« 1446 »" in findings[0].detail
    assert "^[0-9]{5}$" in findings[0].detail
    assert "Code postal" in findings[0].detail


def test_invalid_list_item_and_choice_and_url():
    rec = record("a", "X", nom="X", ville="Y", themes="vélo, cuisine", adherent="peut-être",
                 site_web="www.example.org")
    findings = audit.field_findings(lieu_mapping(), rec)
    by_field = {f.field: f for f in findings}
    assert set(by_field) == {"themes", "adherent", "site_web"}
    assert "élément « cuisine »" in by_field["themes"].detail
    assert "oui, non" in by_field["adherent"].detail
    assert "adresse web" in by_field["site_web"].detail


def test_clean_record_has_no_field_finding():
    rec = record("a", "La Myne", nom="La Myne", ville="Villeurbanne", themes="vélo,numérique",
                 site_web="https://www.lamyne.org/?page=accueil&lang=fr", adherent="non")
    assert audit.field_findings(lieu_mapping(), rec) == []


def test_required_field_not_mapped_on_the_wiki_is_not_missing():
    mapping = lieu_mapping()
    mapping.fields["code_postal"] = FieldSpec("code_postal", required=True)
    rec = record("a", "X", nom="X", ville="Y")  # wiki "a" does not map code_postal
    assert audit.field_findings(mapping, rec) == []


def test_expectation_wording():
    assert audit.expectation(FieldSpec("d", type="date")) == "une date AAAA-MM-JJ"
    assert audit.expectation(FieldSpec("c", pattern="^[0-9]{5}$")) == (
        "une valeur au format ^[0-9]{5}$")
    assert audit.expectation(FieldSpec("t", type="list", choices=("a", "b"))).startswith(
        "une liste séparée par des virgules, chaque élément étant une des valeurs : a, b")


def test_missing_template_names_category_template_and_reason():
    finding = audit.missing_template_finding(lieu_mapping(), "b", Page("Libres"), "no call")
    assert finding.code == "missing-template"
    assert (finding.wiki, finding.title, finding.field) == ("b", "Libres", None)
    assert "« Tiers-Lieux »" in finding.detail and "{{Tiers-Lieux}}" in finding.detail
    assert finding.detail.endswith("(no call)")


# --------------------------------------------------------------------------- across wikis


def test_only_on_reported_on_the_wiki_that_has_the_record():
    titles = {"a": ["Konk Ar Lab", "Garage"], "b": ["Konk Ar Lab", "La Machinerie"]}
    findings = audit.only_on_findings(["a", "b"], titles)
    assert [(f.code, f.wiki, f.title) for f in findings] == [
        ("only-on", "a", "Garage"), ("only-on", "b", "La Machinerie")]
    assert findings[0].detail == "fiche présente sur a ; absente de b"


def test_only_on_with_three_wikis_names_every_missing_one():
    findings = audit.only_on_findings(["a", "b", "c"], {"a": [], "b": ["X"], "c": ["X"]})
    assert [(f.wiki, f.title, f.detail) for f in findings] == [
        ("b", "X", "fiche présente sur b, c ; absente de a")]


def test_only_on_counts_a_folded_spelling_as_present():
    titles = {"a": ["Le WIP"], "b": ["Le Wip"]}
    assert audit.only_on_findings(["a", "b"], titles) == []


def test_duplicate_names_both_titles_and_is_reported_once():
    titles = {"a": ["Le WIP"], "b": ["Le WIP", "Le Wip"]}
    findings = audit.duplicate_findings(titles)
    assert len(findings) == 1
    f = findings[0]
    assert (f.code, f.wiki, f.title) == ("duplicate", "b", "Le Wip")
    assert "« Le WIP » (a, b)" in f.detail


def test_duplicate_folds_accents_and_punctuation_but_not_same_title_on_two_wikis():
    assert audit.duplicate_findings({"a": ["La Myne"], "b": ["La Myne"]}) == []
    findings = audit.duplicate_findings({"a": ["L’Établi"], "b": ["l'etabli"]})
    assert [(f.wiki, f.title) for f in findings] == [("b", "L'etabli")]


# --------------------------------------------------------------------------- lists


CTX = LinkContext.from_data({
    "a": {"article_urls": ["https://a.example/wiki/"], "interwiki": {"bb": "b"}},
    "b": {"article_urls": ["https://b.example/wiki/"]},
})
LIST = ListConfig("tl", "lieu", {"a": PageRef("Liste A", "Lieux"),
                                 "b": PageRef("Liste B", "Lieux")})


def list_page(wiki: str, items: str):
    text = f"Intro.\n\n== Lieux ==\n{items}\n== Autre ==\nFin.\n"
    return parse_page(LIST, wiki, Page(f"Liste {wiki.upper()}", text, revid=1), CTX)


def test_red_link_for_links_and_plain_names_of_pages_that_exist_nowhere():
    lp = list_page("a", "* [[Lieu Fantôme]] – Nulle-Part\n* [[bb:La Machinerie]]\n"
                        "* Ateliers Jean Moulin, Plouhinec\n* [https://ailleurs.example/ X]\n"
                        "* [[Konk Ar Lab]]\n* La Myne – Villeurbanne\n"
                        "* Le Bocal [https://bocal.example.org site]\n")
    existing = {("b", "La Machinerie"), ("a", "Konk Ar Lab"), ("b", "La Myne")}
    findings = audit.red_link_findings(lp, CTX, lambda w, t: (w, t) in existing)
    assert [(f.code, f.wiki, f.title) for f in findings] == [("red-link", "a", "Liste A")] * 3
    assert "« [[Lieu Fantôme]] – Nulle-Part »" in findings[0].detail
    assert "pointe vers « Lieu Fantôme »" in findings[0].detail
    assert "« Ateliers Jean Moulin, Plouhinec »" in findings[1].detail
    assert "nomme « Ateliers Jean Moulin »" in findings[1].detail
    assert "nomme « Le Bocal »" in findings[2].detail  # the words, not the link's "site"


def test_red_link_respects_ignored_titles():
    lp = list_page("a", "* [[Lieu Fantôme]]\n")
    assert audit.red_link_findings(lp, CTX, lambda w, t: False,
                                   lambda t: t == "Lieu Fantôme") == []


def test_entry_duplicates_on_one_page():
    lp = list_page("a", "* [[Le WIP]]\n* [[Konk Ar Lab]]\n* [[Le Wip]] – doublon\n")
    findings = audit.entry_duplicate_findings(lp)
    assert [(f.code, f.wiki, f.title) for f in findings] == [("duplicate", "a", "Liste A")]
    assert "« Le WIP », « Le Wip »" in findings[0].detail


def test_list_drift_names_missing_entries_and_where_they_are():
    pages = {"a": list_page("a", "* [[X]]\n* [[Y]]\n"), "b": list_page("b", "* [[X]]\n* [[Z]]\n")}
    plan = plan_list({w: lp.entries for w, lp in pages.items()}, None)
    findings = audit.list_drift_findings("tl", pages, plan)
    assert [(f.code, f.wiki, f.title) for f in findings] == [
        ("list-drift", "a", "Liste A"), ("list-drift", "b", "Liste B")]
    assert findings[0].detail.endswith("manquantes ici : Z (sur b)")
    assert findings[1].detail.endswith("manquantes ici : Y (sur a)")


def test_identical_lists_do_not_drift():
    pages = {"a": list_page("a", "* [[X]] – un\n"), "b": list_page("b", "* [[X]] – un\n")}
    plan = plan_list({w: lp.entries for w, lp in pages.items()}, None)
    assert audit.list_drift_findings("tl", pages, plan) == []


def test_list_drift_with_base_reports_removal_change_and_conflict():
    base = {k: ListEntry(k, None, " – un") for k in ("X", "Y", "W")}
    pages = {
        "a": list_page("a", "* [[X]] – un\n* [[Y]] – deux\n* [[W]] – trois\n"),
        "b": list_page("b", "* [[Y]] – un\n* [[W]] – quatre\n"),
    }
    plan = plan_list({w: lp.entries for w, lp in pages.items()}, base)
    details = {f.wiki: f.detail for f in audit.list_drift_findings("tl", pages, plan)}
    assert "à retirer : X (retirée sur b)" in details["a"]
    assert "à modifier : Y (écrite autrement sur a)" in details["b"]
    assert "en conflit : W (modifiée différemment selon les pages)" in details["a"]
    assert "en conflit : W" in details["b"]


# --------------------------------------------------------------------------- orchestration


@dataclass
class FakeSite:
    """Category members of one wiki; counts how the audit reads them."""

    categories: dict[str, list[Page]]
    reads: list[str] = field(default_factory=list)

    def category_pages(self, category: str):
        self.reads.append(category)
        yield from self.categories.get(category, [])


@dataclass
class FakeConfig:
    wikis: dict[str, object]
    state_dir: Path

    def wiki(self, name: str) -> object:
        if name not in self.wikis:
            raise UsageError(f"unknown wiki {name!r}")
        return self.wikis[name]

    def lists_of_kind(self, kind: str) -> tuple:
        return ()


@dataclass
class FakeApp:
    sites: dict[str, FakeSite]
    mappings: dict[str, Mapping]
    config: FakeConfig

    def site(self, name: str) -> FakeSite:
        return self.sites[name]

    def mapping(self, kind: str) -> Mapping:
        if kind not in self.mappings:
            raise UsageError(f"unknown kind {kind!r}")
        return self.mappings[kind]


def fake_app(tmp_path: Path, mapping: Mapping) -> FakeApp:
    recent = "2026-10-01T00:00:00Z"
    a = [
        Page("Konk Ar Lab", "{{Acteur|Titre=Konk Ar Lab|villes d'implantation=Concarneau}}",
             1, recent, "U"),
        Page("Vieux", "{{Acteur|Titre=Vieux|villes d'implantation=Limoges}}", 2,
             "2024-01-01T00:00:00Z", "Ancien"),
        Page("Sans modèle", "Texte.", 3, recent, "U"),
    ]
    b = [Page("Konk Ar Lab", "{{Tiers-Lieux|Titre=Konk Ar Lab|Ville=Concarneau}}", 4, recent,
              "U")]
    sites = {"a": FakeSite({"Acteur": a}), "b": FakeSite({"Tiers-Lieux": b})}
    config = FakeConfig({"a": object(), "b": object()}, tmp_path / "state")
    return FakeApp(sites, {"lieu": mapping}, config)


def codes(result: AuditResult) -> set[tuple[str, str, str]]:
    return {(f.code, f.wiki, f.title) for f in result.findings}


def test_run_audit_uses_the_mapping_stale_days_and_reads_each_category_once(tmp_path):
    app = fake_app(tmp_path, lieu_mapping(stale=365))
    result = audit.run_audit(app, now=NOW)
    assert codes(result) == {
        ("stale", "a", "Vieux"),
        ("missing-template", "a", "Sans modèle"),
        ("only-on", "a", "Vieux"),
    }
    assert result.pages_read == 4
    assert app.sites["a"].reads == ["Acteur"] and app.sites["b"].reads == ["Tiers-Lieux"]


def test_run_audit_stale_days_option_overrides_the_mapping(tmp_path):
    app = fake_app(tmp_path, lieu_mapping(stale=365))
    result = audit.run_audit(app, AuditOptions(stale_days=3000), now=NOW)
    assert ("stale", "a", "Vieux") not in codes(result)
    assert ("only-on", "a", "Vieux") in codes(result)


def test_run_audit_ignores_mapping_and_option_titles(tmp_path):
    app = fake_app(tmp_path, lieu_mapping(ignore=("vieux",)))
    result = audit.run_audit(app, AuditOptions(ignore=("Sans_modèle",)), now=NOW)
    assert result.findings == [] and result.clean


def test_run_audit_wiki_option_keeps_that_wiki_but_reads_the_others(tmp_path):
    app = fake_app(tmp_path, lieu_mapping())
    result = audit.run_audit(app, AuditOptions(wikis=("b",)), now=NOW)
    assert result.findings == []
    assert app.sites["a"].reads == ["Acteur"]  # read for the cross-wiki checks


def test_run_audit_unknown_wiki_or_kind_is_a_usage_error_before_reading(tmp_path):
    app = fake_app(tmp_path, lieu_mapping())
    with pytest.raises(UsageError) as wiki_error:
        audit.run_audit(app, AuditOptions(wikis=("c",)), now=NOW)
    with pytest.raises(UsageError) as kind_error:
        audit.run_audit(app, AuditOptions(kinds=("lieux",)), now=NOW)
    assert "'c'" in str(wiki_error.value)
    assert "'lieux'" in str(kind_error.value)
    assert app.sites["a"].reads == []


def test_scan_pages_keeps_titles_not_pages(tmp_path):
    app = fake_app(tmp_path, lieu_mapping())
    scan = audit._KindScan()
    progress: list[int] = []
    audit.scan_pages(lieu_mapping(), "a", app.sites["a"].category_pages("Acteur"),
                     stale_days=365, now=NOW, ignored=lambda t: False, scan=scan,
                     progress=lambda what, n: progress.append(n))
    assert scan.titles == {"a": ["Konk Ar Lab", "Vieux"]}
    assert progress == [1, 2, 3]


def test_scan_pages_keeps_each_records_sync_values_beside_its_title(tmp_path):
    mapping = lieu_mapping()
    mapping = type(mapping)(**{**mapping.__dict__, "sync": ("code_postal", "ville")})
    app = fake_app(tmp_path, mapping)
    scan = audit._KindScan()
    for wiki, category in (("a", "Acteur"), ("b", "Tiers-Lieux")):
        audit.scan_pages(mapping, wiki, app.sites[wiki].category_pages(category),
                         stale_days=365, now=NOW, ignored=lambda t: False, scan=scan)
    assert scan.synced == {"a": [("", "Concarneau"), ("", "Limoges")], "b": [("", "Concarneau")]}
    assert scan.named == []


def test_the_audit_pairs_records_by_their_counterpart_and_suggests_pairs_by_sync_values(
        tmp_path):
    mapping = lieu_mapping()
    wikis = {**mapping.wikis, "b": WikiMapping(
        "Tiers-Lieux", category="Tiers-Lieux", counterparts={"a": "Page A"},
        params=mapping.wikis["b"].params)}
    mapping = type(mapping)(**{**mapping.__dict__, "sync": ("ville",), "wikis": wikis})
    recent = "2026-10-01T00:00:00Z"
    a = [Page("WIP Colombelles", "{{Acteur|Titre=WIP|villes d'implantation=Colombelles}}", 1,
              recent, "U"),
         Page("La Myne", "{{Acteur|Titre=La Myne|villes d'implantation=Villeurbanne}}", 2,
              recent, "U")]
    b = [Page("Le WIP", "{{Tiers-Lieux|Titre=Le WIP|Ville=colombelles}}", 3, recent, "U"),
         Page("Myne", "{{Tiers-Lieux|Titre=Myne|Ville=Lyon|Page A=La Myne}}", 4, recent, "U")]
    app = FakeApp({"a": FakeSite({"Acteur": a}), "b": FakeSite({"Tiers-Lieux": b})},
                  {"lieu": mapping}, FakeConfig({"a": object(), "b": object()}, tmp_path))
    result = audit.run_audit(app, now=NOW)
    only_on = {f.title: f.detail for f in result.findings if f.code == "only-on"}
    assert set(only_on) == {"WIP Colombelles", "Le WIP"}  # La Myne and Myne are one record
    assert 'same: [{a: "WIP Colombelles", b: "Le WIP"}]' in only_on["Le WIP"]


# --------------------------------------------------------------------------- reports


SAMPLE = [
    Finding("stale", "a", "Vieux", None, "dernière modification le 2019-03-01 par U"),
    Finding("invalid-field", "b", "La Californie", "code_postal", "valeur « 1446 » | {{x}}"),
    Finding("only-on", "b", "La Californie", None, "fiche présente sur b ; absente de a"),
]


def sample_result(findings=SAMPLE) -> AuditResult:
    return AuditResult(list(findings), ("lieu",), ("a", "b"), NOW, 12)


def test_counts_hold_every_code():
    counts = sample_result().counts
    assert list(counts) == list(audit.CODES)
    assert counts["stale"] == 1 and counts["duplicate"] == 0 and sum(counts.values()) == 3


def test_json_is_one_document_with_counts_and_findings():
    doc = json.loads(report.as_json(sample_result()))
    assert doc["total"] == 3
    assert doc["counts"]["invalid-field"] == 1
    assert doc["generated_at"] == "2026-11-28T12:00:00Z"
    assert doc["findings"][1] == {"code": "invalid-field", "wiki": "b", "title": "La Californie",
                                  "field": "code_postal", "detail": "valeur « 1446 » | {{x}}",
                                  "kind": None, "url": None,
                                  "detail_fr": "valeur « 1446 » | {{x}}"}


def test_csv_holds_the_same_findings_as_json():
    rows = list(csv.DictReader(io.StringIO(report.as_csv(sample_result()))))
    doc = json.loads(report.as_json(sample_result()))
    assert [{k: v or "" for k, v in f.items()} for f in doc["findings"]] == rows


def test_table_groups_by_code_with_counts():
    text = report.as_table(sample_result())
    lines = text.splitlines()
    assert lines[0] == "stale (1)"
    assert "invalid-field (1)" in lines and "only-on (1)" in lines
    assert lines.index("invalid-field (1)") < lines.index("only-on (1)")
    assert lines[-1].startswith("3 findings: stale 1, invalid-field 1, only-on 1.")


def test_table_when_clean():
    assert report.as_table(sample_result([])).startswith("No findings: 1 kind(s) (lieu)")


def test_wikitext_has_a_sortable_table_per_code_with_links_and_escaped_details():
    text = report.as_wikitext(sample_result(), lambda wiki, title: f"[[:{title}]]")
    assert text.count('{| class="wikitable sortable"') == 4  # counts + 3 codes
    assert "== Valeurs invalides (1) ==" in text
    assert "Rapport du 28 novembre 2026 à 12:00 UTC." in text
    assert "'''3 constats'''" in text
    row = "| b || [[:La Californie]] || <nowiki>code_postal</nowiki> || " \
          "<nowiki>valeur « 1446 » | {{x}}</nowiki>"
    assert row in text.splitlines()


def test_same_report_ignores_only_the_date_line():
    first = report.as_wikitext(sample_result(), lambda w, t: t)
    later = AuditResult(list(SAMPLE), ("lieu",), ("a", "b"), datetime(2027, 1, 2, tzinfo=UTC))
    second = report.as_wikitext(later, lambda w, t: t)
    assert first != second
    assert report.same_report(first, second)
    changed = report.as_wikitext(sample_result(SAMPLE[:2]), lambda w, t: t)
    assert not report.same_report(first, changed)


def test_link_maker_internal_interwiki_external():
    @dataclass
    class W:
        interwiki: dict
        url: str

        def page_url(self, title: str) -> str:
            return self.url + title.replace(" ", "_")

    class C:
        def __init__(self) -> None:
            self.wikis = {"a": W({"b": "bb"}, "https://a/wiki/"),
                          "b": W({}, "https://b/wiki/"), "c": W({}, "https://c/wiki/")}

        def wiki(self, name):
            return self.wikis[name]

    link = report.link_maker(C(), "a")
    assert link("a", "Le WIP") == "[[:Le WIP]]"
    assert link("b", "Le WIP") == "[[:bb:Le WIP|Le WIP]]"
    assert link("c", "Le WIP") == "[https://c/wiki/Le_WIP <nowiki>Le WIP</nowiki>]"


# --------------------------------------------------------------------------- progress


def test_progress_waits_then_overwrites_one_line_then_erases(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("wikisync.cli.audit.time.monotonic", lambda: clock[0])
    out = io.StringIO()
    progress = TerminalProgress(out, delay=1.0, every=0.0)
    progress("lieu / a", 10)
    assert out.getvalue() == ""
    clock[0] = 101.5
    progress("lieu / a", 60)
    assert out.getvalue() == "\raudit: lieu / a: 60 page(s) read"
    progress.close()
    assert out.getvalue().endswith("\r" + " " * len("audit: lieu / a: 60 page(s) read") + "\r")



def test_the_audit_reads_the_sync_state_without_changing_it(tmp_path):
    assert audit._open_state(tmp_path / "none") is None
    assert not (tmp_path / "none").exists()
    State(tmp_path).save_list("l", {"A": ListEntry("A")}, {"fabmob": ("P", 3)})
    state = audit._open_state(tmp_path)
    assert list(state.list_base("l").entries) == ["A"]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        state.save_list("l", {}, {})
