"""Site's retry policy against a small loopback HTTP server that misbehaves on purpose.

This checks wikisync's own logic (backoff, Retry-After, deadline), not MediaWiki: the answers
are the shapes MediaWiki gives for maxlag (HTTP 200, error code "maxlag", Retry-After) and for
an overloaded server (HTTP 503 with Retry-After).
"""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest

from wikisync.errors import EditError, UnreachableError
from wikisync.site import Deadline, Site

OK = {"batchcomplete": True, "query": {"pages": [{"title": "X", "missing": True}]}}
MAXLAG = {"error": {"code": "maxlag", "info": "Waiting for a database server: 7 seconds lagged"}}


def serve(script: list[tuple[int, dict]]):
    """A server answering with the script's (status, body) in turn, then the last forever."""
    seen: list[float] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(time.monotonic())
            status, body = script[min(len(seen), len(script)) - 1]
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


@pytest.mark.parametrize("first", [(503, {}), (429, {}), (200, MAXLAG)])
def test_retries_after_the_time_the_server_asks(first):
    server, seen = serve([first, first, (200, OK)])
    try:
        site = Site("w", f"http://127.0.0.1:{server.server_port}/api.php",
                    deadline=Deadline(30))
        pages = site.read(["X"])
    finally:
        server.shutdown()
    assert pages["X"].exists is False
    assert len(seen) == 3
    assert seen[1] - seen[0] >= 1.0  # Retry-After: 1 was honoured
    assert seen[2] - seen[1] >= 1.0


def test_gives_up_within_the_deadline_with_a_clear_message():
    server, seen = serve([(503, {})])
    try:
        site = Site("w", f"http://127.0.0.1:{server.server_port}/api.php", deadline=Deadline(4))
        with pytest.raises(UnreachableError) as info:
            site.read(["X"])
    finally:
        server.shutdown()
    assert "gave up after" in str(info.value)
    assert "HTTP 503" in str(info.value)
    assert len(seen) >= 2


@pytest.mark.parametrize(("code", "hint"), [
    ("protectedpage", "protected"),
    ("abusefilter-warning", "never does"),
    ("titleblacklist-forbidden", "title blacklist"),
    ("spamblacklist", "blacklisted URL"),
])
def test_refused_edits_say_what_to_do(code, hint):
    site = Site("fabmob", "http://127.0.0.1:9/api.php")
    with pytest.raises(EditError) as info:
        site._raise_edit_error("La Myne", {"code": code, "info": "refusé"})
    assert f"'La Myne': {code}: refusé" in str(info.value)
    assert hint in info.value.hint


def test_a_read_begun_ahead_raises_its_error_where_the_pages_are_read():
    """``begin_category_read`` runs in a thread of its own: the error it meets (here, the
    wiki kept answering 503) is raised to the caller of ``category_pages``, whatever the
    wiki does after."""
    server, seen = serve([(503, {})])
    site = Site("w", f"http://127.0.0.1:{server.server_port}/api.php",
                username="Bot@wikisync", password=lambda: "secret", deadline=Deadline(2))
    site.begin_category_read("Acteur")
    while any(t.name == "w-prepare" for t in threading.enumerate()):
        time.sleep(0.05)
    server.shutdown()  # from now on, any new request would be refused, with another reason
    server.server_close()
    with pytest.raises(UnreachableError, match="503"):
        list(site.category_pages("Acteur"))
    assert len(seen) >= 2  # retried in the background, then given up
