"""``wikisync audit`` against the two real local wikis and their seeded faults."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime

import yaml

from wikisync.app import App
from wikisync.audit import AuditOptions, run_audit
from wikisync.config import load_config
from wikisync.devwiki.dump import Revision
from wikisync.devwiki.farm import REPO_ROOT

# Seeded pages without a timestamp of their own carry the dump's default date, which grows old
# as time passes; the audit must then be told how old "stale" is so that only the page seeded as
# stale (2019) is. While the default date is recent, this is the mappings' 365 days.
_SEED_DATE = datetime.fromisoformat(Revision("x", "").timestamp)
STALE_DAYS = str(max(365, (datetime.now(UTC) - _SEED_DATE).days + 30))

# Every seeded fault, found once; nothing on the clean pages. A lieu or projet with a page on one
# wiki only is legitimately "only-on" (the seeds hold several).
EXPECTED = {
    ("stale", "fabmob", "Vieux Tiers-Lieu Oublié", None),
    ("missing-field", "fabmob", "Garage Solidaire du Pays de Bray", "ville"),
    ("invalid-field", "movilab", "La Californie", "code_postal"),
    ("missing-template", "movilab", "Tiers Lieux Libres et Open Source", None),
    ("red-link", "fabmob", "AMI Fabriques de Territoires", None),
    ("list-drift", "fabmob", "AMI Fabriques de Territoires", None),
    ("list-drift", "movilab", "Fabriques de Territoire", None),
    ("duplicate", "movilab", "Le Wip", None),
    # lieux on one wiki only
    ("only-on", "fabmob", "Garage Solidaire du Pays de Bray", None),
    ("only-on", "fabmob", "L'Atelier du Vélo·Solidaire", None),
    ("only-on", "fabmob", "Les Ateliers & Cie 🚲", None),
    ("only-on", "fabmob", "Tiers-lieu d’Écomobilité (Gex)", None),
    ("only-on", "fabmob", "Vieux Tiers-Lieu Oublié", None),
    ("only-on", "movilab", "La Californie", None),
    ("only-on", "movilab", "La Machinerie", None),
    # projets on one wiki only
    ("only-on", "fabmob", "Covoiturage rural en Pays de Gex", None),
    ("only-on", "fabmob", "Vélo-école de La Myne", None),
    ("only-on", "movilab", "Atelier mobilité du WIP", None),
}
# Two red links on the FabMob list page ([[Lieu Fantôme]], plain "Ateliers Jean Moulin") share one
# key of EXPECTED.
FOUND = len(EXPECTED) + 1
PROJETS_ON_ONE_WIKI = ["Covoiturage rural en Pays de Gex", "Vélo-école de La Myne",
                       "Atelier mobilité du WIP"]


def keys(findings: list[dict]) -> list[tuple]:
    return [(f["code"], f["wiki"], f["title"], f["field"] or None) for f in findings]


def audit_json(wikis, *args: str) -> tuple[int, dict]:
    proc = wikis.run("audit", "--stale-days", STALE_DAYS, "--format", "json", *args)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def revisions(wikis, wiki: str, title: str) -> int:
    data = wikis.site(wiki).query(prop="revisions", titles=title, rvprop="ids", rvlimit="max")
    page = data["query"]["pages"][0]
    return len(page.get("revisions", []))


def test_every_seeded_fault_is_found_once_and_nothing_else(wikis):
    code, doc = audit_json(wikis)
    found = keys(doc["findings"])
    assert code == 3
    twice = [("red-link", "fabmob", "AMI Fabriques de Territoires", None)]  # two entries
    assert sorted(found) == sorted([*EXPECTED, *twice])
    assert doc["total"] == FOUND
    assert doc["counts"]["only-on"] == 10 and doc["counts"]["list-drift"] == 2


def test_details_say_what_to_do(wikis):
    _, doc = audit_json(wikis)
    detail: dict[tuple, str] = {}
    for f in doc["findings"]:
        detail[(f["code"], f["title"])] = detail.get((f["code"], f["title"]), "") + f["detail_fr"]
    assert detail[("stale", "Vieux Tiers-Lieu Oublié")].startswith(
        "dernière modification le 2019-03-01 par Contributrice")
    assert "« 1446 »" in detail[("invalid-field", "La Californie")]
    assert "« Le WIP »" in detail[("duplicate", "Le Wip")]
    assert "Lieu Fantôme" in detail[("red-link", "AMI Fabriques de Territoires")]
    # a plain-text entry naming a lieu with no page anywhere is a red link too (issue 12)
    assert "nomme « Ateliers Jean Moulin »" in detail[("red-link", "AMI Fabriques de Territoires")]
    assert "La Myne (sur movilab)" in detail[("list-drift", "AMI Fabriques de Territoires")]
    assert "Lieu Fantôme (sur fabmob)" in detail[("list-drift", "Fabriques de Territoire")]


def test_json_and_csv_hold_the_same_findings(wikis):
    _, doc = audit_json(wikis)
    out = wikis.folder / "audit.csv"
    proc = wikis.run("audit", "--stale-days", STALE_DAYS, "--format", "csv", "--output", str(out))
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [tuple(r.values()) for r in rows] == [
        (f["code"], f["wiki"], f["title"], f["field"] or "", f["detail"], f["kind"], f["url"],
         f["detail_fr"])
        for f in doc["findings"]
    ]
    assert len(rows) == FOUND


def test_table_groups_by_code(wikis):
    proc = wikis.run("audit", "--stale-days", STALE_DAYS)
    assert proc.returncode == 3, proc.stderr
    assert "only-on (10)\n" in proc.stdout
    assert "duplicate (1)\n" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].startswith(f"{FOUND} findings:")
    assert proc.stderr == ""  # no progress line without a terminal


def test_wiki_and_kind_select_findings(wikis):
    code, doc = audit_json(wikis, "--wiki", "movilab", "--kind", "lieu")
    expected = {k for k in EXPECTED if k[1] == "movilab" and k[2] not in PROJETS_ON_ONE_WIKI}
    assert code == 3
    assert set(keys(doc["findings"])) == expected
    assert doc["kinds"] == ["lieu"] and doc["wikis"] == ["movilab"]


def test_clean_with_ignores_exits_0(wikis):
    ignores = [arg for title in PROJETS_ON_ONE_WIKI for arg in ("--ignore", title)]
    proc = wikis.run("audit", "--kind", "projet", "--stale-days", STALE_DAYS, *ignores)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("No findings: 1 kind(s) (projet) on fabmob, movilab")


def test_mapping_ignore_list_quietens_the_audit(wikis):
    mappings = wikis.folder / "mappings"
    shutil.copytree(REPO_ROOT / "mappings", mappings)
    projet = mappings / "projet.yaml"
    data = yaml.safe_load(projet.read_text(encoding="utf-8"))
    data["ignore"] = PROJETS_ON_ONE_WIKI
    projet.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    config["mappings_dir"] = "mappings"
    wikis.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    code, doc = audit_json(wikis, "--kind", "projet")
    assert code == 0
    assert doc["findings"] == [] and doc["total"] == 0


def test_reads_are_batched_not_one_request_per_page(wikis):
    app = App(load_config(wikis.config))
    result = run_audit(app, AuditOptions(stale_days=int(STALE_DAYS)))
    assert result.pages_read == 18
    for name, site in app.sites.items():
        counts = dict(site.session.counts)
        # one category request per kind (lieu, projet), the list page, the existence of its
        # links; plus siteinfo (the category namespace's name)
        assert counts.get("query:prop=revisions") == 4, (name, counts)
        assert site.session.total <= 6, (name, counts)


def test_publish_creates_the_page_then_makes_no_edit_when_nothing_changed(wikis):
    title = "Wikisync:Audit des fiches"
    args = ("audit", "--stale-days", STALE_DAYS, "--wiki", "fabmob", "--publish", title)
    first = wikis.run(*args)
    assert first.returncode == 3, first.stderr
    assert "report published" in first.stderr
    text = wikis.text("fabmob", title)
    assert text.count('{| class="wikitable sortable"') == 6  # counts + 5 codes on fabmob
    assert "[[:Vieux Tiers-Lieu Oublié]]" in text
    assert "'''12 constats'''" in text
    assert revisions(wikis, "fabmob", title) == 1

    second = wikis.run(*args)
    assert second.returncode == 3, second.stderr
    assert "unchanged, no edit" in second.stderr
    assert revisions(wikis, "fabmob", title) == 1
    assert revisions(wikis, "movilab", title) == 0


def test_publish_replaces_the_page_when_findings_change(wikis):
    title = "Audit des fiches"
    base = ("audit", "--stale-days", STALE_DAYS, "--wiki", "movilab", "--publish", title)
    assert wikis.run(*base).returncode == 3
    second = wikis.run(*base, "--ignore", "La Californie")
    assert second.returncode == 3, second.stderr
    text = wikis.text("movilab", title)
    assert revisions(wikis, "movilab", title) == 2
    assert "La Californie" not in text
    assert "[[:Le Wip]]" in text


def test_publish_needs_the_wiki_to_publish_to(wikis):
    proc = wikis.run("audit", "--publish", "Audit des fiches")
    assert proc.returncode == 2
    assert "--publish TITLE needs --to WIKI" in proc.stderr
    assert revisions(wikis, "fabmob", "Audit des fiches") == 0


def test_after_a_sync_the_lists_no_longer_drift(wikis):
    sync = wikis.run("sync")
    assert sync.returncode in (0, 3), sync.stdout + sync.stderr
    code, doc = audit_json(wikis, "--kind", "lieu")
    expected = {k for k in EXPECTED if k[0] != "list-drift" and k[2] not in PROJETS_ON_ONE_WIKI}
    # the red link [[Lieu Fantôme]] reached Movilab as a link: reported there too
    expected.add(("red-link", "movilab", "Fabriques de Territoire", None))
    assert code == 3
    assert set(keys(doc["findings"])) == expected  # the state's base is used: nothing pending


def test_a_list_whose_section_is_gone_is_named_and_the_rest_is_still_reported(wikis):
    title = "Fabriques de Territoire"
    peer = wikis.peer("movilab")
    page = peer.read([title])[title]
    assert "== Tiers Lieux intéressés ==" in page.text
    peer.save(page, page.text.replace("== Tiers Lieux intéressés ==", "== Lieux intéressés =="),
              "titre de section renommé")
    code, doc = audit_json(wikis)
    assert code == 1
    list_codes = {"list-drift", "red-link"}
    assert set(keys(doc["findings"])) == {k for k in EXPECTED if k[0] not in list_codes}
    [unread] = doc["unread_lists"]
    assert (unread["name"], unread["wiki"], unread["problem"]) == (
        "tiers-lieux-interesses", "movilab", "section")

    table = wikis.run("audit", "--stale-days", STALE_DAYS)
    assert table.returncode == 1
    assert "error: audit incomplete: movilab: list 'tiers-lieux-interesses'" in table.stderr
    assert "hint: add the section heading" in table.stderr
    assert "Not read: movilab: list 'tiers-lieux-interesses'" in table.stdout

    report = "Audit des fiches"
    published = wikis.run("audit", "--stale-days", STALE_DAYS, "--wiki", "movilab",
                          "--publish", report)
    assert published.returncode == 1
    assert ("'''Liste non lue''' : « tiers-lieux-interesses » sur movilab (section absente de "
            "la page)") in wikis.text("movilab", report)


def _many_lieux(wikis, count: int = 60) -> set[str]:
    """``count`` more pages in FabMob's lieu category: a read of more than one request."""
    titles = {f"Lieu en nombre {i:02d}" for i in range(count)}
    wikis.farm.wikis["fabmob"].import_pages(
        [Revision(t, f"{{{{Acteur|Titre={t}|villes d'implantation=Caen}}}}\n") for t in titles])
    return titles


