"""``wikisync check``: reach every wiki, log in, print what each says about the account."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from wikisync.cli import Ctx, pass_ctx
from wikisync.errors import EXIT_FAILED, EXIT_OK
from wikisync.i18n import N_, _


@click.command(help=N_(
    "Reach every wiki, log in, print MediaWiki version, user and rights.\n"
    "\n"
    "Exit 1 if any wiki fails."))
@click.option("--json", "as_json", is_flag=True, help=N_("one JSON document on stdout"))
@pass_ctx
def check(ctx: Ctx, as_json: bool) -> None:
    from wikisync.check import check_lists, check_wikis

    statuses = check_wikis(ctx.app)
    lists = check_lists(ctx.app) if all(s.ok for s in statuses) else []
    if as_json:
        click.echo(json.dumps([asdict(s) for s in statuses], ensure_ascii=False, indent=2))
    else:
        for s in statuses:
            if s.ok:
                missing = (_("  MISSING: %(rights)s") % {"rights": ", ".join(s.missing)}
                           if s.missing else "")
                click.echo(_("%(wiki)s: ok  %(version)s  \"%(sitename)s\"  user %(user)s "
                             "(groups: %(groups)s)  rights: %(rights)s%(missing)s") % {
                    "wiki": s.wiki, "version": s.version, "sitename": s.sitename, "user": s.user,
                    "groups": ', '.join(s.groups) or '-', "rights": ', '.join(s.rights) or '-',
                    "missing": missing})
                for warning in s.warnings:
                    click.echo(_("  warning: %(warning)s") % {"warning": warning})
                if s.warnings:
                    from wikisync.grants import needed_labels

                    click.echo(_("  hint: least privilege: tick only %(needed_labels)s for "
                                 "this bot password (Special:BotPasswords)") % {
                        "needed_labels": needed_labels()})
            else:
                click.echo(_("%(wiki)s: FAILED  %(error)s") % {"wiki": s.wiki, "error": s.error})
                if s.hint:
                    click.echo(_("  hint: %(hint)s") % {"hint": s.hint})
        for ls in lists:
            where = _("list %(list)s: %(page)s § %(section)s") % {
                "list": ls.list, "page": f"{ls.wiki}:{ls.title}" if ls.wiki else ls.title,
                "section": ls.section}
            if ls.error:
                click.echo(_("%(where)s: FAILED  %(error)s") % {
                    "where": where, "error": ls.error})
            else:
                shown = ", ".join(ls.entries[:12]) + (", ..." if len(ls.entries) > 12 else "")
                said = (_("%(where)s: %(count)s entries: %(entries)s") if shown
                        else _("%(where)s: %(count)s entries"))
                click.echo(said % {"where": where, "count": len(ls.entries), "entries": shown})
            if ls.hint:
                click.echo(_("  hint: %(hint)s") % {"hint": ls.hint})
    ok = all(s.ok for s in statuses) and not any(ls.error for ls in lists)
    raise SystemExit(EXIT_OK if ok else EXIT_FAILED)
