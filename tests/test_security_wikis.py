"""Credentials travel only where they belong (issue 17), on the real local wikis: a redirecting
API is refused before the password follows it, `check` warns about a bot password's extra
grants, and no password of the local wikis appears in any output, log or state file."""

from __future__ import annotations

import http.server
import json
import os
import secrets
import threading

import requests
import yaml

from wikisync.errors import EXIT_ATTENTION, EXIT_FAILED, EXIT_OK

FAB, MOV = "AMI Fabriques de Territoires", "Fabriques de Territoire"
NEEDED = "basic,highvolume,editpage,createeditmovepage"
EXTRA = NEEDED + ",protect,delete,blockusers,editinterface,editsiteconfig,import"


def set_wiki(wikis, name: str, **values: object) -> None:
    """Change keys of one wiki in the test's config."""
    config = yaml.safe_load(wikis.config.read_text(encoding="utf-8"))
    config["wikis"][name].update(values)
    wikis.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def bot_password(wikis, wiki: str, account: str, appid: str, grants: str) -> str:
    """A new bot password ``account@appid`` with ``grants``, written to an owner-only file
    that the config's ``wiki`` now uses; returns the login."""
    password = secrets.token_hex(16)
    wikis.farm.wikis[wiki]._php("createBotPassword.php", "--appid", appid, "--grants", grants,
                                account, password)
    secret = wikis.folder / "secrets" / f"{wiki}-{appid}.secret"
    secret.write_text(password + "\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    login = f"{account}@{appid}"
    set_wiki(wikis, wiki, username=login, password_file=str(secret))
    return login


# --------------------------------------------------------------------------- least privilege


def test_check_warns_about_each_extra_right_with_the_grant_to_untick(wikis):
    bot_password(wikis, "fabmob", "Admin", "extra", EXTRA)
    result = wikis.run("check")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    fabmob, movilab = result.stdout.split("\nmovilab: ", 1)
    assert fabmob.startswith("fabmob: ok")
    for right, grant in [("protect", '"Protect and unprotect pages" (protect)'),
                         ("editprotected", '"Protect and unprotect pages" (protect)'),
                         ("delete", '"Delete pages, revisions, and log entries" (delete)'),
                         ("block", '"Block and unblock users" (blockusers)'),
                         ("editinterface", '"Edit the MediaWiki namespace and sitewide/user '
                                           'JSON" (editinterface)'),
                         ("import", '"Import revisions" (import)')]:
        line = next((x for x in fabmob.splitlines() if f"holds {right!r} " in x), None)
        assert line is not None, (right, fabmob)
        assert line.startswith("  warning: the bot password holds ")
        assert grant in line, (right, line)
    assert "tick only \"Basic rights\" (basic), \"High-volume editing\" (highvolume)" in fabmob
    assert "warning" not in movilab  # the dev bot password has just the needed grants

    data = json.loads(wikis.run("check", "--json").stdout)
    status = {s["wiki"]: s for s in data}
    assert {"protect", "editprotected", "delete", "block", "editinterface", "import"} <= set(
        status["fabmob"]["extra_rights"])
    assert "userrights" not in status["fabmob"]["extra_rights"]  # no grant gives it: filtered
    assert status["fabmob"]["untick"][:3] == ["editprotected", "protect", "delete"]
    assert status["movilab"]["extra_rights"] == [] and status["movilab"]["warnings"] == []


def test_the_grants_decide_not_the_account(wikis):
    """An administrator's account behind a bot password with only the needed grants holds
    none of the administrator's rights: nothing to warn about."""
    bot_password(wikis, "fabmob", "Admin", "least", NEEDED)
    result = wikis.run("check", "--json")
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    fabmob = {s["wiki"]: s for s in json.loads(result.stdout)}["fabmob"]
    assert fabmob["user"] == "Admin"
    assert "sysop" in fabmob["groups"]
    assert fabmob["extra_rights"] == [] and fabmob["warnings"] == []


# --------------------------------------------------------------------------- redirects


class Proxy(http.server.ThreadingHTTPServer):
    """A loopback front for a local wiki that passes every request on, except those whose
    body or query holds ``redirect_when``: answered ``status`` with ``Location: target``."""

    def __init__(self, wiki_api: str, target: str, status: int, redirect_when: bytes) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.wiki_api, self.target, self.status = wiki_api, target, status
        self.redirect_when = redirect_when
        self.redirected: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/api.php"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: Proxy

    def _handle(self, body: bytes | None) -> None:
        if self.server.redirect_when in (body or b"") + self.path.encode():
            self.server.redirected.append(self.command)
            self.send_response(self.server.status)
            self.send_header("Location", self.server.target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        query = self.path.split("?", 1)[1] if "?" in self.path else ""
        url = self.server.wiki_api + ("?" + query if query else "")
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() in ("cookie", "content-type", "user-agent")}
        resp = requests.request(self.command, url, data=body, headers=headers,
                                allow_redirects=False, timeout=60)
        self.send_response(resp.status_code)
        for key, value in resp.raw.headers.items():
            if key.lower() not in ("content-length", "content-encoding", "transfer-encoding",
                                   "connection", "date", "server"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(resp.content)))
        self.end_headers()
        self.wfile.write(resp.content)

    def do_GET(self) -> None:  # noqa: N802
        self._handle(None)

    def do_POST(self) -> None:  # noqa: N802
        self._handle(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def log_message(self, *args: object) -> None:
        pass


class Trap(http.server.HTTPServer):
    """Where a redirect points: records every request that reaches it."""

    def __init__(self) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(handler) -> None:  # noqa: N805
                size = int(handler.headers.get("Content-Length") or 0)
                self.seen.append((handler.command, handler.rfile.read(size)))
                handler.send_response(200)
                handler.send_header("Content-Length", "0")
                handler.end_headers()

            do_GET = do_POST = _record  # noqa: N815

            def log_message(handler, *args: object) -> None:  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[tuple[str, bytes]] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/w/api.php"


def test_a_login_redirected_with_307_never_carries_the_password(wikis):
    """The API answers reads, and its login (the POST holding lgpassword) answers 307, which
    would resend the password to the target: refused, the target named, nothing sent there."""
    trap = Trap()
    proxy = Proxy(wikis.farm.wikis["fabmob"].api_url, trap.api_url, 307, b"lgpassword")
    set_wiki(wikis, "fabmob", api_url=proxy.api_url)
    try:
        result = wikis.run("check")
    finally:
        proxy.shutdown()
        trap.shutdown()
    output = result.stdout + result.stderr
    assert result.returncode == EXIT_FAILED, output
    assert proxy.redirected == ["POST"]  # the login was the request redirected
    assert trap.seen == []
    assert (f"fabmob: FAILED  fabmob: {proxy.api_url} answered HTTP 307, a redirect to "
            f"{trap.api_url}; wikisync never follows a redirect") in result.stdout
    assert f"hint: if {trap.api_url} is the wiki's API, set api_url to it" in result.stdout
    assert "movilab: ok" in result.stdout
    assert wikis.farm.wikis["fabmob"].bot_password not in output


def test_a_redirecting_api_stops_a_sync_with_its_target_named(wikis):
    for status in (301, 308):
        trap = Trap()
        proxy = Proxy(wikis.farm.wikis["movilab"].api_url, trap.api_url, status, b"api.php")
        set_wiki(wikis, "movilab", api_url=proxy.api_url)
        try:
            result = wikis.run("sync")
        finally:
            proxy.shutdown()
            trap.shutdown()
        assert result.returncode == EXIT_FAILED, result.stdout + result.stderr
        assert set(proxy.redirected) == {"GET"} and trap.seen == []
        assert (f"movilab: {proxy.api_url} answered HTTP {status}, a redirect to "
                f"{trap.api_url}; wikisync never follows a redirect") in result.stdout + \
            result.stderr


# --------------------------------------------------------------------------- secrets scan


def _secrets(farm) -> dict[str, str]:
    found = {}
    for name, wiki in farm.wikis.items():
        for attr in ("bot_password", "peer_bot_password", "admin_password", "peer_password"):
            found[f"{name}.{attr}"] = getattr(wiki, attr)
    return found


def test_no_password_in_any_output_log_or_state_file(wikis):
    """Every command that logs in or writes, verbose, with its state and report files; then a
    run refused by the wiki (a wrong password: that one must not show either)."""
    folder = wikis.folder
    outputs: list[str] = []
    for args in [("-v", "check"), ("-v", "check", "--json"), ("-v", "sync"),
                 ("-vv", "sync", "--json"), ("-v", "sync", "--dry-run"),
                 ("-v", "audit", "--format", "json", "--output", str(folder / "audit.json")),
                 ("-v", "audit", "--format", "csv"), ("-v", "export", "lieu"),
                 ("-vv", "export", "lieu", "--format", "json"),
                 ("-v", "set", "lieu", "Le WIP", "--wiki", "movilab", "--set",
                  "code_postal=14460", "--yes")]:
        result = wikis.run(*args)
        assert result.returncode in (EXIT_OK, EXIT_ATTENTION), (args, result.stderr[-2000:])
        outputs += [result.stdout, result.stderr]
    wrong = "wrong-" + secrets.token_hex(12)
    secret = folder / "secrets" / "movilab.secret"
    secret.write_text(wrong + "\n", encoding="utf-8")
    refused = wikis.run("-vv", "check")
    assert refused.returncode == EXIT_FAILED
    assert "movilab: FAILED  movilab: the wiki refused the login" in refused.stdout
    outputs += [refused.stdout, refused.stderr]

    files = [p for p in folder.rglob("*") if p.is_file() and "secrets" not in p.parts]
    files += [wiki.root / "server.log" for wiki in wikis.farm.wikis.values()]
    assert any(p.name == "state.sqlite" for p in files), files  # the state was written
    assert (folder / "audit.json").is_file()
    assert sum(len(o) for o in outputs) > 10_000  # the runs said a lot
    server_log = (wikis.farm.wikis["fabmob"].root / "server.log").read_text(errors="replace")
    assert "/api.php" in server_log  # the requests' lines are there to be searched
    texts = {f"output {i}": o.encode() for i, o in enumerate(outputs)}
    texts |= {str(p): p.read_bytes() for p in files}
    passwords = {**_secrets(wikis.farm), "the wrong password": wrong}
    leaks = [(where, name) for where, data in texts.items()
             for name, password in passwords.items() if password.encode() in data]
    assert leaks == []
