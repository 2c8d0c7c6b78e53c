"""wikisync's client-side CPU, apart from waiting on the server (scenario 5).

    python cpu_probe.py CONFIG REPEATS

Reads every lieu page of both wikis and both list pages first (not timed), then times, with
``time.process_time`` and the median of REPEATS passes, the pure functions a sync or an audit
runs over them:

- ``parse``: ``wikitext.read_fields`` + ``Mapping.from_params`` (``records.record_from_page``)
  for every page;
- ``plan_fields``: ``planner.plan_fields`` for every ``sync`` field of every record on 2 wikis;
- ``lists``: ``wikitext.read_list`` + ``lists.to_list_entry`` of both list pages, then
  ``planner.plan_list`` against the previous plan's base (the cron case);
- ``set_fields``: one surgical field edit per page, proved by re-parsing (the write path).

Prints one JSON document: pages, records, list entries and the CPU seconds of each stage.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from wikisync.app import App
from wikisync.config import load_config
from wikisync.listsync import link_context, parse_page, read_pages
from wikisync.model import Page
from wikisync.planner import MISSING, plan_fields, plan_list
from wikisync.records import record_from_page
from wikisync.titles import normalize_title
from wikisync.wikitext import set_fields


def cpu_seconds(repeats: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        work()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def main(config: str, repeats: int) -> None:
    app = App(load_config(config))
    mapping = app.mapping("lieu")
    wikis = [w for w in mapping.wikis if w in app.config.wikis]
    pages: dict[str, list[Page]] = {
        w: list(app.site(w).category_pages(mapping.wiki(w).category)) for w in wikis
    }
    lst = next(iter(app.config.lists.values()))
    list_pages = read_pages(app, lst)
    ctx = link_context(app.config)

    def parse() -> dict[str, dict[str, dict[str, str]]]:
        by_key: dict[str, dict[str, dict[str, str]]] = {}
        for wiki, items in pages.items():
            for page in items:
                record = record_from_page(mapping, wiki, page)
                by_key.setdefault(normalize_title(record.title), {})[wiki] = record.fields
        return by_key

    records = parse()
    shared = {k: v for k, v in records.items() if len(v) > 1}

    def plan_all_fields() -> None:
        for by_wiki in shared.values():
            for name in mapping.sync:
                current = {w: f.get(name) for w, f in by_wiki.items()
                           if mapping.wiki(w).param_for(name)}
                if len(current) > 1:
                    plan_fields(current, MISSING, name=name)

    def read_lists() -> dict:
        return {w: parse_page(lst, w, p, ctx).entries for w, p in list_pages.items()}

    base = plan_list(read_lists(), None).new_base

    def lists() -> None:
        plan_list(read_lists(), base)

    first = {w: mapping.wiki(w) for w in wikis}

    def edit_all() -> None:
        for wiki, items in pages.items():
            wmap = first[wiki]
            param = wmap.param_for("ville")
            for page in items:
                set_fields(page.text, list(wmap.template_names), {param: "Ville modifiée"})

    result = {
        "pages": sum(len(p) for p in pages.values()),
        "records_on_2_wikis": len(shared),
        "list_entries": sum(len(e) for e in read_lists().values()),
        "parse": cpu_seconds(repeats, parse),
        "plan_fields": cpu_seconds(repeats, plan_all_fields),
        "lists": cpu_seconds(repeats, lists),
        "set_fields": cpu_seconds(repeats, edit_all),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)