def test_a_big_audit_logs_the_bot_in_and_reads_500_pages_a_request(wikis):
    titles = _many_lieux(wikis)
    app = App(load_config(wikis.config))
    result = run_audit(app, AuditOptions(stale_days=int(STALE_DAYS)))
    fabmob = app.site("fabmob")
    assert fabmob.session.counts["login"] == 1 and fabmob.has_highlimits
    # lieu: its size asked with the siteinfo, then every page in one request as the bot;
    # projet; the list page; its links
    assert fabmob.session.counts["query:prop=categoryinfo"] == 1
    assert fabmob.session.counts["query:prop=revisions"] == 4
    assert "login" not in app.site("movilab").session.counts  # its categories are small
    assert result.pages_read == 18 + len(titles)


def test_a_refused_login_audits_anonymously_with_a_warning(wikis):
    titles = _many_lieux(wikis)
    secret = wikis.folder / "secrets" / "fabmob.secret"
    secret.write_text("not-the-bot-password-0123456789ab\n", encoding="utf-8")
    proc = wikis.run("audit", "--stale-days", STALE_DAYS, "--format", "json")
    assert proc.returncode == 3, proc.stderr
    assert "fabmob: reading anonymously, 50 pages a request" in proc.stderr
    assert "refused the login" in proc.stderr
    assert "not-the-bot-password" not in proc.stderr + proc.stdout
    doc = json.loads(proc.stdout)
    assert doc["failed_wikis"] == []
    read = {f["title"] for f in doc["findings"] if f["wiki"] == "fabmob"}
    assert titles <= read  # each new lieu lacks required fields: read, not skipped


