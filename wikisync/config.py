"""Find, read and validate ``wikisync.yaml``.

The config names the wikis (API address, bot login, where the password comes from), the folders
of mappings, page templates and state, and the lists kept identical across wikis. Reading it is
strict: every problem is collected, each with the file name and the key path
(``wikisync.yaml: wikis.fabmob.api_url: required``), and reported at once as one
:class:`~wikisync.errors.ConfigError` (exit code 2).

A password is never stored in these objects: :meth:`WikiConfig.password` reads it from the
environment or from a file readable by its owner only, each time it is asked for.

The YAML helpers at the bottom (:func:`read_yaml`, :class:`Checker`) are shared with
:mod:`wikisync.mapping`.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from wikisync.errors import ConfigError, UsageError
from wikisync.i18n import _
from wikisync.titles import url_title

ENV_VAR = "WIKISYNC_CONFIG"
DEFAULT_NAME = "wikisync.yaml"
DEFAULT_MAPPINGS_DIR = "mappings"
DEFAULT_TEMPLATES_DIR = "page_templates"
DEFAULT_WRITE_INTERVAL = 1.0

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INTERWIKI_RE = re.compile(r"^[^:|\[\]{}\s]+$")
HOSTNAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]+)?$")

TOP_KEYS = ("wikis", "mappings_dir", "templates_dir", "state_dir", "lists", "user_agent_contact")
WIKI_KEYS = (
    "api_url",
    "username",
    "password_env",
    "password_file",
    "interwiki",
    "write_interval",
    "article_urls",
    "allow_insecure_http",
    "ca_bundle",
)
LIST_KEYS = ("kind", "pages", "entry", "conflict_resolution")
PAGE_KEYS = ("title", "section")


# --------------------------------------------------------------------------- secrets


class Secret:
    """A string that never shows itself in a repr, a str, a log line or a traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself; hand it straight to the code that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


# --------------------------------------------------------------------------- config objects


@dataclass(frozen=True)
class PageRef:
    """A section of a page on one wiki: where a list lives."""

    title: str
    section: str


@dataclass(frozen=True)
class ListConfig:
    """A list kept identical on every page named in ``pages`` (wiki name -> page)."""

    name: str
    kind: str
    pages: dict[str, PageRef]
    #: How an entry that ``new`` or ``import`` adds reads, e.g. ``"[[{nom}]] – {ville}"``: the
    #: link, then the rest of the line from the record's fields (left out when one is empty).
    entry: str | None = None
    #: Who settles a conflict: "ask" (None: a person, with ``wikisync resolve``) or the name
    #: of the wiki whose version is written everywhere.
    conflict_resolution: str | None = None

    @property
    def annotation(self) -> str:
        """What ``entry`` writes after the link (``" – {ville}"``), or ""."""
        return self.entry.split("]]", 1)[1] if self.entry else ""


