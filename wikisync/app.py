"""What one run of wikisync works with: the config, the mappings and one Site per wiki.

Built by the CLI once per command; the core functions take an :class:`App` and never read
options or the environment themselves. Its ``wiki_factory`` says how a wiki is reached: over
the network (the default) or in memory (:mod:`wikisync.memwiki`), so that a whole command can
run without a network.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wikisync.config import Config, WikiConfig, suggest
from wikisync.errors import ConfigError, InputError, UsageError, WikisyncError
from wikisync.i18n import _
from wikisync.mapping import Mapping, load_mappings
from wikisync.site import Deadline, Site

if TYPE_CHECKING:  # imported by the links' own code, after a read's first request is out
    from wikisync.lists import LinkContext

log = logging.getLogger(__name__)

#: Makes the wiki called ``name`` from its config: the network's :class:`Site` by default, an
#: in-memory wiki in tests (:func:`wikisync.memwiki.memory_factory`).
WikiFactory = Callable[[str, WikiConfig], Site]


@dataclass
class App:
    config: Config
    deadline: Deadline = field(default_factory=lambda: Deadline(600))
    _sites: dict[str, Site] = field(default_factory=dict)
    #: the audit and list reads work on several wikis at once, one thread each: one Site per
    #: wiki all the same
    _sites_lock: threading.Lock = field(default_factory=threading.Lock, repr=False,
                                        compare=False)
    _mappings: dict[str, Mapping] | None = None
    _links: LinkContext | None = None
    #: (wiki, title) -> the latest revision of a list page, read at the start of the run with
    #: the wiki's identity (wikisync.provenance); taken once, before anything is written
    first_look: dict[tuple[str, str], int] = field(default_factory=dict)
    #: list -> (wiki, keys or None for all): conflicts to settle by taking that wiki's version
    #: (``wikisync resolve``), see wikisync.settle
    resolve: dict[str, tuple[str, frozenset[str] | None]] = field(default_factory=dict)
    #: how each wiki is made (None: a :class:`Site` on the network, from the config)
    wiki_factory: WikiFactory | None = None

    def site(self, name: str) -> Site:
        """The Site of the wiki called ``name`` (one per run, so its session and login last),
        made by ``wiki_factory`` when the App has one."""
        with self._sites_lock:
            if name not in self._sites:
                wiki = self.config.wiki(name)
                make = self.wiki_factory or self._real_site
                self._sites[name] = make(name, wiki)
            return self._sites[name]

    def target_wikis(self, mapping: Mapping, wikis: Iterable[str] = ()) -> list[str]:
        """The wikis a command on ``mapping``'s kind works on: ``wikis`` (``--wiki``), checked,
        or else every wiki the config and the mapping both know."""
        configured = [w for w in mapping.wikis if w in self.config.wikis]
        wikis = tuple(wikis)
        if not wikis:
            return configured
        unknown = [w for w in wikis if w not in configured]
        if unknown:
            raise InputError(
                _("kind %(kind)r has no page on wiki(s) %(unknown)s") % {
                    "kind": mapping.kind, "unknown": ', '.join(unknown)},
                _("choose among: %(configured)s") % {"configured": ', '.join(configured)},
            )
        return list(wikis)

    def begin_reads(self, kinds: Iterable[str], wikis: Iterable[str] = ()) -> None:
        """Begin, on each wiki (of ``wikis`` only, when given), the first category read of
        these kinds (its siteinfo, and the login of a big read) in the background, while the
        command loads the rest of its code. A wiki that cannot be made is left alone: the read
        that needs it says why."""
        only = set(wikis)
        tried: set[str] = set()
        begun: list[Site] = []
        for kind in kinds:
            mapping = self.mapping(kind)
            for wiki in mapping.wikis:
                if wiki in tried or wiki not in self.config.wikis or (only and wiki not in only):
                    continue
                tried.add(wiki)
                try:
                    site = self.site(wiki)
                except WikisyncError:
                    continue
                site.begin_category_read(mapping.wiki(wiki).category)
                begun.append(site)
        # every first request is out: the login's code loads meanwhile, before the command's
        for site in begun:
            site.prepare_login()

    def _real_site(self, name: str, wiki: WikiConfig) -> Site:
        """The wiki on the network, as the config describes it."""
        if wiki.clear_text:  # allowed by allow_insecure_http, else the config is refused
            log.warning(_("%(wiki)s: the bot password and every page cross the network in "
                          "clear text to %(url)s (allow_insecure_http: true); use an https:// "
                          "api_url") % {"wiki": name, "url": wiki.api_url})
        return Site(
            name=wiki.name,
            api_url=wiki.api_url,
            username=wiki.username,
            password=wiki.password,
            write_interval=wiki.write_interval,
            deadline=self.deadline,
            ca_bundle=str(wiki.ca_bundle) if wiki.ca_bundle else None,
            allow_insecure_http=wiki.allow_insecure_http,
            **({"contact": self.config.user_agent_contact}
               if self.config.user_agent_contact else {}),
        )

    @property
    def sites(self) -> dict[str, Site]:
        return {name: self.site(name) for name in self.config.wikis}

    @property
    def links(self) -> LinkContext:
        """The configured wikis as links see them, with the mappings' ``same:`` pairs: built
        once per run (it reads the mappings folder)."""
        if self._links is None:
            from wikisync.listsync import link_context  # listsync builds on this module

            self._links = link_context(self.config)
        return self._links

    @property
    def mappings(self) -> dict[str, Mapping]:
        if self._mappings is None:
            self._mappings = load_mappings(
                self.config.mappings_dir,
                wikis=set(self.config.wikis),
                templates_dir=self.config.templates_dir,
            )
        return self._mappings

    def mapping(self, kind: str) -> Mapping:
        if kind not in self.mappings:
            raise UsageError(_("unknown kind %(kind)r%(suggest)s") % {
                "kind": kind, "suggest": suggest(kind, self.mappings)})
        return self.mappings[kind]

    def require_login(self, wikis) -> None:
        """A command that will write says, before anything else, which wikis lack a login."""
        missing = [w for w in wikis if not self.config.wiki(w).username]
        if missing:
            raise ConfigError(
                [_("%(file)s: wikis.%(wiki)s: no username: this command writes to %(wiki)s")
                 % {"file": self.config.path, "wiki": w} for w in missing],
                _("give each wiki written to a username and password_env (or password_file); "
                  "--dry-run needs none"),
            )
