"""Site against real local MediaWiki servers: login, errors, batching, titles, edit safety."""

from __future__ import annotations

import gc
import http.server
import os
import subprocess
import sys
import threading
import time

import pytest
import yaml

from wikisync import site as site_module
from wikisync.devwiki import free_port
from wikisync.devwiki.dump import Revision
from wikisync.errors import (
    EditConflictError,
    EditError,
    LoginError,
    PageExistsError,
    UnreachableError,
)
from wikisync.model import Page
from wikisync.site import READER_SWITCH_INTERVAL, Site, quick_handoff

ODD_TITLES = [
    "Déclaration d’indépendance du cyberespace",
    "L'ADN des Tiers Lieux",
    "🐝 Ruche mobile en fête !",
    "Ateliers & Cie (Vélo·Solidaire)",
]


def test_bot_password_login_and_rights(wikis):
    site = wikis.site("fabmob")
    site.login()
    rights = site.rights()
    assert rights.user == "WikisyncBot"
    assert rights.version.startswith("MediaWiki 1.39")
    assert rights.missing == []
    assert site.has_highlimits


def test_every_api_call_carries_maxlag_and_user_agent(wikis):
    site = wikis.site("movilab")
    seen = []
    site.session.hooks["response"].append(lambda r, *a, **k: seen.append(r.request))
    site.read(["Le WIP"])
    site.login()
    assert seen, "no request recorded"
    for request in seen:
        body = request.body or ""
        body = body.decode() if isinstance(body, bytes) else body
        assert "maxlag=5" in request.url or "maxlag=5" in body
        assert request.headers["User-Agent"].startswith("wikisync/")


def test_check_command_reports_both_wikis(wikis):
    result = wikis.run("check")
    assert result.returncode == 0, result.stderr
    for name in ("fabmob", "movilab"):
        line = next(line for line in result.stdout.splitlines() if line.startswith(name))
        assert "MediaWiki 1.39" in line
        assert "WikisyncBot" in line
        assert "edit, createpage, bot, apihighlimits" in line


def test_wrong_password_exits_1_and_never_shows_the_password(wikis):
    wrong = "Z" * 31 + "q"
    secret = wikis.folder / "secrets" / "fabmob.secret"
    secret.write_text(wrong + "\n")
    result = wikis.run("check")
    assert result.returncode == 1
    assert "fabmob: FAILED" in result.stdout
    assert "refused the login" in result.stdout
    assert "movilab: ok" in result.stdout
    everything = result.stdout + result.stderr
    assert wrong not in everything
    assert wikis.farm.wikis["movilab"].bot_password not in everything


def test_wrong_password_raises_login_error(wikis):
    site = wikis.site("fabmob", password="x" * 32)
    with pytest.raises(LoginError) as info:
        site.login()
    assert "refused the login" in str(info.value)
    assert "x" * 32 not in str(info.value) + (info.value.hint or "")


def test_unreachable_wiki_exits_1_with_a_clear_message(wikis):
    port = free_port()  # nothing listens there
    config = wikis.config.read_text().replace(
        wikis.farm.wikis["movilab"].api_url, f"http://127.0.0.1:{port}/api.php"
    )
    wikis.config.write_text(config)
    result = wikis.run("check")
    assert result.returncode == 1
    assert f"movilab: FAILED  movilab: cannot connect to http://127.0.0.1:{port}/api.php" in (
        result.stdout
    )
    assert "fabmob: ok" in result.stdout


class _HtmlHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body>Not a wiki</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