@dataclass(frozen=True)
class WikiConfig:
    """One wiki of the config. Holds where the password comes from, never the password."""

    name: str
    api_url: str
    username: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    interwiki: dict[str, str] = field(default_factory=dict)
    write_interval: float = DEFAULT_WRITE_INTERVAL
    article_urls: tuple[str, ...] = ()
    source: str = field(default=DEFAULT_NAME, repr=False, compare=False)
    #: ``allow_insecure_http: true``: the login may cross the network in clear text (warned
    #: about at every run); without it such a config is refused.
    allow_insecure_http: bool = False
    #: A file of certificate authorities to trust for this wiki (a private authority), instead
    #: of the system's; verification is always on.
    ca_bundle: Path | None = None

    @property
    def has_login(self) -> bool:
        """Whether this wiki has credentials (else it is read anonymously)."""
        return bool(self.username or self.password_env or self.password_file)

    @property
    def clear_text(self) -> bool:
        """Whether its bot password would cross the network unencrypted: a login over
        ``http://`` to a host other than loopback."""
        return self.has_login and not secure_transport(self.api_url)

    def password(self, env: Mapping[str, str] | None = None) -> str:
        """The bot password, read now from the environment or the password file.

        Raises :class:`ConfigError` naming the variable or the file (never the password) when it
        cannot be had, or when the file is readable by group or others.
        """
        if self.password_env is not None:
            return _password_from_env(self, os.environ if env is None else env)
        if self.password_file is not None:
            return _password_from_file(self)
        raise self._error("password_env",
                          _("no password source (password_env or password_file)"),
                          _("reading needs no login, but this command logs in: give this wiki "
                            "a username and password_env (or password_file)"))

    def secret(self, env: Mapping[str, str] | None = None) -> Secret:
        """:meth:`password` wrapped in a :class:`Secret`, for code that passes it around."""
        return Secret(self.password(env))

    def page_url(self, title: str) -> str:
        """The canonical address of a page of this wiki (the first of ``article_urls``), escaped
        as MediaWiki writes it (:func:`wikisync.titles.url_title`), as list links are."""
        return self.article_urls[0] + url_title(title)

    def _error(self, key: str, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError([f"{self.source}: wikis.{self.name}.{key}: {message}"], hint)


def _password_from_env(wiki: WikiConfig, env: Mapping[str, str]) -> str:
    """The password held by the environment variable ``wiki.password_env``."""
    name = wiki.password_env or ""
    value = env.get(name)
    if not value:
        message = (_("the environment variable %(name)s is empty") if value == ""
                   else _("the environment variable %(name)s is not set"))
        raise wiki._error(
            "password_env",
            message % {"name": name},
            hint=_("export %(name)s=... (the bot password from Special:BotPasswords)") % {
                "name": name},
        )
    return value


def _password_from_file(wiki: WikiConfig) -> str:
    """The first line of ``wiki.password_file``, refused when others can read the file."""
    path = wiki.password_file
    assert path is not None
    try:
        info = path.stat()
    except OSError as exc:
        raise wiki._error("password_file", _("cannot read %(path)s: %(reason)s")
                          % {"path": path, "reason": exc.strerror}) from None
    if not stat.S_ISREG(info.st_mode):
        raise wiki._error("password_file", _("%(path)s is not a file") % {"path": path})
    if info.st_mode & 0o077:
        raise wiki._error(
            "password_file",
            _("%(path)s can be read by others (mode %(mode)s); refused")
            % {"path": path, "mode": f"{stat.S_IMODE(info.st_mode):03o}"},
            hint=_("chmod 600 %(path)s") % {"path": path},
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise wiki._error("password_file",
                          _("cannot read %(path)s as UTF-8 text") % {"path": path}) from None
    value = text.splitlines()[0].strip() if text.strip() else ""
    if not value:
        raise wiki._error("password_file", _("%(path)s is empty") % {"path": path})
    return value


@dataclass(frozen=True)
class Config:
    """The whole of ``wikisync.yaml``, with every path absolute."""

    path: Path
    wikis: dict[str, WikiConfig]
    mappings_dir: Path
    templates_dir: Path
    state_dir: Path
    lists: dict[str, ListConfig] = field(default_factory=dict)
    user_agent_contact: str | None = None

    def check_passwords(
        self, names: Iterable[str] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        """Whether the password of each wiki named (all when None) can be had now: the
        variable set and not empty, the file readable by its owner only. Called before a
        command sends its first request, so that such a problem is exit 2, not a failing wiki;
        raises one :class:`ConfigError` naming every problem (never a password)."""
        problems: list[str] = []
        hints: list[str] = []
        for name in self.wikis if names is None else names:
            wiki = self.wikis[name]
            if not (wiki.username or wiki.password_env or wiki.password_file):
                continue  # read anonymously; a write there fails before anything is written
            try:
                wiki.password(env)
            except ConfigError as exc:
                problems += exc.problems
                hints += [exc.hint] if exc.hint else []
        if problems:
            raise ConfigError(problems, " ; ".join(dict.fromkeys(hints)) or None)

    def wiki(self, name: str) -> WikiConfig:
        """The wiki called ``name``; a :class:`UsageError` with a suggestion otherwise."""
        if name not in self.wikis:
            raise UsageError(_("unknown wiki %(name)r%(suggest)s") % {
                "name": name, "suggest": suggest(name, self.wikis)})
        return self.wikis[name]

    def list_named(self, name: str) -> ListConfig:
        """The list called ``name``; a :class:`UsageError` with a suggestion otherwise."""
        if name not in self.lists:
            raise UsageError(_("unknown list %(name)r%(suggest)s") % {
                "name": name, "suggest": suggest(name, self.lists)})
        return self.lists[name]

    def lists_of_kind(self, kind: str) -> tuple[ListConfig, ...]:
        """Every list whose entries are records of ``kind``."""
        return tuple(lst for lst in self.lists.values() if lst.kind == kind)


# --------------------------------------------------------------------------- discovery


def find_config(
    explicit: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] = os.environ,
    cwd: Path | None = None,
) -> Path:
    """The config file: ``--config PATH``, then ``$WIKISYNC_CONFIG``, then ``./wikisync.yaml``,
    then the user's config folder (:func:`user_config_file`).

    A path given explicitly (option or variable) must exist; when none is given and neither the
    current folder nor the user's folder has a ``wikisync.yaml``, a :class:`UsageError` names
    the places looked at.
    """
    base = Path.cwd() if cwd is None else Path(cwd)
    if explicit:
        return _existing_file(explicit, base, "--config", env)
    if env.get(ENV_VAR):
        return _existing_file(env[ENV_VAR], base, f"${ENV_VAR}", env)
    candidate = base / DEFAULT_NAME
    if candidate.is_file():
        return candidate
    user = user_config_file(env)
    if user.is_file():
        return user
    raise UsageError(
        _("no config file: looked at --config PATH, $%(env_var)s, ./%(default_name)s (in "
          "%(base)s) and %(user)s") % {
            "env_var": ENV_VAR, "default_name": DEFAULT_NAME, "base": base, "user": user},
        hint=_("create one with `wikisync init` (here), or pass --config PATH"),
    )


def user_config_file(env: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/wikisync/wikisync.yaml``, or ``~/.config/wikisync/wikisync.yaml``."""
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "wikisync" / DEFAULT_NAME
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".config" / "wikisync" / DEFAULT_NAME


def _existing_file(value: str | os.PathLike[str], base: Path, origin: str,
                   env: Mapping[str, str]) -> Path:
    """``value`` as an absolute path that must be an existing file."""
    path = resolve_path(str(value), base, env)
    if not path.is_file():
        message = (_("config file %(path)s (from %(origin)s) is not a file") if path.exists()
                   else _("config file %(path)s (from %(origin)s) does not exist"))
        raise UsageError(message % {"path": path, "origin": origin})
    return path


# --------------------------------------------------------------------------- loading


def load_config(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the config at ``path``; :class:`ConfigError` lists every problem."""
    env = os.environ if env is None else env
    path = Path(path).absolute()
    check = Checker(display_name(path), [])
    data = read_yaml(path, check)
    config = _build_config(path, data, check, env) if data is not None else None
    if check.problems or config is None:
        raise ConfigError(check.problems, hint=_("fix %(source)s and run again") % {
            "source": check.source})
    return config


def _build_config(path: Path, data: Any, check: Checker, env: Mapping[str, str]) -> Config | None:
    """The :class:`Config` of ``data``; problems go to ``check``."""
    top = check.mapping(data, "")
    if top is None:
        return None
    check.keys(top, "", TOP_KEYS)
    base = path.parent
    wikis = _build_wikis(top, check, base, env)
    mappings_dir = _dir(top, "mappings_dir", DEFAULT_MAPPINGS_DIR, base, check, env)
    templates_dir = _dir(top, "templates_dir", DEFAULT_TEMPLATES_DIR, base, check, env)
    state = check.text(top, "state_dir", "")
    state_dir = resolve_path(state, base, env) if state else default_state_dir(env)
    declared = set(top["wikis"]) if isinstance(top.get("wikis"), dict) else set(wikis)
    lists = _build_lists(top, check, declared, mappings_dir)
    contact = check.text(top, "user_agent_contact", "")
    return Config(path, wikis, mappings_dir, templates_dir, state_dir, lists, contact)


def _dir(top: dict[str, Any], key: str, default: str, base: Path, check: Checker,
         env: Mapping[str, str]) -> Path:
    """A folder of the config; one given explicitly must exist."""
    value = check.text(top, key, "")
    path = resolve_path(value or default, base, env)
    if value and not path.is_dir():
        check.add(key, _("folder %(path)s does not exist") % {"path": path})
    return path


def _build_wikis(top: dict[str, Any], check: Checker, base: Path,
                 env: Mapping[str, str]) -> dict[str, WikiConfig]:
    """Every entry of ``wikis``; at least one is required."""
    if top.get("wikis") is None:
        check.add("wikis", _("required: at least one wiki"))
        return {}
    node = check.mapping(top["wikis"], "wikis")
    if node is None:
        return {}
    if not node:
        check.add("wikis", _("required: at least one wiki"))
    names = set(node)
    wikis = {}
    for name, value in node.items():
        wiki = _build_wiki(name, value, check, base, env, names)
        if wiki is not None:
            wikis[name] = wiki
    return wikis


def _build_wiki(name: str, value: Any, check: Checker, base: Path, env: Mapping[str, str],
                names: set[str]) -> WikiConfig | None:
    """One wiki entry, or None when it is too broken to build."""
    path = f"wikis.{name}"
    check.name(name, path)
    if value is None:
        check.add(path, _("empty: api_url, username and password_env are required"))
        return None
    node = check.mapping(value, path)
    if node is None:
        return None
    _forbid_password(node, path, check)
    check.keys({k: v for k, v in node.items() if k != "password"}, path, WIKI_KEYS)
    api_url = _api_url(node, path, check)
    # No login at all is fine for the commands that only read (show, export, audit, check's
    # reach); a login needs both its name and its password.
    username = check.text(node, "username", path)
    password_env, password_file = _password_source(node, path, check, base, env,
                                                   required=username is not None)
    if "username" not in node and (password_env or password_file):
        check.add(f"{path}.username", _("required"))  # with a password: the login goes with it
    interwiki = _interwiki(node, path, check, name, names)
    interval = check.number(node, "write_interval", path, default=DEFAULT_WRITE_INTERVAL)
    if interval is not None and interval < 0:
        check.add(f"{path}.write_interval", _("must be 0 or more (seconds between two edits)"))
    extra = check.text_list(node, "article_urls", path)
    urls = _article_urls(api_url or "", extra, f"{path}.article_urls", check)
    insecure = check.boolean(node, "allow_insecure_http", path)
    ca_bundle = _ca_bundle(node, path, check, base, env, api_url)
    if not api_url:
        return None
    has_login = bool(username or password_env or password_file)
    if has_login and not insecure and not secure_transport(api_url):
        check.add(f"{path}.api_url", _("%(api_url)r would send the bot password in clear "
                                       "text (http:// to a host other than loopback): use "
                                       "https://, or, knowing that anyone on the way can "
                                       "read it, add allow_insecure_http: true to this wiki") % {
            "api_url": api_url})
    return WikiConfig(name, api_url, username, password_env, password_file, interwiki,
                      float(interval or 0.0), urls, check.source, insecure, ca_bundle)


def secure_transport(api_url: str) -> bool:
    """Whether requests to ``api_url`` are safe from eavesdroppers: ``https://``, or any
    scheme to this machine itself (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    parts = urlsplit(api_url)
    return parts.scheme == "https" or is_loopback(parts.hostname or "")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: ``localhost`` or a loopback address (not a name
    under ``.localhost``, which a resolver may send elsewhere)."""
    host = host.lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ca_bundle(node: dict[str, Any], path: str, check: Checker, base: Path,
               env: Mapping[str, str], api_url: str | None) -> Path | None:
    """``ca_bundle``: an existing file of certificate authorities (PEM), for an https:// API."""
    value = check.text(node, "ca_bundle", path)
    if value is None:
        return None
    bundle = resolve_path(value, base, env)
    if not bundle.is_file():
        message = (_("%(path)s is not a file") if bundle.exists()
                   else _("%(path)s does not exist"))
        check.add(f"{path}.ca_bundle", message % {"path": bundle})
        return None
    if api_url and urlsplit(api_url).scheme != "https":
        check.add(f"{path}.ca_bundle", _("a certificate authority is for an https:// api_url"))
    return bundle


def _forbid_password(node: dict[str, Any], path: str, check: Checker) -> None:
    """A password written in the config is an error whose message never shows it."""
    if "password" in node:
        check.add(f"{path}.password", _("a password never goes in the config: remove it, and "
                                        "use password_env or password_file (chmod 600)"))


def _api_url(node: dict[str, Any], path: str, check: Checker) -> str | None:
    """``api_url``: an http(s) address of ``api.php``."""
    value = check.text(node, "api_url", path, required=True)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        check.add(f"{path}.api_url", _("%(value)r is not an http(s):// address") % {
            "value": value})
        return None
    if not parts.path.endswith("api.php") or parts.query or parts.fragment:
        check.add(f"{path}.api_url", _("%(value)r is not the address of api.php (e.g. "
                                       "https://wiki.example.org/api.php)") % {"value": value})
        return None
    return value


def _password_source(node: dict[str, Any], path: str, check: Checker, base: Path,
                     env: Mapping[str, str], required: bool = True,
                     ) -> tuple[str | None, Path | None]:
    """Exactly one of ``password_env`` (a variable name) and ``password_file`` (a path); none
    when not ``required`` (a wiki without a login, read anonymously)."""
    before = len(check.problems)
    var = check.text(node, "password_env", path)
    file = check.text(node, "password_file", path)
    if var and file:
        check.add(path, _("give one of password_env and password_file, not both"))
    elif not var and not file and required and len(check.problems) == before:
        check.add(f"{path}.password_env", _("required (or password_file)"))
    if var and not ENV_NAME_RE.match(var):
        # Never echo the value: it may be the password put in the wrong key.
        check.add(f"{path}.password_env", _("must be the NAME of an environment variable "
                                            "(letters, digits, _), not the password"))
        var = None
    return var, resolve_path(file, base, env) if file else None


def _interwiki(node: dict[str, Any], path: str, check: Checker, name: str,
               names: set[str]) -> dict[str, str]:
    """``interwiki``: other wiki name -> the prefix this wiki knows it by."""
    if node.get("interwiki") is None:
        return {}
    table = check.mapping(node["interwiki"], f"{path}.interwiki")
    result = {}
    for other, prefix in (table or {}).items():
        key = f"{path}.interwiki.{other}"
        if other not in names or other == name:
            choices = names - {name}
            check.add(key, _("not another wiki of the config%(suggest)s") % {
                "suggest": suggest(other, choices)})
        elif not isinstance(prefix, str) or not INTERWIKI_RE.match(prefix):
            check.add(key, _("expected an interwiki prefix (no ':', '|', brackets or spaces)"))
        else:
            result[other] = prefix.strip()
    return result


def _article_urls(api_url: str, extra: tuple[str, ...], path: str,
                  check: Checker) -> tuple[str, ...]:
    """Every URL prefix under which this wiki's articles are found.

    The defaults come from ``api_url`` (``<root>/wiki/``, ``<root>/index.php?title=``,
    ``<root>/index.php/``), in http and https. An extra entry is either such a prefix or a bare
    hostname serving the same wiki, which gets the same prefixes.
    """
    if not api_url:
        return ()
    parts = urlsplit(api_url)
    hosts = [parts.netloc]
    prefixes: list[str] = []
    for item in extra:
        if HOSTNAME_RE.match(item):
            hosts.append(item)
        elif urlsplit(item).scheme in ("http", "https") and urlsplit(item).hostname:
            prefixes.append(item)
        else:
            check.add(path, _("%(item)r is neither a hostname nor an http(s):// address "
                              "prefix") % {"item": item})
    scripts = parts.path[: -len("api.php")]
    articles = "/wiki/" if scripts in ("/", "/w/") else f"{scripts}wiki/"
    schemes = [parts.scheme] + [s for s in ("https", "http") if s != parts.scheme]
    derived = [f"{scheme}://{host}{suffix}"
               for host in hosts for scheme in schemes
               for suffix in (articles, f"{scripts}index.php?title=", f"{scripts}index.php/")]
    return tuple(dict.fromkeys(derived + prefixes))


def _build_lists(top: dict[str, Any], check: Checker, wikis: set[str],
                 mappings_dir: Path) -> dict[str, ListConfig]:
    """Every entry of ``lists`` (optional)."""
    if top.get("lists") is None:
        return {}
    node = check.mapping(top["lists"], "lists")
    kinds = _known_kinds(mappings_dir)
    lists = {}
    for name, value in (node or {}).items():
        built = _build_list(name, value, check, wikis, kinds)
        if built is not None:
            lists[name] = built
    return lists


def _known_kinds(mappings_dir: Path) -> set[str] | None:
    """The kinds that have a mapping file, or None when the folder does not exist."""
    if not mappings_dir.is_dir():
        return None
    return {p.stem for p in mappings_dir.glob("*.yaml")}


def _build_list(name: str, value: Any, check: Checker, wikis: set[str],
                kinds: set[str] | None) -> ListConfig | None:
    """One list: its kind and the section of a page on each wiki."""
    path = f"lists.{name}"
    check.name(name, path)
    node = check.mapping(value, path)
    if node is None:
        return None
    check.keys(node, path, LIST_KEYS)
    kind = check.text(node, "kind", path, required=True)
    if kind and kinds is not None and kind not in kinds:
        check.add(f"{path}.kind", _("no mapping file %(kind)s.yaml in the mappings "
                                    "folder%(suggest)s") % {
            "kind": kind, "suggest": suggest(kind, kinds)})
    pages = _list_pages(node, path, check, wikis)
    entry = check.text(node, "entry", path)
    if entry is not None and not (entry.startswith("[[") and "]]" in entry):
        check.add(f"{path}.entry", _("must start with the link, like \"[[{nom}]] – {ville}\""))
        entry = None
    resolution = check.text(node, "conflict_resolution", path)
    if resolution is not None and resolution != "ask" and pages is not None \
            and resolution not in pages:
        check.add(f"{path}.conflict_resolution",
                  _("must be 'ask' or one of the list's wikis (%(pages)s)%(suggest)s") % {
                      "pages": ', '.join(sorted(pages)), "suggest": suggest(resolution, pages)})
        resolution = None
    if kind is None or pages is None:
        return None
    return ListConfig(name, kind, pages, entry,
                      None if resolution in (None, "ask") else resolution)


def _list_pages(node: dict[str, Any], path: str, check: Checker,
                wikis: set[str]) -> dict[str, PageRef] | None:
    """``pages``: wiki name -> {title, section}."""
    if node.get("pages") is None:
        check.add(f"{path}.pages", _("required: the page and section of the list on each wiki"))
        return None
    table = check.mapping(node["pages"], f"{path}.pages")
    if table is None:
        return None
    if not table:
        check.add(f"{path}.pages", _("required: the page and section of the list on each wiki"))
    pages = {}
    for wiki, value in table.items():
        key = f"{path}.pages.{wiki}"
        if wiki not in wikis:
            check.add(key, _("not a wiki of the config%(suggest)s") % {
                "suggest": suggest(wiki, wikis)})
        ref = check.mapping(value, key)
        if ref is None:
            continue
        check.keys(ref, key, PAGE_KEYS)
        title = check.text(ref, "title", key, required=True)
        section = check.text(ref, "section", key, required=True)
        if title and section:
            pages[wiki] = PageRef(title, section)
    return pages


# --------------------------------------------------------------------------- paths


def resolve_path(value: str, base: Path, env: Mapping[str, str]) -> Path:
    """``value`` with ``~`` expanded (from ``$HOME`` in ``env``) and made absolute from ``base``."""
    if value == "~" or value.startswith("~/"):
        home = env.get("HOME") or str(Path.home())
        value = home + value[1:]
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def default_state_dir(env: Mapping[str, str]) -> Path:
    """``$XDG_STATE_HOME/wikisync``, or ``~/.local/state/wikisync`` (XDG base directories)."""
    xdg = env.get("XDG_STATE_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "wikisync"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "state" / "wikisync"


def display_name(path: Path) -> str:
    """``path`` as the user sees it in messages: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- YAML checking
# Shared with wikisync.mapping.


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, else `` (expected one of: a, b)``."""
    options = sorted(str(c) for c in choices)
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if close:
        return _(" (did you mean %(name)r?)") % {"name": close[0]}
    if options:
        return _(" (expected one of: %(names)s)") % {"names": ", ".join(options)}
    return ""


class _DuplicateKeys:
    """Records duplicate keys instead of silently keeping the last (mixed into the loaders)."""

    duplicates: list[tuple[str, int]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                if key_node.value in seen:
                    self.duplicates.append((key_node.value, key_node.start_mark.line + 1))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _Loader(_DuplicateKeys, yaml.SafeLoader):
    """PyYAML's safe loader, in Python: the one whose error messages users see."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates = []


_LIBYAML_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML without libyaml


class _FastLoader(_DuplicateKeys, _LIBYAML_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """The same safe loader on libyaml's parser when PyYAML has it: about ten times faster on
    the config and the mappings, which every command reads at start (issue 16)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates = []


def _load(loader_class: type[_Loader] | type[_FastLoader], text: str) -> tuple[Any, list]:
    loader = loader_class(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def read_yaml(path: Path, check: Checker) -> Any:
    """The data of a YAML file, or None after adding why (with line and column) to ``check``.

    The file is parsed with libyaml when PyYAML has it; a file libyaml refuses is parsed again
    in Python, whose message (or data, if it accepts the file) is the one used, so that what a
    user reads does not depend on how PyYAML was installed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        check.add("", _("file not found"))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        check.add("", _("cannot read the file: %(error)s") % {"error": exc})
        return None
    try:
        try:
            data, duplicates = _load(_FastLoader, text)
        except yaml.YAMLError:
            data, duplicates = _load(_Loader, text)
    except yaml.YAMLError as exc:
        check.add("", _yaml_error(exc))
        return None
    for key, line in duplicates:
        check.add("", _("line %(line)s: duplicate key %(key)r") % {"line": line, "key": key})
    if data is None:
        check.add("", _("the file is empty"))
    return data


def _yaml_error(exc: yaml.YAMLError) -> str:
    """A broken-YAML message with the line and column (1-based) where the parser stopped."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    what = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return _("invalid YAML: %(problem)s") % {"problem": what}
    return _("line %(line)d, column %(column)d: invalid YAML: %(problem)s") % {
        "line": mark.line + 1, "column": mark.column + 1, "problem": what}


def _kind(value: Any) -> str:
    """A human name for the YAML type of ``value``."""
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if value is None:
        return _("nothing")
    return _("text") if isinstance(value, str) else type(value).__name__


def join_path(path: str, key: object) -> str:
    """The key path of ``key`` under ``path`` (``wikis`` + ``fabmob`` -> ``wikis.fabmob``)."""
    return f"{path}.{key}" if path else str(key)


@dataclass
class Checker:
    """Reads values out of parsed YAML, collecting a problem for each one that is wrong.

    ``source`` is the file name shown in messages; ``problems`` collects the messages, each as
    ``source: key.path: what is wrong``.
    """

    source: str
    problems: list[str]

    def add(self, path: str, message: str) -> None:
        """Record a problem at the key path ``path`` (``""`` for the whole file)."""
        where = f"{self.source}: {path}: " if path else f"{self.source}: "
        self.problems.append(where + message)

    def mapping(self, value: Any, path: str) -> dict[str, Any] | None:
        """``value`` if it is a mapping (keys that are not text are reported and dropped)."""
        if not isinstance(value, dict):
            self.add(path, _("expected a mapping (key: value), got %(kind)s") % {
                "kind": _kind(value)})
            return None
        for key in value:
            if not isinstance(key, str):
                self.add(join_path(path, key), _("the key is %(kind)s, not text: quote it") % {
                    "kind": _kind(key)})
        return {k: v for k, v in value.items() if isinstance(k, str)}

    def keys(self, node: dict[str, Any], path: str, allowed: Iterable[str]) -> None:
        """Report every key of ``node`` not in ``allowed``, with a suggestion."""
        allowed = tuple(allowed)
        for key in node:
            if key not in allowed:
                self.add(join_path(path, key), _("unknown key%(suggest)s") % {
                    "suggest": suggest(key, allowed)})

    def name(self, name: str, path: str) -> None:
        """Report a name (of a wiki, list, kind) that is not letters, digits, ``-`` and ``_``."""
        if not NAME_RE.match(name):
            self.add(path, _("a name must be letters, digits, '-' and '_' (no spaces)"))

    def text(self, node: dict[str, Any], key: str, path: str, *, required: bool = False,
             default: str | None = None) -> str | None:
        """``node[key]`` as stripped text; None (after a problem if required) when absent."""
        value = node.get(key)
        where = join_path(path, key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(where, _("required"))
            return default
        if not isinstance(value, str):
            self.add(where, _("expected text, got %(kind)s (quote it)") % {"kind": _kind(value)})
            return default
        return value.strip()

    def number(self, node: dict[str, Any], key: str, path: str, *,
               default: float | None = None) -> float | None:
        """``node[key]`` as a number (not a boolean)."""
        value = node.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(join_path(path, key), _("expected a number, got %(kind)s") % {
                "kind": _kind(value)})
            return default
        return float(value)

    def integer(self, node: dict[str, Any], key: str, path: str, *,
                default: int | None = None) -> int | None:
        """``node[key]`` as a whole number (not a boolean)."""
        value = node.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(join_path(path, key), _("expected a whole number, got %(kind)s") % {
                "kind": _kind(value)})
            return default
        return value

    def boolean(self, node: dict[str, Any], key: str, path: str, *,
                default: bool = False) -> bool:
        """``node[key]`` as true/false."""
        value = node.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(join_path(path, key), _("expected true or false, got %(kind)s") % {
                "kind": _kind(value)})
            return default
        return value

    def text_list(self, node: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        """``node[key]`` as a list of non-empty texts (a single text is a list of one)."""
        value = node.get(key)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        where = join_path(path, key)
        if not isinstance(items, list):
            self.add(where, _("expected a list, got %(kind)s") % {"kind": _kind(value)})
            return ()
        result = []
        for index, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                self.add(f"{where}[{index}]", _("expected non-empty text, got %(kind)s") % {
                    "kind": _kind(item)})
            else:
                result.append(item.strip())
        return tuple(result)