def test_a_field_is_checked_as_the_template_receives_it_without_comments(wikis):
    """MediaWiki passes a template parameter without its HTML comments: a person's note after
    a value is no fault (``14000 <!-- à vérifier -->`` is 14000), and a page template's hint
    alone is no value (``<!-- la ville -->`` leaves the required town empty)."""
    site = wikis.peer("movilab")
    probe = site.read(["Modèle:Valeur"])["Modèle:Valeur"]
    site.save(probe, "[{{{1}}}]", "modèle de test", create=True)
    shown = site.call({"action": "parse", "title": "Essai", "contentmodel": "wikitext",
                       "prop": "text", "disablelimitreport": "1",
                       "text": "{{Valeur|14000 <!-- à vérifier -->}} {{Valeur|<!-- la ville -->}}"})
    html = shown["parse"]["text"]
    assert "[14000 ] []" in (html if isinstance(html, str) else html["*"])

    title = "Le Tiers-Lieu Annoté"
    page = site.read([title])[title]
    site.save(page, "{{Tiers-Lieux\n|Titre=Le Tiers-Lieu Annoté\n"
                    "|Code postal=14000 <!-- à vérifier -->\n|Ville=<!-- la ville -->\n}}\n",
              "fiche de test", create=True)
    _, doc = audit_json(wikis, "--wiki", "movilab", "--kind", "lieu")
    mine = [key for key in keys(doc["findings"]) if key[2] == title and key[3]]
    assert mine == [("missing-field", "movilab", title, "ville")]
