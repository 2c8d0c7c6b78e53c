"""The server's floor for a polite reader: categories' content, serially on each wiki.

    python floor_read.py API_URL CATEGORY [API_URL CATEGORY ...]
    python floor_read.py --login API_URL CATEGORY USER PASSWORD_FILE [API_URL ... ...]
    python floor_read.py --spec FILE.json

Not a peer and not a tool anyone would use: bare ``requests`` calls, no parsing, no retries.
It sends what any reader bound by the project's rules must send: one request at a time per wiki
(several wikis are read at once, one thread each, as wikisync's audit reads them), content
generators of 50 pages anonymously, or, with a login, a bot password login (login token,
then the login itself) and 500 pages a request (the ``apihighlimits`` of a bot). Its time is the
least such a reader can take on this server in that mode.

``--spec`` reads a JSON list of wikis, each ``{"api_url", "categories": [...], "pages": [...],
"login": [USER, PASSWORD_FILE] or null}``: every category's content, then each page's content,
then whether the titles the pages link to (``[[title``, found with a regular expression, the
least reading there is) exist, in requests of 50 titles (500 logged in), redirects followed:
what an audit reads of a wiki beside its records. Prints ``{"pages": N, "requests": R}``.
"""

from __future__ import annotations

import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor

import requests

ANONYMOUS, BOT = 50, 500
LINK_RE = re.compile(r"\[\[([^\[\]|{}<>\n]+)")
BASE = {"format": "json", "formatversion": "2", "maxlag": "5"}


class Reader:
    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "wikisync-bench (floor: bare requests, no parsing)"
        self.sent = 0

    def get(self, params: dict[str, str]) -> dict:
        self.sent += 1
        return self.session.get(self.api_url, params={**BASE, **params}, timeout=60).json()

    def login(self, user: str, password: str) -> None:
        token = self.get({"action": "query", "meta": "tokens", "type": "login"})
        self.sent += 1
        answer = self.session.post(self.api_url, data={
            **BASE, "action": "login", "lgname": user, "lgpassword": password,
            "lgtoken": token["query"]["tokens"]["logintoken"]}, timeout=60).json()
        if answer.get("login", {}).get("result") != "Success":
            raise SystemExit(f"login refused: {answer}")

    def continued(self, params: dict[str, str]):
        more: dict[str, str] = {}
        while True:
            data = self.get({**params, **more})
            yield data
            if "continue" not in data:
                return
            more = data["continue"]


def read(wiki: dict) -> tuple[int, int]:
    """(pages, requests) of one wiki: its categories, its pages, their links' existence."""
    reader = Reader(wiki["api_url"])
    batch = ANONYMOUS
    if wiki.get("login"):
        user, password_file = wiki["login"]
        with open(password_file, encoding="utf-8") as fh:
            reader.login(user, fh.read().strip())
        batch = BOT
    content = {"action": "query", "prop": "revisions", "rvprop": "ids|timestamp|user|content",
               "rvslots": "main"}
    pages = 0
    for category in wiki["categories"]:
        for data in reader.continued({**content, "generator": "categorymembers",
                                      "gcmtitle": f"Category:{category}",
                                      "gcmlimit": str(batch), "gcmnamespace": "0"}):
            pages += sum(1 for p in data.get("query", {}).get("pages", []) if "revisions" in p)
    linked: set[str] = set()
    if wiki.get("pages"):
        data = reader.get({**content, "titles": "|".join(wiki["pages"])})
        for page in data.get("query", {}).get("pages", []):
            for revision in page.get("revisions", []):
                pages += 1
                linked.update(t.strip() for t in LINK_RE.findall(
                    revision["slots"]["main"]["content"]))
    titles = sorted(linked)
    for i in range(0, len(titles), batch):
        reader.get({"action": "query", "titles": "|".join(titles[i:i + batch]),
                    "redirects": "1"})
    return pages, reader.sent


def parse_argv(argv: list[str]) -> list[dict]:
    if argv[:1] == ["--spec"]:
        with open(argv[1], encoding="utf-8") as fh:
            return json.load(fh)
    login = argv[:1] == ["--login"]
    argv = argv[1:] if login else argv
    step = 4 if login else 2
    wikis = []
    for i in range(0, len(argv), step):
        api_url, category, *secret = argv[i:i + step]
        wikis.append({"api_url": api_url, "categories": [category], "pages": [],
                      "login": secret or None})
    return wikis


def main(argv: list[str]) -> None:
    wikis = parse_argv(argv)
    with ThreadPoolExecutor(max_workers=len(wikis)) as pool:
        done = list(pool.map(read, wikis))
    print(json.dumps({"pages": sum(p for p, _ in done), "requests": sum(r for _, r in done)}))


if __name__ == "__main__":
    main(sys.argv[1:])
