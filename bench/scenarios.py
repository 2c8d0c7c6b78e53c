"""The five scenarios of issue 6, each returning table rows (figures measured, nothing asserted).

1. ``read``: every lieu page of a category, fields extracted: wikisync, a naive mwclient loop,
   Pywikibot's PreloadingGenerator, git-remote-mediawiki (N pages of one wiki's category), and
   the server's floor for any reader bound by the project's rules (``tools/floor_read.py``);
2. ``sync-idle``: ``wikisync sync`` with nothing changed (the cron case);
3. ``sync-changes``: ``wikisync sync`` after 20 changes on each side of the list;
4. ``create``: 200 lieux on both wikis, ``wikisync import`` against Pywikibot's ``pagefromfile``;
5. ``cpu``: wikisync's client CPU per 1,000 pages, apart from waiting on the server.
"""

from __future__ import annotations

import csv
import json
import logging
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench import peers
from bench.corpus import Corpus, city, list_line, list_ref
from bench.harness import (
    PAIRED_REPS,
    Meter,
    Row,
    Sample,
    alternate,
    echo,
    measure,
    repeat,
    run_process,
    summarize,
    tool_env,
)
from bench.latency import DelayProxy
from wikisync import create
from wikisync.app import App
from wikisync.config import load_config
from wikisync.devwiki import LocalWiki
from wikisync.site import Site

log = logging.getLogger(__name__)

TOOLS = Path(__file__).resolve().parent / "tools"
READ_WIKI = "movilab"
CHANGES_PER_SIDE = 20
READ = "1 read category"
FAR_RTT = 0.03  # seconds: a round trip to a wiki hosted in the same country
FLOOR_TOOL = "floor: bare requests, 50 a request, no parsing"
FLOOR_BOT = "floor: bot logged in, 500 a request, no parsing"


