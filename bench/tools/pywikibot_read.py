"""Pywikibot read: categories' articles through PreloadingGenerator.

    PYWIKIBOT_DIR=DIR python pywikibot_read.py [--login] FAMILY CATEGORY TEMPLATE [FAMILY ...]

Anonymously, pages are preloaded 50 a request. With ``--login``, Pywikibot logs in as the bot of
its user-config (a bot password) and preloads as many pages a request as the account may ask
(500 with ``apihighlimits``, Pywikibot's own ``maxlimit``). Several wikis are read at once, one
thread each (as wikisync's audit reads them). Fields are extracted with Pywikibot's own
``textlib.extract_templates_and_params``. Prints ``{"pages": N, "fields": M}``.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import pywikibot
from pywikibot import pagegenerators, textlib


def read(family: str, category: str, template: str, login: bool) -> tuple[int, int]:
    site = pywikibot.Site("fr", family)
    size = 50
    if login:
        site.login()
        size = site.maxlimit  # 500 for a bot with apihighlimits
    cat = pywikibot.Category(site, category)  # the Category namespace is implied
    wanted = template.replace("_", " ").lower()
    pages = fields = 0
    for page in pagegenerators.PreloadingGenerator(cat.articles(namespaces=[0]),
                                                   groupsize=size):
        for name, params in textlib.extract_templates_and_params(page.text, strip=True):
            if name.replace("_", " ").lower() == wanted:
                fields += len(params)
                break
        pages += 1
    return pages, fields


def main(argv: list[str]) -> None:
    login = argv[:1] == ["--login"]
    argv = argv[1:] if login else argv
    wikis = [tuple(argv[i:i + 3]) for i in range(0, len(argv), 3)]
    if len(wikis) == 1:
        done = [read(*wikis[0], login)]
    else:
        with ThreadPoolExecutor(max_workers=len(wikis)) as pool:
            done = list(pool.map(lambda wiki: read(*wiki, login), wikis))
    print(json.dumps({"pages": sum(p for p, _ in done), "fields": sum(f for _, f in done)}))


if __name__ == "__main__":
    main(sys.argv[1:])
