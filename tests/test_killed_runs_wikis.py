"""`wikisync sync` killed with SIGKILL at every step of its writes, then a person edits, then a
run: nothing the person did is lost or undone (issue 11), on the two real local wikis.

Each wiki is reached through a small holding proxy on loopback. When the run sends the edit of
the chosen list page, the proxy holds it, either before passing it on (the save never lands) or
after MediaWiki has saved it (the save landed, the run never hears of it); the test then kills
the process with SIGKILL, as an out-of-memory killer or a reboot would.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import yaml

from wikisync import wikitext
from wikisync.config import load_config
from wikisync.devwiki import BOT_GRANTS, BOT_USER
from wikisync.errors import EXIT_OK
from wikisync.lists import to_list_entry
from wikisync.listsync import link_context
from wikisync.site import Site

FAB, MOV = "AMI Fabriques de Territoires", "Fabriques de Territoire"
SECTION = "Tiers Lieux intéressés"
PAGES = {"fabmob": FAB, "movilab": MOV}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
              "content-encoding"}


class HoldingProxy:
    """Forwards every request to ``upstream``; holds the ``nth`` edit of ``title``, ``when`` =
    "before" it reaches the wiki or "after" the wiki saved it, until released."""

    def __init__(self, upstream: str, title: str | None, when: str, nth: int = 1,
                 first_edit: Callable[[], None] = lambda: None) -> None:
        self.upstream, self.title, self.when, self.nth = upstream, title, when, nth
        self.first_edit = first_edit  # runs when the first edit of the title arrives
        self.edits = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._relay(None)

            def do_POST(self) -> None:
                self._relay(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def _relay(self, body: bytes | None) -> None:
                held = proxy._is_the_edit(body)
                if held and proxy.when == "before":
                    proxy._hold()
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                answer = requests.request(self.command, proxy.server_root + self.path,
                                          data=body, headers=headers, timeout=60)
                if held:
                    proxy._hold()
                    return
                self.send_response(answer.status_code)
                for key, value in answer.raw.headers.items():
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def server_root(self) -> str:
        parts = urlsplit(self.upstream)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{urlsplit(self.upstream).path}"

    def _is_the_edit(self, body: bytes | None) -> bool:
        if body is None or self.title is None or self.holding.is_set():
            return False
        form = parse_qs(body.decode("utf-8"))
        if form.get("action") != ["edit"] or form.get("title") != [self.title]:
            return False
        self.edits += 1
        if self.edits == 1:
            self.first_edit()
        return self.edits == self.nth

    def _hold(self) -> None:
        self.holding.set()
        self.release.wait(120)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def entries(wikis, wiki: str) -> dict:
    ctx = link_context(load_config(wikis.config))
    listing = wikitext.read_list(wikis.text(wiki, PAGES[wiki]), SECTION)
    return {e.key: e.annotation for e in (to_list_entry(r, wiki, ctx) for r in listing.entries)}


def edit(wikis, wiki: str, old: str, new: str) -> None:
    peer = wikis.peer(wiki)
    page = peer.read([PAGES[wiki]])[PAGES[wiki]]
    assert old in page.text, (old, page.text)
    peer.save(page, page.text.replace(old, new, 1), "modification humaine")


def killed_sync(wikis, wiki: str, when: str, nth: int = 1,
                first_edit: Callable[[], None] = lambda: None) -> None:
    """Run ``wikisync sync`` through the proxies and SIGKILL it at the chosen step."""
    proxies = {
        name: HoldingProxy(local.api_url, PAGES[name] if name == wiki else None, when, nth,
                           first_edit if name == wiki else lambda: None)
        for name, local in wikis.farm.wikis.items()
    }
    try:
        config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
        for name, proxy in proxies.items():
            config["wikis"][name]["api_url"] = proxy.api_url
        proxied = wikis.folder / "proxied.yaml"  # same folder: same state, same secrets
        proxied.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIKISYNC_")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "wikisync", "--config", str(proxied), "sync"],
            cwd=wikis.folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        held = False
        while not held and proc.poll() is None:  # until the edit is held, or the run ended
            held = proxies[wiki].holding.wait(0.2)
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        assert held, (out, err)
        assert proc.returncode == -signal.SIGKILL
    finally:
        for proxy in proxies.values():
            proxy.close()


KILL_POINTS = [("fabmob", "before"), ("fabmob", "after"), ("movilab", "before"),
               ("movilab", "after")]


@pytest.mark.parametrize(("wiki", "when"), KILL_POINTS, ids=[f"{w}-{t}" for w, t in KILL_POINTS])
def test_sigkill_at_every_step_then_a_persons_edits_then_a_run_keeps_them_all(wikis, wiki, when):
    assert wikis.run("sync").returncode == EXIT_OK
    edit(wikis, "movilab", "* [[La Myne]]\n", "* [[La Myne]]\n* Gare Vivante – Lyon\n")
    edit(wikis, "fabmob", "* [[La Myne]]\n", "* [[La Myne]]\n* Port du Rhin – Strasbourg\n")
    killed_sync(wikis, wiki, when)
    landed = "Gare Vivante" in entries(wikis, "fabmob")
    assert landed == (wiki == "movilab" or when == "after")  # the kill was where we meant
    # a person edits FabMob: removes the entry the killed run may have just copied there and
    # the one FabMob was to give Movilab, replaces an old entry with a new one
    for lieu in ("Gare Vivante – Lyon", "Port du Rhin – Strasbourg"):
        if lieu.split(" – ")[0] in entries(wikis, "fabmob"):
            edit(wikis, "fabmob", f"* {lieu}\n", "")
    edit(wikis, "fabmob", "* [[Konk Ar Lab]] (Concarneau) – Fabrique numérique de territoire\n",
         "* [[La Californie]] – Toucy\n")
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    fab, mov = entries(wikis, "fabmob"), entries(wikis, "movilab")
    assert fab == mov
    assert "Port du Rhin" not in fab  # removed after the kill: not brought back
    assert ("Gare Vivante" in fab) is not landed  # removed after it was copied: stays removed
    assert "Konk Ar Lab" not in fab
    assert fab["La Californie"] == " – Toucy"
    for w in PAGES:
        lines = [line for line in wikis.text(w, PAGES[w]).splitlines() if line.startswith("*")]
        assert len(lines) == len(set(lines))
    again = wikis.run("sync")
    assert again.returncode == EXIT_OK and again.stdout == ""


def test_sigkill_after_replacing_a_same_account_edit_and_before_putting_it_back(wikis):
    """The one step where wikisync's own text stands in place of a person's: the next run
    puts the person's text back before anything else, then merges."""
    assert wikis.run("sync").returncode == EXIT_OK
    edit(wikis, "fabmob", "* [[La Myne]]\n", "* [[La Myne]]\n* Gare Vivante – Lyon\n")
    local = wikis.farm.wikis["movilab"]
    password = secrets.token_hex(16)
    local._php("createBotPassword.php", "--appid", "person", "--grants", BOT_GRANTS,
               BOT_USER, password)
    person = Site("movilab", local.api_url, f"{BOT_USER}@person", lambda: password)
    person.login()

    def person_edits() -> None:  # with wikisync's own account, between its read and write
        page = person.read([MOV])[MOV]
        text = page.text.replace("* [[Le WIP]] – Colombelles\n", "* [[La Californie]] – Toucy\n")
        person.save(page, text, "modification humaine")

    killed_sync(wikis, "movilab", "before", nth=2, first_edit=person_edits)
    assert "La Californie" not in entries(wikis, "movilab")  # wikisync's text stands, for now
    result = wikis.run("sync")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "wikisync: puts back revision" in result.stdout
    fab, mov = entries(wikis, "fabmob"), entries(wikis, "movilab")
    assert fab == mov
    assert "Le WIP" not in fab and fab["La Californie"] == " – Toucy"  # the person's edit
    assert fab["Gare Vivante"] == " – Lyon"  # the sync's