@dataclass
class Context:
    """What every scenario shares: where outputs go, how many runs, which peers work."""

    out: Path
    reps: int
    pywikibot: str | None = None  # None when ready, else why not
    git: str | None = None
    rows: list[Row] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a tool run: no WIKISYNC_* of the caller's, nothing else odd
        (bytecode caches on: :func:`bench.harness.tool_env`)."""
        return tool_env(self.out / "pycache", **extra)

    def emit(self, row: Row) -> Row:
        self.rows.append(row)
        return echo(row, 22, 34)


def wikisync_cmd(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "wikisync", "--config", str(config), *args]


def _pages_note(sample_out: Path, expected: int) -> str:
    """A note when a peer read another number of pages than expected."""
    try:
        doc = json.loads(sample_out.read_text().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return "no result printed"
    return "" if doc.get("pages") == expected else f"read {doc.get('pages')} of {expected} pages"


# --------------------------------------------------------------------------- 1. read


def scenario_read(ctx: Context, corpus: Corpus, *, git: bool = True) -> list[Row]:
    """Read every lieu page of one wiki's category and extract its fields, with each tool
    (git-remote-mediawiki only when ``git``: the large farm leaves it out)."""
    wiki = corpus.wikis[READ_WIKI]
    return _read_with_each_tool(ctx, corpus, READ, ctx.out / f"read-{corpus.n}",
                                wiki.server.removeprefix("http://"), git=git,
                                git_skipped="two requests a page: its row at the small N "
                                            "tells its cost (110 to 116 s at 2,000)")


def scenario_read_far(ctx: Context, corpus: Corpus) -> list[Row]:
    """Scenario 1 again with the wiki one network round trip of :data:`FAR_RTT` away (a delay
    proxy on loopback): what the local figures become against a wiki on the Internet.
    git-remote-mediawiki is left out: at two requests a page it would take minutes a run."""
    wiki = corpus.wikis[READ_WIKI]
    name = f"1 read, {FAR_RTT * 1000:.0f} ms away"
    with DelayProxy(wiki.port, FAR_RTT) as proxy:
        return _read_with_each_tool(ctx, corpus, name, ctx.out / f"read-far-{corpus.n}",
                                    f"127.0.0.1:{proxy.port}", git=False)


def _read_with_each_tool(ctx: Context, corpus: Corpus, name: str, folder: Path, host: str,
                         *, git: bool = True,
                         git_skipped: str = "two round trips a page would take minutes a run",
                         ) -> list[Row]:
    """Scenario ``name``'s rows: each tool reads :data:`READ_WIKI`'s category at ``host``."""
    wiki = corpus.wikis[READ_WIKI]
    meter = Meter({READ_WIKI: wiki})
    api_url = f"http://{host}/api.php"
    config = via(corpus.config(folder), READ_WIKI, api_url)
    wmap = App(load_config(config)).mapping("lieu").wiki(READ_WIKI)
    category, template = wmap.category, wmap.template_names[0]
    n = corpus.n

    def one(label: str, cmd: list[str], env: dict[str, str] | None = None,
            before: Callable[[], None] | None = None) -> Callable[[int], Sample]:
        def once(i: int) -> Sample:
            if before:
                before()
            return measure([cmd], meter, out_dir=folder, label=f"{label}.{i}",
                           env=env or ctx.env(), cwd=folder)
        return once

    def run(label: str, cmd: list[str], env: dict[str, str] | None = None,
            before: Callable[[], None] | None = None) -> list[Sample]:
        return repeat(ctx.reps, one(label, cmd, env, before))

    def row(tool: str, samples: list[Sample], label: str) -> Row:
        out = folder / f"{label}.0.0.out"
        if label.startswith("wikisync"):
            got = _csv_rows(out)
            note = "" if got == n else f"exported {got} of {n} records"
        else:
            note = _pages_note(out, n)
        return ctx.emit(summarize(name, tool, str(n), samples, [READ_WIKI], note))

    anonymous = anonymous_config(via(corpus.config(folder / "anonymous"), READ_WIKI, api_url))
    export = ("export", "lieu", "--wiki", READ_WIKI, "--format", "csv")
    bot = [api_url, category, wiki.bot_login, str(folder / "secrets" / f"{READ_WIKI}.secret")]
    # each mode's pair alternated, run for run, as the audit's (bench.audit_bench)
    ours, bare = alternate([
        one("wikisync", wikisync_cmd(config, *export)),
        one("floorbot", [sys.executable, str(TOOLS / "floor_read.py"), "--login", *bot]),
    ], max(PAIRED_REPS, ctx.reps))
    ours_anon, bare_anon = alternate([
        one("wikisync-anon", wikisync_cmd(anonymous, *export)),
        one("floor", [sys.executable, str(TOOLS / "floor_read.py"), api_url, category]),
    ], ctx.reps)
    rows = [
        row("wikisync export (bot: logs in, 500 a request)", ours, "wikisync"),
        row(FLOOR_BOT, bare, "floorbot"),
        row("wikisync export (anonymous, 50 a request)", ours_anon, "wikisync-anon"),
        row(FLOOR_TOOL, bare_anon, "floor"),
        row("mwclient naive loop (page.text())", run("mwclient", [
            sys.executable, str(TOOLS / "mwclient_read.py"), host, category, template]),
            "mwclient"),
    ]
    for login, tool in ((False, "Pywikibot PreloadingGenerator"),
                        (True, "Pywikibot PreloadingGenerator, bot logged in")):
        if ctx.pywikibot:
            rows.append(ctx.emit(Row(name, tool, str(n), note=f"not run: {ctx.pywikibot}")))
            continue
        label = "pywikibot-bot" if login else "pywikibot"
        pwb_dir = peers.write_pywikibot_dir(folder / label, [wiki], login=login,
                                            hosts={READ_WIKI: host})
        cmd = [str(peers.pywikibot_python()), str(TOOLS / "pywikibot_read.py"),
               *(["--login"] if login else []), peers.family_name(wiki), category, template]
        rows.append(row(tool, run(label, cmd, ctx.env(PYWIKIBOT_DIR=str(pwb_dir)),
                                  lambda d=pwb_dir: peers.forget_pywikibot_sessions(d)),
                        label))
    tool = "git clone mediawiki:: (category)"
    if not git or ctx.git:
        why = ctx.git or git_skipped
        rows.append(ctx.emit(Row(name, tool, str(n), note=f"not run: {why}")))
    else:
        dest = folder / "clone"
        cmd = [sys.executable, str(TOOLS / "git_read.py"), f"http://{host}", category,
               template, str(dest)]
        rows.append(row(tool, run("git", cmd,
                                  before=lambda: shutil.rmtree(dest, ignore_errors=True)),
                        "git"))
    return rows


def via(config: Path, wiki: str, api_url: str) -> Path:
    """``config`` with ``wiki`` reached at ``api_url``."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["wikis"][wiki]["api_url"] = api_url
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return config


