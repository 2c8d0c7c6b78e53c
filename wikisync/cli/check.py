"""``wikisync check``: reach every wiki, log in, print what each says about the account."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from wikisync.cli import Ctx, pass_ctx
from wikisync.errors import EXIT_FAILED, EXIT_OK


@click.command()
@click.option("--json", "as_json", is_flag=True, help="one JSON document on stdout")
@pass_ctx
def check(ctx: Ctx, as_json: bool) -> None:
    """Reach every wiki, log in, print MediaWiki version, user and rights.

    Exit 1 if any wiki fails.
    """
    from wikisync.check import check_wikis

    statuses = check_wikis(ctx.app)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in statuses], ensure_ascii=False, indent=2))
    else:
        for s in statuses:
            if s.ok:
                missing = f"  MISSING: {', '.join(s.missing)}" if s.missing else ""
                click.echo(f"{s.wiki}: ok  {s.version}  \"{s.sitename}\"  user {s.user} "
                           f"(groups: {', '.join(s.groups) or '-'})  rights: "
                           f"{', '.join(s.rights) or '-'}{missing}")
            else:
                click.echo(f"{s.wiki}: FAILED  {s.error}")
                if s.hint:
                    click.echo(f"  hint: {s.hint}")
    raise SystemExit(EXIT_OK if all(s.ok for s in statuses) else EXIT_FAILED)