def test_a_url_that_is_not_a_mediawiki_api_is_reported():
    server = http.server.HTTPServer(("127.0.0.1", 0), _HtmlHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        site = Site("nowiki", f"http://127.0.0.1:{server.server_port}/api.php")
        with pytest.raises(UnreachableError) as info:
            site.read(["X"])
    finally:
        server.shutdown()
    assert "did not answer like a MediaWiki API" in str(info.value)
    assert "text/html" in str(info.value)


def _lieux(wikis, count: int, category: bool = False) -> list[str]:
    titles = [f"Lieu de test {i:03d}" for i in range(count)]
    tail = "[[Catégorie:Acteur]]\n" if category else ""
    wikis.farm.wikis["fabmob"].import_pages(
        [Revision(t, f"{{{{Acteur|Titre={t}}}}}\n{tail}") for t in titles])
    return titles


def test_an_anonymous_read_of_120_pages_costs_3_content_requests(wikis):
    titles = _lieux(wikis, 120)
    site = Site("fabmob", wikis.farm.wikis["fabmob"].api_url)  # no login in the config
    pages = site.read(titles)
    assert site.session.counts["query:prop=revisions"] == 3
    assert site.session.total == 3
    assert len(pages) == 120
    assert all(p.exists for p in pages.values())
    assert pages["Lieu de test 042"].text == "{{Acteur|Titre=Lieu de test 042}}\n"


def test_a_big_read_logs_the_bot_in_and_takes_500_pages_a_request(wikis):
    titles = _lieux(wikis, 120)
    site = wikis.site("fabmob")
    small = site.read(titles[:50])  # one request's worth: no login
    assert "login" not in site.session.counts
    assert site.session.total == 1
    pages = site.read(titles)
    assert site.session.counts["login"] == 1
    assert site.has_highlimits and site.batch == 500
    assert site.session.counts["query:prop=revisions"] == 2  # 50 above, then 120 in one
    assert [p.text for p in pages.values()] == [
        f"{{{{Acteur|Titre={t}}}}}\n" for t in titles]
    assert small["Lieu de test 007"].revid == pages["Lieu de test 007"].revid


def test_a_big_category_read_logs_in_before_its_first_batch(wikis):
    titles = _lieux(wikis, 620, category=True)
    site = wikis.site("fabmob")
    read = [p.title for p in site.category_pages("Acteur")]
    assert set(titles) <= set(read) and len(read) == len(set(read))
    assert site.session.counts["login"] == 1
    # its size asked with the siteinfo, then 500 and the rest (the seed's Acteur pages too)
    # as the bot
    assert site.session.counts["query:prop=categoryinfo"] == 1  # with meta=siteinfo
    assert "query:meta=siteinfo" not in site.session.counts
    assert site.session.counts["query:prop=revisions"] == 2
    assert "query:meta=tokens" not in site.session.counts  # the token came with the siteinfo
    assert site.session.total == 4  # siteinfo (size, token), login, 2 batches
    # the account's rights came with the first batch: none asked after the login
    assert "query:meta=userinfo" not in site.session.counts
    assert site.has_highlimits and site.batch == 500
    assert site.session.total == 4

    anonymous = Site("fabmob", wikis.farm.wikis["fabmob"].api_url)
    assert sorted(p.title for p in anonymous.category_pages("Acteur")) == sorted(read)
    assert anonymous.session.counts["query:prop=revisions"] == 13
    assert "login" not in anonymous.session.counts


def test_a_category_read_begun_ahead_sends_nothing_twice(wikis):
    """The audit begins its first reads while it loads its code: the read then takes the
    siteinfo, the size and the login from there, and asks none of them again."""
    titles = _lieux(wikis, 620, category=True)
    site = wikis.site("fabmob")
    site.begin_category_read("Acteur")
    site.begin_category_read("Acteur")  # begun once
    read = [p.title for p in site.category_pages("Acteur")]
    assert set(titles) <= set(read) and len(read) == len(set(read))
    assert site.session.counts["login"] == 1
    assert site.session.counts["query:prop=categoryinfo"] == 1
    assert site.session.counts["query:prop=revisions"] == 2  # 500 a request from the first
    assert site.session.total == 4
    again = [p.title for p in site.category_pages("Acteur")]  # nothing begun: read as usual
    assert sorted(again) == sorted(read)
    assert site.session.total == 6


def _begun_and_done(site, category):
    site.begin_category_read(category, whole=True)
    while any(t.name == f"{site.name}-prepare" for t in threading.enumerate()):
        time.sleep(0.02)


def test_a_category_begun_ahead_keeps_one_batch_and_reads_the_rest_when_asked(wikis):
    """The audit reads the next kind's category while it works out the findings of the one
    before: the first batch is read ahead (never more: memory stays bounded by a batch), and
    ``category_pages`` gives it, then reads the rest, as a read now would."""
    titles = _lieux(wikis, 60, category=True)
    site = wikis.site("fabmob")
    site.siteinfo()  # not the run's first read: anonymous, 50 a request, until a big read
    _begun_and_done(site, "Acteur")
    assert site.session.counts["query:prop=revisions"] == 1  # one batch ahead, no more
    sent = site.session.total
    ahead = [(p.title, p.revid, p.text) for p in site.category_pages("Acteur")]
    assert site.session.counts["login"] == 1  # the rest is a big read: the bot logs in
    assert site.session.counts["query:prop=revisions"] == 2  # the rest, 500 a request
    assert site.session.total > sent
    now = [(p.title, p.revid, p.text) for p in site.category_pages("Acteur")]
    assert len(ahead) == len(set(ahead)) and sorted(ahead) == sorted(now)
    assert set(titles) <= {title for title, _revid, _text in now}

    _begun_and_done(site, "Acteur")  # 500 a request now: the whole category in one batch
    sent = site.session.total
    assert sorted((p.title, p.revid, p.text) for p in site.category_pages("Acteur")) == sorted(
        now)
    assert site.session.total == sent  # all of it read ahead: no request


def test_a_small_category_read_never_logs_in(wikis):
    site = wikis.site("fabmob")
    read = list(site.category_pages("Acteur"))
    assert read and len(read) <= 50
    assert "login" not in site.session.counts
    assert site.session.counts["query:prop=revisions"] == 1
    assert site.session.total == 2  # the siteinfo (with the category's size), one batch


def test_a_later_big_category_logs_in_after_its_first_answer(wikis):
    """A category read after the run's first (or whose count lags behind: MediaWiki's jobs
    keep it): the first answer saying there is more logs the bot in."""
    titles = _lieux(wikis, 620, category=True)
    site = wikis.site("fabmob")
    site.siteinfo()  # a category read after the first: its size is not asked
    read = [p.title for p in site.category_pages("Acteur")]
    assert set(titles) <= set(read) and len(read) == len(set(read))
    assert site.session.counts["login"] == 1
    # 50 anonymously, then 500 and the rest as the bot
    assert site.session.counts["query:prop=revisions"] == 3


def test_an_account_without_high_limits_logs_in_and_reads_50_a_request(wikis):
    titles = _lieux(wikis, 120)
    site = wikis.peer("fabmob")  # a person's account: no apihighlimits
    pages = site.read(titles)
    assert site.session.counts["login"] == 1
    assert not site.has_highlimits and site.batch == 50
    assert site.session.counts["query:prop=revisions"] == 3
    assert len(pages) == 120


def test_a_big_category_read_without_high_limits_reads_every_page_at_50(wikis):
    """The account's rights come with the first batch after the login, asked at 500: an
    account without apihighlimits gets 50 pages' content an answer there, the rest of that
    batch by MediaWiki's continuation, and 50 a batch after it. Every page once, with its
    text, as an anonymous read gives it."""
    _lieux(wikis, 620, category=True)
    site = wikis.peer("fabmob")  # a person's account: no apihighlimits
    read = {p.title: (p.revid, p.text) for p in site.category_pages("Acteur")}
    assert site.session.counts["login"] == 1
    assert "query:meta=userinfo" not in site.session.counts  # asked with the first batch
    assert not site.has_highlimits and site.batch == 50
    anonymous = Site("fabmob", wikis.farm.wikis["fabmob"].api_url)
    expected = [(p.title, p.revid, p.text) for p in anonymous.category_pages("Acteur")]
    assert sorted((t, *v) for t, v in read.items()) == sorted(expected)
    assert all(text for _revid, text in read.values())
    # as many content requests as anonymously: 50 pages' content each
    assert (site.session.counts["query:prop=revisions"]
            == anonymous.session.counts["query:prop=revisions"])


def test_a_refused_login_reads_anonymously_with_a_warning_and_is_not_tried_again(wikis, caplog):
    titles = _lieux(wikis, 120)
    site = wikis.site("fabmob", password="not-the-bot-password-at-all-0000")
    with caplog.at_level("WARNING", logger="wikisync.site"):
        pages = site.read(titles)
    assert len(pages) == 120 and all(p.exists for p in pages.values())
    assert site.session.counts["query:prop=revisions"] == 3  # 50 a request, anonymously
    [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "fabmob: reading anonymously, 50 pages a request" in warning
    assert "refused the login" in warning
    assert "not-the-bot-password" not in warning
    logins = site.session.counts["login"]
    assert logins >= 1
    site.read(titles)  # a second big read does not try again
    with pytest.raises(LoginError) as info:
        site.login()  # nor does a write's login: the same error, at once
    assert site.session.counts["login"] == logins
    assert "refused the login" in str(info.value)


def test_a_category_read_hands_the_gil_over_quickly_and_restores_the_interval(wikis):
    wiki = wikis.farm.wikis["fabmob"]
    titles = [f"Lieu de test {i:03d}" for i in range(120)]
    wiki.import_pages([Revision(t, f"{{{{Acteur|Titre={t}}}}}\n[[Catégorie:Acteur]]\n")
                       for t in titles])
    site = Site("fabmob", wiki.api_url)  # anonymous: 50 pages a request, so batches follow
    before = sys.getswitchinterval()
    during = set()
    read = []
    for page in site.category_pages("Acteur"):
        during.add(sys.getswitchinterval())
        read.append(page.title)
    assert set(titles) <= set(read)
    assert site.session.counts["query:prop=revisions"] >= 3  # prefetched one after the other
    assert during == {READER_SWITCH_INTERVAL}
    assert sys.getswitchinterval() == before

    pages = site.category_pages("Acteur")  # a reader that stops early restores it too
    next(pages)
    assert sys.getswitchinterval() == READER_SWITCH_INTERVAL
    pages.close()
    assert sys.getswitchinterval() == before


def test_a_category_read_moves_the_objects_alive_out_of_the_collectors_way_once(wikis):
    """The first answer of a category read freezes the heap (``settle_heap``), once a
    process; the pages read after it are collected as usual."""
    site_module.settle_heap.cache_clear()
    gc.unfreeze()
    try:
        site = wikis.site("fabmob")
        pages = site.category_pages("Acteur")
        assert gc.get_freeze_count() == 0  # nothing read yet
        first = next(pages)
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # the modules' objects, at least
        rest = list(pages)
        assert first.title not in {p.title for p in rest}
        again = list(site.category_pages("Acteur"))  # a second read freezes nothing more
        assert again and gc.get_freeze_count() <= frozen  # (frozen objects freed since leave)
    finally:
        gc.unfreeze()


def test_quick_handoff_nests_across_threads_and_survives_errors():
    before = sys.getswitchinterval()
    inner_entered, release = threading.Event(), threading.Event()
    seen = []

    def other_reader():
        with quick_handoff():
            inner_entered.set()
            release.wait(5)
        seen.append(sys.getswitchinterval())

    with pytest.raises(RuntimeError), quick_handoff():
        thread = threading.Thread(target=other_reader)
        thread.start()
        assert inner_entered.wait(5)
        raise RuntimeError("the caller fails while another reader still runs")
    assert sys.getswitchinterval() == READER_SWITCH_INTERVAL  # the other reader still runs
    release.set()
    thread.join(5)
    assert seen == [before]
    assert sys.getswitchinterval() == before


def test_odd_titles_are_written_and_read_back(wikis):
    site = wikis.site("movilab")
    for title in ODD_TITLES:
        text = f"{{{{Tiers-Lieux|Titre={title}}}}}\nTexte ’accentué’ é 🚲\n"
        site.save(Page(title, exists=False), text, "test", create=True)
    fresh = wikis.site("movilab")
    pages = fresh.read([t.replace(" ", "_") for t in ODD_TITLES])
    for title in ODD_TITLES:
        page = pages[title.replace(" ", "_")]
        assert page.title == title
        assert page.text.rstrip("\n") == f"{{{{Tiers-Lieux|Titre={title}}}}}\nTexte ’accentué’ é 🚲"


def test_missing_page_reads_as_not_existing(wikis):
    page = wikis.site("fabmob").read(["Page qui n'existe pas"])["Page qui n'existe pas"]
    assert page.exists is False
    assert page.revid == 0


def test_edit_conflict_is_detected_and_nothing_is_clobbered(wikis):
    site = wikis.site("fabmob")
    before = site.read(["La Myne"])["La Myne"]
    peer = wikis.peer("fabmob")
    theirs = before.text.replace("Laboratoire citoyen ouvert.", "Labo citoyen, ouvert à tous.")
    peer.save(peer.read(["La Myne"])["La Myne"], theirs, "modif humaine")
    ours = before.text.replace("Laboratoire citoyen ouvert.", "Labo citoyen.")
    with pytest.raises(EditConflictError) as info:
        site.save(before, ours, "wikisync test")
    assert "La Myne" in str(info.value)
    assert wikis.text("fabmob", "La Myne") == theirs.rstrip("\n")


def test_merged_concurrent_edit_is_reported_not_taken_for_ours(wikis):
    """MediaWiki merges non-overlapping concurrent edits silently; Site must notice."""
    site = wikis.site("movilab")
    before = site.read(["Le WIP"])["Le WIP"]
    peer = wikis.peer("movilab")
    theirs = before.text.replace("Une SCIC.", "Une SCIC depuis 2017.")
    peer.save(peer.read(["Le WIP"])["Le WIP"], theirs, "modif humaine")
    ours = before.text.replace("|Ville=Colombelles", "|Ville=Colombelles (Calvados)")
    with pytest.raises(EditConflictError):
        site.save(before, ours, "wikisync test")
    now = wikis.text("movilab", "Le WIP")
    assert "Une SCIC depuis 2017." in now  # the other person's edit is still there


def test_createonly_refuses_an_existing_page(wikis):
    site = wikis.site("fabmob")
    with pytest.raises(PageExistsError) as info:
        site.save(Page("Konk Ar Lab", exists=False), "écrasé", "test", create=True)
    assert "already exists" in str(info.value)
    assert "écrasé" not in wikis.text("fabmob", "Konk Ar Lab")


# ConfirmEdit, bundled with Debian's MediaWiki, asking a question on every edit by an account
# without the 'skipcaptcha' right (a public wiki fighting spam might ask on external links only).
CAPTCHA = """
wfLoadExtensions( [ 'ConfirmEdit', 'ConfirmEdit/QuestyCaptcha' ] );
$wgCaptchaQuestions = [ 'Combien de roues a un vélo ?' => '2' ];
$wgCaptchaTriggers['edit'] = true;
$wgCaptchaTriggers['create'] = true;
"""


def test_an_edit_the_wiki_wants_a_captcha_for_is_refused_with_what_to_do(wikis):
    wikis.farm.wikis["fabmob"].add_settings(CAPTCHA)
    human = wikis.peer("fabmob")  # a plain account: no skipcaptcha
    page = human.read(["La Myne"])["La Myne"]
    with pytest.raises(EditError) as info:
        human.save(page, page.text + "\nUne ligne.", "essai")
    assert "asks for a CAPTCHA" in str(info.value)
    assert "'bot' group" in info.value.hint
    assert wikis.text("fabmob", "La Myne") == page.text
    bot = wikis.site("fabmob")  # the bot group skips CAPTCHAs
    saved = bot.save(bot.read(["La Myne"])["La Myne"], page.text + "\nUne ligne.", "essai")
    assert saved.text.endswith("Une ligne.")


def test_check_says_when_an_account_would_meet_captchas(wikis):
    wiki = wikis.farm.wikis["movilab"]
    wiki.add_settings(CAPTCHA)
    bot = wikis.run("check")
    assert bot.returncode == 0, bot.stderr
    line = next(line for line in bot.stdout.splitlines() if line.startswith("movilab"))
    assert "edit, createpage, bot, apihighlimits, skipcaptcha" in line
    assert "MISSING" not in line
    human = wikis.site("movilab", wiki.peer_login, wiki.peer_bot_password)
    human.login()
    assert "skipcaptcha" in human.rights().missing
    fabmob = wikis.site("fabmob")  # no ConfirmEdit there: nothing to skip
    fabmob.login()
    assert "skipcaptcha" not in fabmob.rights().matter


def test_a_sync_whose_account_meets_a_captcha_exits_1_and_keeps_its_state(wikis):
    wiki = wikis.farm.wikis["movilab"]
    wiki.add_settings(CAPTCHA)
    config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    secret = wikis.folder / "secrets" / "human.secret"
    secret.write_text(wiki.peer_bot_password + "\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    config["wikis"]["movilab"].update(username=wiki.peer_login,
                                      password_file="secrets/human.secret")
    wikis.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    before = wikis.text("movilab", "Fabriques de Territoire")
    result = wikis.run("sync")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "asks for a CAPTCHA to save 'Fabriques de Territoire'" in result.stderr
    assert "skipcaptcha" in result.stderr
    assert wikis.text("movilab", "Fabriques de Territoire") == before
    wiki.reset()  # the CAPTCHA gone (and the wikis as seeded), the next run does it all
    again = wikis.run("sync")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "changed movilab:Fabriques de Territoire" in again.stdout


def test_identity_asks_for_the_recent_changes_in_the_same_request(wikis, monkeypatch):
    site = wikis.site("fabmob")
    since = site.now()
    time.sleep(1.1)  # the changes come in a later second than ``since``
    peer = wikis.peer("fabmob")
    titles = ["Changé un", "Changé deux", "Changé trois"]
    for title in titles:
        peer.save(Page(title, exists=False), "texte\n", "création", create=True)
    monkeypatch.setattr(site_module, "RECENT_BATCH", "2")  # three changes: two answers
    fresh = wikis.site("fabmob")
    general, pages = fresh.identity(["Changé un", "Absente"], since)
    assert general["sitename"] and pages["Changé un"].exists and not pages["Absente"].exists
    assert dict(fresh.session.counts) == {"query:prop=revisions": 1,
                                          "query:list=recentchanges": 1}
    changed, now = fresh.recent_titles(since)
    assert changed == set(titles)
    assert now and now >= since
    later = max(t for _, _, t in fresh._recent[since][0])  # a later kind's since: no request
    assert "Changé trois" in fresh.recent_titles(later)[0] <= set(titles)
    assert fresh.session.total == 2

    alone = wikis.site("fabmob")  # without identity: the recent changes on their own
    assert alone.recent_titles(since)[0] == set(titles)
    assert alone.session.counts["query:list=recentchanges"] == 2


# Begins the first reads of the audit's kinds, then says whether mwclient is loaded (its Site
# is set at the end of its __init__, once the whole package is) and what the run then reads.
BEGIN_PROBE = """\
import sys
from wikisync.app import App
from wikisync.config import load_config
app = App(load_config(sys.argv[1]))
app.begin_reads(["lieu"])
mwclient = sys.modules.get("mwclient")
print("LOADED=" + str(hasattr(mwclient, "Site")))
print("PAGES=" + str(sum(1 for _ in app.site("fabmob").category_pages("Acteur"))))
"""


def test_begun_reads_load_the_login_code_before_returning_only_when_they_may_log_in(
        wikis, tmp_path):
    """The audit loads its own modules once ``begin_reads`` returns: by then mwclient is
    loaded when a wiki may log in, so that the login that follows the first answer does not
    wait for it; a config without a login never loads it."""
    _lieux(wikis, 60, category=True)
    config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    anonymous = tmp_path / "anonymous.yaml"
    for wiki in config["wikis"].values():
        for key in ("username", "password_file", "password_env"):
            wiki.pop(key, None)
    anonymous.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    for path, loaded in ((wikis.config, "True"), (anonymous, "False")):
        proc = subprocess.run([sys.executable, "-c", BEGIN_PROBE, str(path)],
                              capture_output=True, text=True, timeout=120, cwd=wikis.folder)
        assert proc.returncode == 0, proc.stderr
        lines = dict(line.split("=", 1) for line in proc.stdout.split())
        assert lines["LOADED"] == loaded, path
        assert int(lines["PAGES"]) >= 60
