"""Pywikibot read: a category's articles through PreloadingGenerator (50 pages a request).

    PYWIKIBOT_DIR=DIR python pywikibot_read.py FAMILY CATEGORY TEMPLATE

Fields are extracted with Pywikibot's own ``textlib.extract_templates_and_params``.
Prints ``{"pages": N, "fields": M}``.
"""

from __future__ import annotations

import json
import sys

import pywikibot
from pywikibot import pagegenerators, textlib


def main(family: str, category: str, template: str) -> None:
    site = pywikibot.Site("fr", family)
    cat = pywikibot.Category(site, category)  # the Category namespace is implied
    wanted = template.replace("_", " ").lower()
    pages = fields = 0
    for page in pagegenerators.PreloadingGenerator(cat.articles(namespaces=[0]), groupsize=50):
        for name, params in textlib.extract_templates_and_params(page.text, strip=True):
            if name.replace("_", " ").lower() == wanted:
                fields += len(params)
                break
        pages += 1
    print(json.dumps({"pages": pages, "fields": fields}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
