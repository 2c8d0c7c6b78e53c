"""What several commands share: options, and the Tab completion of kinds, wikis and lists.

Completion reads the config only (the kinds are its mapping files' names), never a wiki. A
config that is missing or wrong completes nothing: the command itself says what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from wikisync.i18n import N_

if TYPE_CHECKING:
    from wikisync.config import Config


def _config(ctx: click.Context) -> Config | None:
    """The config the command would use (``--config``, ``$WIKISYNC_CONFIG``, ./wikisync.yaml)."""
    from wikisync.config import find_config, load_config

    try:
        return load_config(find_config(ctx.find_root().params.get("config_path")))
    except Exception:  # a Tab press must never print a traceback
        return None


def _starting_with(names: Iterable[str], incomplete: str) -> list[str]:
    return sorted(name for name in names if name.startswith(incomplete))


def complete_kinds(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """The kinds: one per mapping file (``<kind>.yaml``) in the config's mappings folder."""
    config = _config(ctx)
    if config is None:
        return []
    return _starting_with((path.stem for path in config.mappings_dir.glob("*.yaml")), incomplete)


def complete_wikis(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """The wikis of the config."""
    config = _config(ctx)
    return [] if config is None else _starting_with(config.wikis, incomplete)


def complete_lists(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """The lists of the config."""
    config = _config(ctx)
    return [] if config is None else _starting_with(config.lists, incomplete)


kind_argument = click.argument("kind", shell_complete=complete_kinds)
wiki_option = click.option("--wiki", "wikis", multiple=True, metavar="W",
                           shell_complete=complete_wikis,
                           help=N_("only this wiki (repeatable; default: every wiki of the "
                                   "mapping)"))
