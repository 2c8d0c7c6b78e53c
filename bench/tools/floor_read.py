"""The server's floor for a polite reader: categories' content, serially on each wiki.

    python floor_read.py API_URL CATEGORY [API_URL CATEGORY ...]
    python floor_read.py --login API_URL CATEGORY USER PASSWORD_FILE [API_URL ... ...]

Not a peer and not a tool anyone would use: bare ``requests`` calls, no parsing, no retries.
It sends what any reader bound by the project's rules must send: one request at a time per wiki
(several wikis are read at once, one thread each, as wikisync's audit reads them), content
generators of 50 pages anonymously, or, with ``--login``, a bot password login (login token,
then the login itself) and 500 pages a request (the ``apihighlimits`` of a bot). Its time is the
least such a reader can take on this server in that mode. Prints ``{"pages": N, "requests": R}``.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import requests

ANONYMOUS, BOT = 50, 500


def read(api_url: str, category: str, login: tuple[str, str] | None) -> tuple[int, int]:
    """(pages, requests) of one wiki's category."""
    session = requests.Session()
    session.headers["User-Agent"] = "wikisync-bench (floor: bare requests, no parsing)"
    sent = 0
    if login is not None:
        user, password = login
        token = session.get(api_url, params={
            "action": "query", "meta": "tokens", "type": "login", "format": "json",
            "formatversion": "2", "maxlag": "5"}, timeout=60).json()
        answer = session.post(api_url, data={
            "action": "login", "lgname": user, "lgpassword": password, "format": "json",
            "lgtoken": token["query"]["tokens"]["logintoken"], "maxlag": "5"}, timeout=60).json()
        sent += 2
        if answer.get("login", {}).get("result") != "Success":
            raise SystemExit(f"login refused: {answer}")
    params = {
        "action": "query", "format": "json", "formatversion": "2", "maxlag": "5",
        "generator": "categorymembers", "gcmtitle": f"Category:{category}",
        "gcmlimit": str(BOT if login else ANONYMOUS), "gcmnamespace": "0", "prop": "revisions",
        "rvprop": "ids|timestamp|user|content", "rvslots": "main",
    }
    pages = 0
    more: dict[str, str] = {}
    while True:
        data = session.get(api_url, params={**params, **more}, timeout=60).json()
        sent += 1
        pages += sum(1 for p in data.get("query", {}).get("pages", []) if "revisions" in p)
        if "continue" not in data:
            break
        more = data["continue"]
    return pages, sent


def main(argv: list[str]) -> None:
    login = argv[:1] == ["--login"]
    argv = argv[1:] if login else argv
    step = 4 if login else 2
    wikis = []
    for i in range(0, len(argv), step):
        api_url, category, *secret = argv[i:i + step]
        bot = None
        if secret:
            with open(secret[1], encoding="utf-8") as fh:
                bot = (secret[0], fh.read().strip())
        wikis.append((api_url, category, bot))
    with ThreadPoolExecutor(max_workers=len(wikis)) as pool:
        done = list(pool.map(lambda wiki: read(*wiki), wikis))
    print(json.dumps({"pages": sum(p for p, _ in done), "requests": sum(r for _, r in done)}))


if __name__ == "__main__":
    main(sys.argv[1:])
