"""MediaWiki's own rendering of a list, as the tests compare it: the top-level items of the
HTML ``action=parse`` returns, each with the page its first article link points to."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

#: Links into these namespaces never name a lieu (icons, people, categories, templates).
NOT_ARTICLE = ("Fichier:", "File:", "Image:", "Catégorie:", "Category:", "Utilisateur:",
               "User:", "Spécial:", "Special:", "Modèle:", "Template:")


def _linked_title(href: str, attrs: dict) -> str:
    """The title a rendered link points to: a page of this wiki (a red link's too), of an
    interwiki (its ``title`` attribute: "prefix:Title"), or any URL under ``/wiki/``."""
    if "extiw" in (attrs.get("class") or ""):
        return (attrs.get("title") or "").partition(":")[2]
    parts = urlsplit(href)
    if "/wiki/" in parts.path:
        return unquote(parts.path.split("/wiki/", 1)[1]).replace("_", " ")
    return parse_qs(parts.query).get("title", [""])[0].replace("_", " ")


class TopItems(HTMLParser):
    """The top-level ``<li>`` items of rendered HTML (not those of a list nested in an item):
    ``{"link": title of the first link to an article or None, "text": the item's own text
    without the text of links into other namespaces}``."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict] = []
        self._li = 0
        self._nested = 0
        self._other_link = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "li":
            self._li += 1
            if self._li == 1:
                self.items.append({"link": None, "text": ""})
        elif tag in ("ul", "ol", "dl") and self._li:
            self._nested += 1
        elif tag == "a" and self._li == 1 and not self._nested:
            attributes = dict(attrs)
            title = _linked_title(attributes.get("href") or "", attributes)
            self._other_link = title.startswith(NOT_ARTICLE)
            if title and not self._other_link and self.items[-1]["link"] is None:
                self.items[-1]["link"] = title

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._other_link = False
        elif tag == "li":
            self._li -= 1
        elif tag in ("ul", "ol", "dl") and self._li:
            self._nested -= 1

    def handle_data(self, data: str) -> None:
        if self._li == 1 and not self._nested and not self._other_link:
            self.items[-1]["text"] += data


def rendered_items(site, text: str, title: str = "Essai") -> list[dict]:
    """The top-level items MediaWiki renders ``text`` (on page ``title``) into."""
    parsed = site.call({"action": "parse", "title": title, "contentmodel": "wikitext",
                        "prop": "text", "disablelimitreport": "1", "text": text}, post=True)
    html = parsed["parse"]["text"]
    items = TopItems()
    items.feed(html if isinstance(html, str) else html["*"])
    return items.items