def anonymous_config(config: Path, target: Path | None = None) -> Path:
    """``config`` without any login, written to ``target`` (default: over ``config``):
    wikisync then reads anonymously, 50 pages a request."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for wiki in data["wikis"].values():
        for key in ("username", "password_file", "password_env"):
            wiki.pop(key, None)
    target = target or config
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return target


def _csv_rows(path: Path) -> int:
    try:
        with path.open(encoding="utf-8") as fh:
            return max(0, sum(1 for _ in csv.reader(fh)) - 1)
    except OSError:
        return 0


# --------------------------------------------------------------------------- 2. sync, idle


def scenario_sync_idle(ctx: Context, corpus: Corpus) -> tuple[list[Row], Path]:
    """A first ``wikisync sync`` (builds the state), then runs with nothing changed."""
    folder = ctx.out / f"sync-{corpus.n}"
    config = corpus.config(folder)
    meter = Meter(corpus.wikis)
    names = list(corpus.wikis)
    cmd = wikisync_cmd(config, "sync")
    n = f"{corpus.n}"
    note = f"{corpus.list_size}-entry list + {corpus.n} records/wiki"
    first = measure([cmd], meter, out_dir=folder, label="first", env=ctx.env(), cwd=folder)
    rows = [ctx.emit(summarize("2 sync, first run", "wikisync sync (no state yet)", n, [first],
                               names, note))]
    samples = [measure([cmd], meter, out_dir=folder, label=f"idle.{i}", env=ctx.env(),
                       cwd=folder) for i in range(ctx.reps)]
    rows.append(ctx.emit(summarize("2 sync, nothing changed", "wikisync sync", n, samples,
                                   names, note)))
    return rows, folder


# --------------------------------------------------------------------------- 3. sync, changes


def _peer_site(wiki: LocalWiki) -> Site:
    return Site(wiki.name, wiki.api_url, wiki.peer_login, lambda: wiki.peer_bot_password)


def _edit_list(wiki: LocalWiki, change: Callable[[str], str]) -> None:
    """A person (the peer account) edits the list page: ``change(text) -> text``."""
    site = _peer_site(wiki)
    title = list_ref(wiki.name)["title"]
    page = site.read([title])[title]
    site.save(page, change(page.text), "modification humaine")


def human_changes(corpus: Corpus) -> None:
    """20 changes on each side, none touching the same entry: FabMob adds 10 lieux and
    re-annotates 10; Movilab removes 10 and re-annotates 10 others."""
    size, half = corpus.list_size, CHANGES_PER_SIDE // 2

    def fabmob(text: str) -> str:
        for i in range(half):
            text = text.replace(list_line(i), list_line(i, f"{city(i)} (modifié sur FabMob)"))
        extra = "".join(list_line(size + i) for i in range(half))
        return text.replace(list_line(size - 1), list_line(size - 1) + extra)

    def movilab(text: str) -> str:
        for i in range(half, 2 * half):
            text = text.replace(list_line(i), list_line(i, f"{city(i)} (modifié sur Movilab)"))
        for i in range(size - half, size):
            text = text.replace(list_line(i), "")
        return text

    _edit_list(corpus.wikis["fabmob"], fabmob)
    _edit_list(corpus.wikis["movilab"], movilab)


def scenario_sync_changes(ctx: Context, corpus: Corpus, synced: Path) -> list[Row]:
    """``wikisync sync`` after 20 changes on each side; each run starts from the same wikis
    and state (both restored from a snapshot)."""
    folder = ctx.out / f"changes-{corpus.n}"
    shutil.copytree(synced, folder, dirs_exist_ok=True)
    config = folder / "wikisync.yaml"
    config.write_text(config.read_text())  # the copy's own config; its state is "state/"
    human_changes(corpus)
    for wiki in corpus.wikis.values():
        wiki.snapshot()
    base_state = folder / "state.base"
    shutil.copytree(folder / "state", base_state)
    meter = Meter(corpus.wikis)
    samples = []
    for i in range(ctx.reps):
        corpus.farm.reset()
        shutil.rmtree(folder / "state")
        shutil.copytree(base_state, folder / "state")
        samples.append(measure([wikisync_cmd(config, "sync")], meter, out_dir=folder,
                               label=f"sync.{i}", env=ctx.env(), cwd=folder))
    note = f"{CHANGES_PER_SIDE} changes per side of a {corpus.list_size}-entry list"
    corpus.farm.reset()
    return [ctx.emit(summarize("3 sync, 20+20 changes", "wikisync sync", str(corpus.n),
                               samples, list(corpus.wikis), note))]


# --------------------------------------------------------------------------- 4. create


def import_rows(count: int) -> list[dict[str, str]]:
    return [
        {"nom": f"Nouveau lieu {city(i)} n°{i:03d}", "ville": city(i),
         "code_postal": f"{21000 + i:05d}", "site_web": f"https://nouveau-{i:03d}.example.org/",
         "themes": "Mobilité, Réemploi", "description_courte": f"Un nouveau lieu ({i})"}
        for i in range(count)
    ]


def write_import_file(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


TITLE_START, TITLE_END = "@@TITRE@@", "@@/TITRE@@"


def write_pagefromfile(path: Path, app: App, wiki: str, rows: list[dict[str, str]]) -> Path:
    """The same pages wikisync renders, in pagefromfile's format."""
    mapping = app.mapping("lieu")
    parts = []
    for fields in rows:
        title = mapping.title_for(fields)
        text = create.render_page(app, mapping, wiki, fields)
        parts.append(f"{{{{-start-}}}}{TITLE_START}{title}{TITLE_END}\n{text}\n{{{{-stop-}}}}\n")
    path.write_text("".join(parts), encoding="utf-8")
    return path


