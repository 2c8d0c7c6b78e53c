"""Naive read with mwclient: list a category, then one ``page.text()`` request per page.

    python mwclient_read.py HOST:PORT CATEGORY TEMPLATE

Prints ``{"pages": N, "fields": M}`` (M = template parameters extracted).
"""

from __future__ import annotations

import json
import sys

import mwclient
from _fields import template_fields


def main(host: str, category: str, template: str) -> None:
    site = mwclient.Site(host, path="/", scheme="http",
                         clients_useragent="wikisync-bench (naive mwclient loop)")
    pages = fields = 0
    for page in site.categories[category]:
        fields += len(template_fields(page.text(), template))
        pages += 1
    print(json.dumps({"pages": pages, "fields": fields}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
