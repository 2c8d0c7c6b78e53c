"""``wikisync init``: write a commented ``wikisync.yaml`` after checking each wiki's API URL.

The config goes where ``--config`` says, else to ``./wikisync.yaml``; an existing file is kept
unless ``--force``. Each API URL is asked for its site info first (anonymously: no password is
needed yet); nothing is written when one fails. The written file is loaded back before the
command says it is done.
"""

from __future__ import annotations

from pathlib import Path

import click

from wikisync.cli import Ctx, pass_ctx, ui
from wikisync.errors import EXIT_FAILED, UsageError
from wikisync.i18n import N_, _

#: Proposed at a terminal when no --wiki is given: the wikis wikisync was made for.
STARTER = {
    "fabmob": "https://wiki.lafabriquedesmobilites.fr/api.php",
    "movilab": "https://movilab.org/api.php",
}


def _parse(pairs: tuple[str, ...]) -> dict[str, str]:
    wikis: dict[str, str] = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise UsageError(_("--wiki %(pair)r: expected NAME=API_URL") % {"pair": pair},
                             _("e.g. --wiki movilab=https://movilab.org/api.php"))
        wikis[name.strip()] = url.strip()
    return wikis


def _ask() -> dict[str, str]:
    """Names and API URLs, asked at the terminal (Enter keeps the proposed one)."""
    wikis: dict[str, str] = {}
    for name, url in STARTER.items():
        question = _("API URL of %(name)s (Enter: %(url)s; '-' to leave it out)") % {
            "name": name, "url": url}
        answer = click.prompt(question, default=url, show_default=False, err=True).strip()
        if answer != "-":
            wikis[name] = answer
    while True:
        name = click.prompt(_("Another wiki's name (Enter: none)"), default="",
                            show_default=False, err=True).strip()
        if not name:
            return wikis
        wikis[name] = click.prompt(_("API URL of %(name)s") % {"name": name}, err=True).strip()


def _provide(target: Path, name: str) -> str:
    """Make the folder ``target`` exist; fill it with wikisync's own ``name`` folder (the
    mappings and page templates of FabMob and Movilab) when it is new and those are at hand."""
    if target.is_dir() and any(target.iterdir()):
        return _("kept as it is")
    target.mkdir(parents=True, exist_ok=True)
    shipped = Path(__file__).resolve().parents[2] / name
    if not shipped.is_dir():
        return _("created, empty: add your files there")
    count = 0
    for source in sorted(shipped.iterdir()):
        if source.is_file():
            (target / source.name).write_bytes(source.read_bytes())
            count += 1
    return _("created with wikisync's %(count)d file(s), to adapt") % {"count": count}


def check_api(name: str, api_url: str) -> str:
    """What the wiki at ``api_url`` says it is (``MediaWiki 1.39.17, "Movilab"``); a
    :class:`~wikisync.errors.WikisyncError` when it is not a reachable MediaWiki API."""
    from wikisync.site import Deadline, Site

    site = Site(name=name, api_url=api_url, deadline=Deadline(60))
    general = site.siteinfo()["general"]
    return f'{general.get("generator", "MediaWiki")}, "{general.get("sitename", name)}"'


def render(wikis: dict[str, str], seen: dict[str, str]) -> str:
    """The commented config."""
    lines = [
        "# wikisync configuration, written by `wikisync init`. The README describes every key.",
        "#",
        "# Reading (show, export, audit) needs no login. Writing (set, new-lieu, import, sync)",
        "# needs a bot password (Special:BotPasswords on each wiki, grants: basic rights,",
        "# high-volume editing, edit existing pages, create pages): uncomment username and",
        "# password_env (or password_file, chmod 600) below. A password never goes in this file.",
        "",
        "wikis:",
    ]
    for name, url in wikis.items():
        env = f"WIKISYNC_{name.upper().replace('-', '_')}_PASSWORD"
        lines += [
            f"  {name}:",
            f"    api_url: {url}   # checked: {seen[name]}",
            "    # username: MonCompte@wikisync",
            f"    # password_env: {env}",
            "    # write_interval: 1                # seconds between two edits",
        ]
        others = [other for other in wikis if other != name]
        if others:
            lines.append(f"    # interwiki: {{{others[0]}: {others[0]}}}   "
                         "# prefixes this wiki knows for the others")
    lines += [
        "",
        "mappings_dir: mappings                  # one <kind>.yaml per kind of page",
        "templates_dir: page_templates           # the page templates new-lieu fills in",
        "# state_dir: .wikisync                  # default: the user's state folder",
        "",
        "# Lists kept identical on every page named (wikisync sync):",
        "# lists:",
        "#   tiers-lieux-interesses:",
        "#     kind: lieu",
        '#     entry: "[[{nom}]] – {ville}"    # how new-lieu and import write an entry',
        "#     pages:",
    ]
    for name in wikis:
        lines.append(f'#       {name}: {{title: "Page of the list", section: "Its section"}}')
    return "\n".join(lines) + "\n"


@click.command(help=N_(
    "Write a commented wikisync.yaml after checking each wiki's API URL.\n"
    "\n"
    "The file goes where --config says, else to ./wikisync.yaml.\n"
    "\n"
    "\b\n"
    "Examples:\n"
    "  wikisync init\n"
    "  wikisync --config ~/.config/wikisync/wikisync.yaml init \\\n"
    "      --wiki fabmob=https://wiki.lafabriquedesmobilites.fr/api.php \\\n"
    "      --wiki movilab=https://movilab.org/api.php"))
@click.option("--wiki", "pairs", multiple=True, metavar="NAME=API_URL",
              help=N_("a wiki and the address of its api.php (repeatable; at a terminal, "
                   "asked when not given)"))
@click.option("--force", is_flag=True, help=N_("replace an existing config file"))
@pass_ctx
def init(ctx: Ctx, pairs: tuple[str, ...], force: bool) -> None:
    from wikisync.config import load_config
    from wikisync.errors import WikisyncError

    path = Path(ctx.config_path or "wikisync.yaml").expanduser()
    if path.exists() and not force:
        raise UsageError(_("%(path)s exists already; nothing was written") % {"path": path},
                         _("use --force to replace it, or --config to write elsewhere"))
    wikis = _parse(pairs)
    if not wikis:
        if not ui.is_interactive():
            raise UsageError(_("no wiki given"), _("give --wiki NAME=API_URL (repeatable)"))
        wikis = _ask()
    if not wikis:
        raise UsageError(_("no wiki given; nothing was written"))
    seen: dict[str, str] = {}
    failed = False
    for name, url in wikis.items():
        try:
            seen[name] = check_api(name, url)
        except WikisyncError as exc:
            failed = True
            click.echo(_("%(name)s: FAILED  %(error)s") % {"name": name, "error": exc}, err=True)
            if exc.hint:
                click.echo(_("  hint: %(hint)s") % {"hint": exc.hint}, err=True)
            continue
        ui.say(_("%(name)s: ok  %(seen)s") % {"name": name, "seen": seen[name]}, ctx.quiet)
    if failed:
        click.echo(_("Nothing was written to %(path)s.") % {"path": path}, err=True)
        raise SystemExit(EXIT_FAILED)
    path.parent.mkdir(parents=True, exist_ok=True)
    for folder in ("mappings", "page_templates"):
        copied = _provide(path.parent / folder, folder)
        ui.say(f"{path.parent / folder}: {copied}", ctx.quiet)
    path.write_text(render(wikis, seen), encoding="utf-8")
    load_config(path)  # the file written must load (a bug of init otherwise)
    click.echo(_("wrote %(path)s") % {"path": path})