def scenario_create(ctx: Context, corpus: Corpus, count: int) -> list[Row]:
    """Create ``count`` lieux on both wikis: ``wikisync import`` vs Pywikibot ``pagefromfile``."""
    folder = ctx.out / f"create-{count}"
    config = corpus.config(folder)
    rows_in = import_rows(count)
    source = write_import_file(folder / "lieux.csv", rows_in)
    meter = Meter(corpus.wikis)
    names = list(corpus.wikis)
    def once(i: int) -> Sample:
        corpus.farm.reset()
        shutil.rmtree(folder / "state", ignore_errors=True)
        return measure([wikisync_cmd(config, "import", "lieu", str(source), "--yes")],
                       meter, out_dir=folder, label=f"wikisync.{i}", env=ctx.env(), cwd=folder)

    samples = repeat(ctx.reps, once)
    out = [ctx.emit(summarize("4 create lieux", "wikisync import", str(count), samples, names,
                              "also adds them to each wiki's list (1 edit/wiki)"))]
    out.append(ctx.emit(_create_pywikibot(ctx, corpus, folder, config, rows_in, meter)))
    corpus.farm.reset()
    return out


def _create_pywikibot(ctx: Context, corpus: Corpus, folder: Path, config: Path,
                      rows_in: list[dict[str, str]], meter: Meter) -> Row:
    tool, n = "Pywikibot pagefromfile", str(len(rows_in))
    if ctx.pywikibot:
        return Row("4 create lieux", tool, n, note=f"not run: {ctx.pywikibot}")
    app = App(load_config(config))
    wikis = list(corpus.wikis.values())
    pwb_dir = peers.write_pywikibot_dir(folder / "pywikibot", wikis, login=True)
    commands = []
    for wiki in wikis:
        source = write_pagefromfile(folder / f"pages.{wiki.name}.txt", app, wiki.name, rows_in)
        commands.append([
            str(peers.pwb_script()), "pagefromfile",
            f"-family:{peers.family_name(wiki)}", "-lang:fr", f"-file:{source}", "-notitle",
            f"-titlestart:{TITLE_START}", f"-titleend:{TITLE_END}",
            "-summary:pagefromfile (bench)",
        ])
    def once(i: int) -> Sample:
        corpus.farm.reset()
        peers.forget_pywikibot_sessions(pwb_dir)
        return measure(commands, meter, out_dir=folder, label=f"pywikibot.{i}",
                       env=ctx.env(PYWIKIBOT_DIR=str(pwb_dir)), cwd=folder)

    samples = repeat(ctx.reps, once)
    return summarize("4 create lieux", tool, n, samples, list(corpus.wikis),
                     "one pwb process per wiki (put_throttle 0)")


# --------------------------------------------------------------------------- 5. CPU


def scenario_cpu(ctx: Context, corpus: Corpus) -> list[Row]:
    """CPU seconds per 1,000 pages of wikisync's pure parsing and planning functions."""
    folder = ctx.out / "cpu"
    config = corpus.config(folder)
    usage = run_process([sys.executable, str(TOOLS / "cpu_probe.py"), str(config),
                         str(max(3, ctx.reps))], env=ctx.env(), cwd=folder, out_dir=folder,
                        label="probe")
    name = "5 client CPU"
    if usage.returncode != 0:
        tail = " | ".join(usage.stderr.strip().splitlines()[-2:])
        return [ctx.emit(Row(name, "wikisync", "-", note=f"FAILED: {tail[:160]}"))]
    doc = json.loads(usage.stdout.strip().splitlines()[-1])
    pages, records, entries = doc["pages"], doc["records_on_2_wikis"], doc["list_entries"]
    parse, plan = doc["parse"] * 1000 / pages, doc["plan_fields"] * 1000 / pages
    stages = [
        ("parse fields, per 1,000 pages", parse,
         f"read_fields + from_params over {pages} pages"),
        ("plan fields, per 1,000 pages", plan,
         f"plan_fields per sync field of {records} records on 2 wikis"),
        ("parse + plan, per 1,000 pages", parse + plan, "the two above: the sync/audit read"),
        ("lists, per 1,000 entries", doc["lists"] * 1000 / entries,
         f"read_list + to_list_entry + plan_list, {entries} entries on 2 pages"),
        ("edit fields, per 1,000 pages", doc["set_fields"] * 1000 / pages,
         "set_fields with its re-parse proof (write path)"),
    ]
    rows = []
    for label, seconds, note in stages:
        rows.append(ctx.emit(Row(name, f"wikisync: {label}", str(pages), max(3, ctx.reps),
                                 cpu=seconds, note=note)))
    return rows
