"""Credentials travel only where they belong (issue 17), without a wiki: the config's rules on
clear-text logins and certificate authorities, the grants table, and the network door's refusal
of redirects and of unverified certificates, against small servers on loopback."""

from __future__ import annotations

import http.server
import json
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from wikisync.cli import main
from wikisync.config import is_loopback, load_config
from wikisync.errors import EXIT_USAGE, ConfigError, LoginError, UnreachableError
from wikisync.grants import GRANTS, NEEDED_GRANTS, extra_rights, grants_to_untick
from wikisync.site import Deadline, Site

CONFIG = """\
wikis:
  fabmob:
    api_url: {fabmob}
    username: Bot@wikisync
    password_env: WIKISYNC_FABMOB_PASSWORD
{extra}  movilab:
    api_url: https://movilab.org/api.php
mappings_dir: mappings
templates_dir: page_templates
state_dir: state
"""
SITEINFO = {"batchcomplete": True, "query": {"general": {
    "sitename": "Privé", "generator": "MediaWiki 1.39.17", "lang": "fr"}}}


def write(folder: Path, fabmob: str, extra: str = "") -> Path:
    (folder / "mappings").mkdir(exist_ok=True)
    (folder / "page_templates").mkdir(exist_ok=True)
    path = folder / "wikisync.yaml"
    path.write_text(CONFIG.format(fabmob=fabmob, extra=extra), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path, env={"HOME": "/home/u"})
    return info.value.problems


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to resolve a name or open a connection, recorded and refused."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network used by the test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


# --------------------------------------------------------------------------- clear text


def test_a_login_over_http_to_a_public_host_is_a_config_error(tmp_path: Path) -> None:
    path = write(tmp_path, "http://wiki.lafabriquedesmobilites.fr/api.php")
    problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith(
        "wikisync.yaml: wikis.fabmob.api_url: 'http://wiki.lafabriquedesmobilites.fr/api.php' "
        "would send the bot password in clear text")
    assert "allow_insecure_http: true" in problems[0]


@pytest.mark.parametrize("api_url", [
    "http://127.0.0.1:8080/api.php", "http://localhost/w/api.php", "http://[::1]:81/api.php",
    "http://127.1.2.3/api.php", "https://wiki.lafabriquedesmobilites.fr/api.php",
])
def test_https_and_loopback_are_accepted(tmp_path: Path, api_url: str) -> None:
    wiki = load_config(write(tmp_path, api_url), env={}).wikis["fabmob"]
    assert wiki.clear_text is False


def test_loopback_hosts() -> None:
    assert [is_loopback(h) for h in ("localhost", "LOCALHOST.", "127.0.0.1", "127.255.0.9",
                                     "::1")] == [True] * 5
    assert [is_loopback(h) for h in ("10.0.0.1", "192.168.1.2", "::2", "localhost.example.org",
                                     "wiki.localhost", "127.0.0.1.nip.io", "0.0.0.0",
                                     "")] == [False] * 8


def test_a_wiki_read_anonymously_may_use_http(tmp_path: Path) -> None:
    text = CONFIG.format(fabmob="https://wiki.lafabriquedesmobilites.fr/api.php", extra="")
    path = write(tmp_path, "x")
    path.write_text(text.replace("https://movilab.org", "http://movilab.org"), encoding="utf-8")
    config = load_config(path, env={})
    assert config.wikis["movilab"].api_url == "http://movilab.org/api.php"
    assert config.wikis["movilab"].clear_text is False  # no password to protect


def test_allow_insecure_http_accepts_it_and_warns_at_every_run(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from wikisync.app import App

    path = write(tmp_path, "http://wiki.example.org/api.php",
                 "    allow_insecure_http: true\n")
    for _ in range(2):  # two runs, two warnings
        App(load_config(path, env={})).site("fabmob")
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "fabmob: the bot password and every page cross the network in clear text to "
        "http://wiki.example.org/api.php (allow_insecure_http: true); use an https:// api_url"
    ] * 2
    App(load_config(path, env={})).site("movilab")  # an https wiki: no warning
    assert len([r for r in caplog.records if r.levelname == "WARNING"]) == 2


