"""The server's floor for a polite reader: a category's content, 50 pages a request, serially.

    python floor_read.py API_URL CATEGORY

Not a peer and not a tool anyone would use: bare ``requests`` calls, no parsing, no retries.
It sends what any reader bound by the project's rules must send (anonymous, one request at a
time, content generators of 50 pages), so its time is the least such a reader can take on this
server. Prints ``{"pages": N, "requests": R}``.
"""

from __future__ import annotations

import json
import sys

import requests


def main(api_url: str, category: str) -> None:
    session = requests.Session()
    session.headers["User-Agent"] = "wikisync-bench (floor: bare requests, 50 pages a request)"
    params = {
        "action": "query", "format": "json", "formatversion": "2", "maxlag": "5",
        "generator": "categorymembers", "gcmtitle": f"Category:{category}", "gcmlimit": "50",
        "gcmnamespace": "0", "prop": "revisions", "rvprop": "ids|timestamp|user|content",
        "rvslots": "main",
    }
    pages = sent = 0
    more: dict[str, str] = {}
    while True:
        data = session.get(api_url, params={**params, **more}, timeout=60).json()
        sent += 1
        pages += sum(1 for p in data.get("query", {}).get("pages", []) if "revisions" in p)
        if "continue" not in data:
            break
        more = data["continue"]
    print(json.dumps({"pages": pages, "requests": sent}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