def test_refused_before_any_request_exit_2(tmp_path: Path, no_network: list[object],
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIKISYNC_FABMOB_PASSWORD", "pw-never-sent-0123")
    path = write(tmp_path, "http://wiki.example.org/api.php")
    for command in (["check"], ["sync"], ["show", "lieu", "X", "--wiki", "fabmob"]):
        with pytest.raises(SystemExit) as exit_:
            main(["--config", str(path), *command])
        assert exit_.value.code == EXIT_USAGE, command
    err = capsys.readouterr().err
    assert "wikis.fabmob.api_url: 'http://wiki.example.org/api.php' would send the bot " \
           "password in clear text" in err
    assert "pw-never-sent-0123" not in err
    assert no_network == []


def test_the_network_door_refuses_a_clear_text_login_too(no_network: list[object]) -> None:
    site = Site("fabmob", "http://wiki.example.org/api.php", "Bot@wikisync", lambda: "pw")
    with pytest.raises(LoginError) as info:
        site.login()
    assert str(info.value) == ("fabmob: refused to send the bot password in clear text to "
                               "http://wiki.example.org/api.php")
    assert no_network == []


def test_problems_are_collected_with_did_you_mean(tmp_path: Path) -> None:
    path = write(tmp_path, "http://wiki.example.org/api.php",
                 "    allow_insecure_htp: true\n    ca_bundel: ca.pem\n")
    problems = problems_of(path)
    assert "wikisync.yaml: wikis.fabmob.allow_insecure_htp: unknown key (did you mean " \
           "'allow_insecure_http'?)" in problems
    assert "wikisync.yaml: wikis.fabmob.ca_bundel: unknown key (did you mean " \
           "'ca_bundle'?)" in problems
    assert any(p.startswith("wikisync.yaml: wikis.fabmob.api_url: ") for p in problems)
    assert len(problems) == 3


# --------------------------------------------------------------------------- ca_bundle


def test_ca_bundle_is_relative_to_the_config_and_must_exist(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    path = write(tmp_path, "https://wiki.example.org/api.php", "    ca_bundle: certs/ca.pem\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = load_config(path, env={})
    assert config.wikis["fabmob"].ca_bundle == tmp_path / "certs" / "ca.pem"
    assert config.wikis["movilab"].ca_bundle is None

    path.write_text(path.read_text().replace("certs/ca.pem", "certs/missing.pem"))
    assert problems_of(path) == [
        f"wikisync.yaml: wikis.fabmob.ca_bundle: {tmp_path / 'certs' / 'missing.pem'} does not "
        "exist"]
    path.write_text(path.read_text().replace("certs/missing.pem", "certs"))
    assert problems_of(path) == [
        f"wikisync.yaml: wikis.fabmob.ca_bundle: {tmp_path / 'certs'} is not a file"]


def test_ca_bundle_on_an_http_api_is_a_mistake(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("x")
    path = write(tmp_path, "http://127.0.0.1:8080/api.php", "    ca_bundle: ca.pem\n")
    assert problems_of(path) == ["wikisync.yaml: wikis.fabmob.ca_bundle: a certificate "
                                 "authority is for an https:// api_url"]


def _private_authority(folder: Path) -> tuple[Path, Path, Path]:
    """A certificate authority of our own and a certificate it signs for 127.0.0.1."""
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=wikisync test authority",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1")
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


class _Answer(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``server.answer``: (status, headers, JSON body)."""

    def _reply(self) -> None:
        self.server.seen.append((self.command, self.path))  # type: ignore[attr-defined]
        status, headers, body = self.server.answer  # type: ignore[attr-defined]
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self._reply()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._reply()

    def log_message(self, *args: object) -> None:
        pass


def serve(answer: tuple[int, dict, dict], tls: tuple[Path, Path] | None = None):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Answer)
    server.answer = answer  # type: ignore[attr-defined]
    server.seen = []  # type: ignore[attr-defined]
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_tls_is_verified_against_the_wikis_ca_bundle(tmp_path: Path) -> None:
    ca, cert, key = _private_authority(tmp_path)
    server = serve((200, {}, SITEINFO), tls=(cert, key))
    url = f"https://127.0.0.1:{server.server_port}/api.php"
    try:
        untrusted = Site("prive", url, deadline=Deadline(5))
        untrusted.session.verify = False  # what someone might try: verification stays on
        with pytest.raises(UnreachableError) as info:
            untrusted.siteinfo()
        trusted = Site("prive", url, deadline=Deadline(5), ca_bundle=str(ca))
        general = trusted.siteinfo()["general"]
    finally:
        server.shutdown()
    assert "the secure connection failed (TLS certificate problem)" in str(info.value)
    assert general["sitename"] == "Privé"


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("post", [False, True])
def test_a_redirect_is_refused_and_names_its_target(status: int, post: bool) -> None:
    trap = serve((200, {}, SITEINFO))
    target = f"http://127.0.0.1:{trap.server_port}/w/api.php"
    redirector = serve((status, {"Location": target + "?action=query&x=1"}, {}))
    site = Site("fabmob", f"http://127.0.0.1:{redirector.server_port}/api.php",
                deadline=Deadline(10))
    try:
        with pytest.raises(UnreachableError) as info:
            site.call({"action": "query", "meta": "siteinfo"}, post=post)
    finally:
        redirector.shutdown()
        trap.shutdown()
    assert str(info.value) == (
        f"fabmob: http://127.0.0.1:{redirector.server_port}/api.php answered HTTP {status}, a "
        f"redirect to {target}; wikisync never follows a redirect (it could carry the bot "
        "password elsewhere)")
    assert info.value.hint == f"if {target} is the wiki's API, set api_url to it"
    assert len(redirector.seen) == 1  # asked once: a redirect is not worth a retry
    assert trap.seen == []


def test_a_relative_redirect_is_named_in_full() -> None:
    redirector = serve((301, {"Location": "/w/api.php"}, {}))
    site = Site("fabmob", f"http://127.0.0.1:{redirector.server_port}/api.php",
                deadline=Deadline(10))
    try:
        with pytest.raises(UnreachableError) as info:
            site.siteinfo()
    finally:
        redirector.shutdown()
    assert f"a redirect to http://127.0.0.1:{redirector.server_port}/w/api.php;" in str(
        info.value)


# --------------------------------------------------------------------------- grants


def test_what_the_needed_grants_give_is_never_an_extra_right() -> None:
    # what the dev wikis' bot password holds: the bot and user groups under the 4 grants
    held = ["read", "edit", "createpage", "createtalk", "move", "move-subpages",
            "move-rootuserpages", "move-categorypages", "suppressredirect", "delete-redirect",
            "bot", "apihighlimits", "noratelimit", "writeapi", "editcontentmodel"]
    assert extra_rights(held) == []


def test_each_harmful_right_names_the_grants_to_untick() -> None:
    extras = extra_rights(["edit", "protect", "editprotected", "delete", "block", "userrights",
                           "editsitejs", "import"])
    assert [e.right for e in extras] == ["editprotected", "protect", "delete", "block",
                                         "editsitejs", "import", "userrights"]
    by_right = {e.right: e for e in extras}
    assert by_right["editprotected"].grants == ("editprotected", "protect")
    assert by_right["protect"].message == (
        "the bot password holds 'protect' (protect and unprotect pages), which wikisync never "
        'uses: untick "Protect and unprotect pages" (protect) in Special:BotPasswords')
    assert by_right["editsitejs"].grants == ("editsiteconfig",)
    assert by_right["userrights"].grants == ()
    assert "no core grant gives it" in by_right["userrights"].message
    assert grants_to_untick(extras) == ["editprotected", "protect", "delete", "blockusers",
                                        "editsiteconfig", "import"]


def test_needed_grants_are_grants_of_mediawiki() -> None:
    assert set(NEEDED_GRANTS) <= set(GRANTS)
