"""The one door to the network: every request wikisync sends to a wiki goes through here.

:class:`Site` wraps mwclient (login with a bot password, the HTTP session) and adds what a good
citizen of a community wiki owes it: a descriptive User-Agent, ``maxlag=5`` on every API call,
retries with backoff on lag, rate limits, HTTP 429/5xx and network errors (honouring Retry-After)
within an overall deadline, batched reads, and safe edits (``assert=user``, base revision and
timestamps, ``createonly``/``nocreate``, ``md5``, bot flag, a check after saving).

MediaWiki's and mwclient's errors are translated here into :mod:`wikisync.errors`.

mwclient is imported by :meth:`Site.login` only: a run that never logs in (an idle ``sync``, a
read) does without it and its imports (issue 16). Every request goes through requests, whose
session :class:`PoliteSession` is made with the Site.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib
import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from wikisync import __version__
from wikisync.config import secure_transport
from wikisync.errors import (
    ConcurrentEditError,
    ConfigError,
    EditConflictError,
    EditError,
    LoginError,
    PageExistsError,
    PersonOverwrittenError,
    UnreachableError,
    WikiError,
)
from wikisync.i18n import N_, _, ngettext
from wikisync.siteinfo import TitleRules

if TYPE_CHECKING:
    import mwclient

    from wikisync.model import Page

log = logging.getLogger(__name__)


_warmed: set[str] = set()
_warmed_lock = threading.Lock()


def warm_imports(*modules: str) -> None:
    """Import ``modules`` in a background thread, once per process: a big read starts its
    first requests meanwhile, and the thread that needs a module (the login needs mwclient,
    the first page the parser) finds it loaded instead of loading it between two requests.
    A module that fails to load here fails again, with its error, where it is needed."""
    with _warmed_lock:
        todo = [m for m in modules if m not in _warmed and m not in sys.modules]
        _warmed.update(todo)
    if not todo:
        return

    def load() -> None:
        for name in todo:
            _import_quietly(name)

    threading.Thread(target=load, name="wikisync-imports", daemon=True).start()


def _import_quietly(name: str) -> None:
    """Import module ``name`` ahead of its use; a failure is left for that use to raise."""
    try:
        importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 (reported where the module is needed)
        log.debug("importing %s ahead of its use failed: %s", name, exc)


@functools.cache
def _login_site_class() -> type[mwclient.Site]:
    """mwclient's Site for the login alone. mwclient follows every login with a request for
    the site's and the account's details (``site_init``); wikisync reads the site's from its
    own first request and the account's rights with the first batch it reads after the login
    (:meth:`Site._account_rights`), so that request is not sent."""
    import mwclient

    class LoginSite(mwclient.Site):
        def site_init(self) -> None:
            """Not asked: see :func:`_login_site_class`."""

    return LoginSite


class _Handoff:
    """Who asked for quick GIL hand-offs (a count) and the interval to restore after them."""

    lock = threading.Lock()
    users = 0
    saved = 0.0


@contextmanager
def quick_handoff() -> Iterator[None]:
    """Lower Python's thread switch interval while a background reader runs.

    A prefetching reader thread needs the GIL for a moment each time a chunk of its answer
    arrives, while the main thread parses the previous batch. With the default interval (5 ms)
    each of those moments can wait up to 5 ms for the parser to yield, which made a read of
    2,000 pages about 40% slower than the server's own time (measured with ``make bench``).
    Nested and concurrent uses share one lowering; the last one out restores the interval.
    """
    with _Handoff.lock:
        if _Handoff.users == 0:
            _Handoff.saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_Handoff.saved, READER_SWITCH_INTERVAL))
        _Handoff.users += 1
    try:
        yield
    finally:
        with _Handoff.lock:
            _Handoff.users -= 1
            if _Handoff.users == 0:
                sys.setswitchinterval(_Handoff.saved)


@functools.cache  # once a process
def settle_heap() -> None:
    """Take every object alive now out of the cyclic garbage collector's way, once, when a big
    read's first answer is in.

    By then the process holds what it keeps to the end: the modules (their functions, classes
    and constants: most of the objects it will ever have), the config, the mappings. The
    collector walked them all again in each of its older-generation passes while thousands of
    pages were parsed: 32 ms of collections in an audit of 2 x 2,000 pages, against 7 ms for a
    bare ``requests`` reader (``gc.callbacks``), one full pass over the modules' objects alone
    13 ms. ``gc.freeze()`` moves them to a generation no pass walks (they are still freed as
    usual when nothing refers to them: only a reference cycle among them would wait for the
    process's end, and a run is short). Measured: about 15 ms less CPU an audit, runs
    alternated with the code before.
    """
    gc.freeze()


MAXLAG = 5
CONNECT_TIMEOUT = 10.0  # seconds to open a connection; the read timeout is Site.timeout
MAX_TIMEOUTS = 2  # requests in a row that time out before a wiki is taken for hung
PREFETCH = True  # category reads ask for the next batch while the caller parses this one
RECENT_CHANGES_DAYS = 80  # MediaWiki keeps 90 days of recent changes by default
RECENT_BATCH = "max"  # recent changes a request: 500 (5,000 for a bot, but it never logs in)
SITEINFO_PARTS = "general|namespaces|namespacealiases|interwikimap"
CONTENT_BATCH = 50  # MediaWiki serves page content for at most 50 titles a request
HIGH_BATCH = 500  # ... and for 500 to an account with the apihighlimits right (bots)
READER_SWITCH_INTERVAL = 0.0005  # seconds; see quick_handoff()
DEFAULT_UA_CONTACT = "no contact configured: set user_agent_contact in wikisync.yaml"
RETRY_ERRORS = {"maxlag", "ratelimited", "readonly", "internal_api_error_DBQueryError"}
EDIT_REFUSALS = {
    "protectedpage": N_("the page is protected; ask an administrator or leave it out"),
    "cascadeprotected": N_("the page is protected by cascade; ask an administrator"),
    "protectedtitle": N_("this title is protected against creation; ask an administrator"),
    "permissiondenied": N_(
        "the bot password lacks a grant; add 'Edit existing pages' and 'Create, edit, and move "
        "pages'"),
    "blocked": N_("the account is blocked on this wiki"),
    "spamblacklist": N_("the text contains a blacklisted URL"),
    "abusefilter-disallowed": N_("an abuse filter refused the edit"),
    "abusefilter-warning": N_(
        "an abuse filter warns about this edit and wants a person to confirm it; wikisync "
        "never does: read the warning in Special:AbuseLog and ask an administrator"),
    "titleblacklist-forbidden": N_(
        "the title is on the wiki's title blacklist; choose another title or ask an "
        "administrator"),
}


class Deadline:
    """An overall time budget shared by every request of one run."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.seconds = seconds

    def left(self) -> float:
        return self.end - time.monotonic()


class PoliteSession(requests.Session):
    """A requests session that adds ``maxlag`` to every API call and counts the requests.

    Credentials travel only where the config says: every request goes to exactly its URL,
    never following a redirect (a 307/308 would resend the login's body, password included, to
    wherever it points), which is refused with an error naming the target; TLS certificates are
    always verified, against ``ca_bundle`` when the wiki names one.
    """

    def __init__(self, user_agent: str, wiki: str = "", ca_bundle: str | None = None) -> None:
        super().__init__()
        self.headers["User-Agent"] = user_agent
        self.counts: Counter[str] = Counter()
        self.wiki = wiki
        self.verify = ca_bundle or True

    def request(self, method, url, params=None, data=None, **kwargs):
        if str(url).endswith("api.php"):
            target = data if (method.upper() == "POST" and isinstance(data, dict)) else None
            if target is None:
                params = dict(params or {})
                target = params
            target.setdefault("maxlag", MAXLAG)
            args = {**(params or {}), **(data if isinstance(data, dict) else {})}
            self.counts[_describe(args)] += 1
        kwargs["allow_redirects"] = False
        kwargs["verify"] = self.verify or True  # never off, whatever a caller passes
        resp = super().request(method, url, params=params, data=data, **kwargs)
        if resp.is_redirect:
            raise _redirect_refused(self.wiki, str(url), resp)
        return resp

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _describe(args: dict) -> str:
    action = args.get("action", "?")
    for key in ("prop", "list", "meta", "generator"):
        if args.get(key):
            return f"{action}:{key}={args[key]}"
    return str(action)


@dataclass(frozen=True)
class _Begun:
    """A category read begun ahead: its first batch's size; when its first batch was read
    too, that batch's pages and where the read goes on after them (None: nothing more)."""

    limit: int
    pages: list[Page] | None = None
    more: dict | None = None


@dataclass
class Rights:
    user: str
    groups: list[str]
    rights: list[str]
    version: str
    sitename: str
    extensions: list[str] = field(default_factory=list)

    MATTER = ("edit", "createpage", "bot", "apihighlimits")

    @property
    def matter(self) -> tuple[str, ...]:
        """The rights wikisync's edits need on this wiki: on a wiki with ConfirmEdit, also
        'skipcaptcha' (a bot never answers a CAPTCHA)."""
        return self.MATTER + (("skipcaptcha",) if "ConfirmEdit" in self.extensions else ())

    @property
    def missing(self) -> list[str]:
        return [r for r in self.matter if r not in self.rights]


@dataclass(frozen=True)
class LaterRevision:
    """A revision of a page as its history lists it: ids and the SHA-1 of its text."""

    revid: int
    parent: int
    sha1: str


@dataclass(frozen=True)
class HistoryEntry:
    """A revision as a page's history lists it: id, when, by whom, with what summary."""

    revid: int
    timestamp: str
    user: str
    comment: str


@dataclass
class WriteAccess:
    """What an account may edit on a wiki: its rights, whether it is blocked, and the pages it
    may not edit with the reason (protection levels)."""

    user: str
    rights: list[str]
    blocked: bool = False
    refused: dict[str, str] = field(default_factory=dict)


@dataclass
class Site:
    """One wiki, reached through its API. Implements :class:`wikisync.model.WikiAPI`."""

    name: str
    api_url: str
    username: str | None = None
    password: Callable[[], str | None] = field(default=lambda: None, repr=False)
    write_interval: float = 0.0
    deadline: Deadline = field(default_factory=lambda: Deadline(600))
    contact: str = DEFAULT_UA_CONTACT
    timeout: float = 30.0
    #: certificate authorities to trust instead of the system's (a file), for a private one
    ca_bundle: str | None = None
    #: whether the login may go over http:// to a host other than loopback (the config's
    #: ``allow_insecure_http``); without it, :meth:`login` refuses to send the password
    allow_insecure_http: bool = False
    _logged_in: bool = False
    #: the logged-in account's rights, once known (see :meth:`_account_rights`)
    _rights: frozenset[str] | None = None
    _csrf: str | None = None
    _last_write: float = 0.0
    _siteinfo: dict | None = None
    _now: str = ""
    #: whether a big read tried to log in already (once per run, see for_big_read)
    _big_read_tried: bool = False
    #: why the wiki refused that login (the read went on anonymously); a later login (to
    #: write) raises it again without asking the wiki twice
    _login_refused: LoginError | None = None
    #: a login token asked with the run's first read, for the login that may follow it
    _login_token: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.api_url)
        if parts.scheme not in ("http", "https") or not parts.path.endswith("api.php"):
            raise UnreachableError(self.name, _("api_url %(url)r is not an api.php URL")
                                   % {"url": self.api_url})
        self.session = PoliteSession(f"wikisync/{__version__} ({self.contact}) {self.name}",
                                     self.name, self.ca_bundle)
        self._one_at_a_time = threading.Lock()
        # a prefetching reader may log in meanwhile; re-entrant: the login reads siteinfo, which
        # on a private wiki (readapidenied) asks for the login itself
        self._login_lock = threading.RLock()
        #: since -> (every change since then: (title, revision id or 0, timestamp), the server's
        #: time when asked): one read per run serves every kind and a later ``since``
        self._recent: dict[str, tuple[list[tuple[str, int, str]], str]] = {}
        self.saved_revids: list[int] = []  # every revision this run saved, for the state
        #: title (as the wiki writes it) -> whether it is a page, learnt by redirects(); and
        #: the wiki's normal form of titles asked in another form
        self._known: dict[str, bool] = {}
        self._known_alias: dict[str, str] = {}
        #: title as asked -> its redirect's target, or None: redirects()' answers, for the run
        self._redirect_known: dict[str, str | None] = {}
        self._known_lock = threading.Lock()
        #: (category, namespace) -> its read, begun ahead (begin_category_read)
        self._prepared: dict[tuple[str, int | None], Future[_Begun]] = {}
        self._prepared_lock = threading.Lock()

    # -- low level ------------------------------------------------------------------------

    def call(self, params: dict, *, post: bool = False) -> dict:
        """One API call with retries; returns the decoded JSON or raises a WikiError."""
        params = {"format": "json", "formatversion": "2", **params}
        attempt = 0
        while True:
            attempt += 1
            wait, reason = self._attempt(params, post)
            if wait is None:
                return reason  # type: ignore[return-value]
            wait = max(wait, min(60.0, 0.5 * 2 ** (attempt - 1)))
            if wait > self.deadline.left():
                raise UnreachableError(
                    self.name,
                    ngettext("gave up after %(count)d attempt: %(reason)s",
                             "gave up after %(count)d attempts: %(reason)s", attempt)
                    % {"count": attempt, "reason": reason},
                    _("the wiki is overloaded or down; cron will try again on its next run"),
                )
            log.warning(_("%(wiki)s: %(reason)s; retrying in %(seconds).1fs")
                        % {"wiki": self.name, "reason": reason, "seconds": wait})
            time.sleep(wait)

    def _attempt(self, params: dict, post: bool) -> tuple[float | None, object]:
        """Send once. ``(None, json)`` on success, ``(wait, reason)`` when worth retrying."""
        with self._one_at_a_time:  # requests stay serial, even with a prefetching reader
            return self._send(params, post)

    def _send(self, params: dict, post: bool) -> tuple[float | None, object]:
        if getattr(self, "_hung", None) is not None:  # given up on in this run already
            raise self._hung
        read_timeout = max(1.0, min(self.timeout, self.deadline.left()))
        timeout = (min(CONNECT_TIMEOUT, read_timeout), read_timeout)
        try:
            if post:
                resp = self.session.post(self.api_url, data=dict(params), timeout=timeout)
            else:
                resp = self.session.get(self.api_url, params=dict(params), timeout=timeout)
        except requests.Timeout as exc:
            # A wiki that never answered, or that let two requests in a row time out, is
            # hung: give up now rather than wait for the run's deadline (cron must go on).
            self._timeouts = getattr(self, "_timeouts", 0) + 1
            if self._never_answered() or self._timeouts >= MAX_TIMEOUTS:
                self._hung = UnreachableError(
                    self.name,
                    ngettext("%(url)s did not answer within %(seconds).0fs (%(count)d request "
                             "timed out: %(why)s); gave up",
                             "%(url)s did not answer within %(seconds).0fs (%(count)d requests "
                             "timed out: %(why)s); gave up", self._timeouts)
                    % {"url": self.api_url, "seconds": read_timeout, "count": self._timeouts,
                       "why": _short(exc)},
                    _("the wiki is down or hung; check that it answers in a browser, then run "
                      "again (cron will try again on its next run)"),
                )
                raise self._hung from None
            return 2.0, _("the request timed out")
        except requests.ConnectionError as exc:
            if self._never_answered():
                raise UnreachableError(
                    self.name,
                    _("cannot connect to %(url)s (%(why)s)")
                    % {"url": self.api_url, "why": _short(exc)},
                    _("check api_url in the config and that the wiki is up"),
                ) from None
            return 2.0, "connection error"
        retry_after = _retry_after(resp)
        if resp.status_code == 429 or resp.status_code >= 500:
            return retry_after or 0.0, f"HTTP {resp.status_code}"
        if resp.status_code >= 400:
            raise UnreachableError(
                self.name,
                _("HTTP %(status)d from %(url)s") % {"status": resp.status_code,
                                                      "url": self.api_url},
                _("check api_url: it must be the wiki's api.php"),
            )
        try:
            data = resp.json()
        except ValueError:
            raise UnreachableError(
                self.name,
                _("%(url)s did not answer like a MediaWiki API (got %(type)s)") % {
                    "url": self.api_url,
                    "type": resp.headers.get("content-type") or _("no content type")},
                _("check api_url: it must end with api.php (e.g. https://example.org/api.php)"),
            ) from None
        if not isinstance(data, dict):
            raise UnreachableError(self.name, _("%(url)s is not a MediaWiki API") % {
                "url": self.api_url})
        error = data.get("error")
        if error:
            code = error.get("code", "")
            if code in RETRY_ERRORS:
                return retry_after or 5.0, _("the wiki says %(code)s") % {"code": code}
        self._answered = True
        self._timeouts = 0
        return None, data

    def _never_answered(self) -> bool:
        return not getattr(self, "_answered", False)

    def _check(self, data: dict) -> dict:
        error = data.get("error")
        if error:
            raise WikiError(self.name, _("API error %(code)s: %(info)s") % {
                "code": error.get("code"), "info": error.get("info")})
        for warning in (data.get("warnings") or {}).values():
            log.debug("%s: API warning: %s", self.name, warning)
        return data

    def query(self, **params) -> dict:
        data = self.call({"action": "query", **params})
        code = (data.get("error") or {}).get("code")
        if code == "readapidenied" and not self._logged_in and self.username:
            self.login()  # a private wiki: reading needs the login too
            data = self.call({"action": "query", **params})
        return self._check(data)

    # -- site info and login --------------------------------------------------------------

    def siteinfo(self) -> dict:
        if self._siteinfo is None:
            data = self.query(meta="siteinfo", siprop=SITEINFO_PARTS)
            self._siteinfo = data["query"]
        return self._siteinfo

    def _siteinfo_and_size(self, category: str) -> int:
        """Read the siteinfo and, in the same request, how many pages (files and
        sub-categories left out) ``category`` holds by MediaWiki's count. The category's
        title is not known before the siteinfo (its namespace's local name): it is asked
        under the canonical ``Category:`` and, for a name with a colon, as written."""
        guesses = {f"Category:{category}", *([category] if ":" in category else [])}
        # the login that may follow takes its token from this answer too (one request less)
        data = self.query(meta="siteinfo|tokens", type="login", siprop=SITEINFO_PARTS,
                          prop="categoryinfo", titles="|".join(sorted(guesses)))
        query = data["query"]
        self._login_token = (query.get("tokens") or {}).get("logintoken")
        self._siteinfo = {k: v for k, v in query.items()
                          if k not in ("pages", "normalized", "tokens")}
        return max((int((page.get("categoryinfo") or {}).get("pages", 0))
                    for page in query.get("pages", [])), default=0)

    def login(self) -> None:
        """Log in with the bot password (once per run)."""
        with self._login_lock:
            self._login()

    def _login(self) -> None:
        if self._logged_in:
            return
        if self._login_refused is not None:
            raise self._login_refused
        # a token asked with the siteinfo serves the login that follows it at once, only
        token, self._login_token = self._login_token, None
        password = self.password()
        if not self.username or not password:
            raise LoginError(
                self.name,
                _("this command needs to log in, but the config gives no username or "
                  "password"),
                _("set username and password_env (or password_file) for this wiki"),
            )
        if not self.allow_insecure_http and not secure_transport(self.api_url):
            raise LoginError(
                self.name,
                _("refused to send the bot password in clear text to %(url)s") % {
                    "url": self.api_url},
                _("use an https:// api_url (or allow_insecure_http: true, knowingly)"),
            )
        self.siteinfo()  # reachable and a MediaWiki API? (with our retries and messages)
        import mwclient  # only a login needs it (an idle run never logs in)
        import mwclient.errors

        parts = urlsplit(self.api_url)
        path = parts.path[: -len("api.php")]
        mw = _login_site_class()(
            parts.netloc, path=path, scheme=parts.scheme, pool=self.session,
            do_init=False, force_login=False, max_retries=1, retry_timeout=2,
            clients_useragent=self.session.headers["User-Agent"],
            connection_options={"timeout": self.timeout},
        )
        mw.clients_useragent = self.session.headers["User-Agent"]
        if token:  # asked with the siteinfo, in this session: not asked again
            mw.tokens["login"] = token
        try:
            mw.login(self.username, password)
        except mwclient.errors.LoginError as exc:
            code = exc.code if hasattr(exc, "code") else "Failed"
            raise LoginError(
                self.name,
                _("the wiki refused the login of %(user)r (%(code)s)") % {
                    "user": self.username, "code": code},
                _("check the bot password (Special:BotPasswords); the username is "
                  "'Account@botname' and the password the one shown when the bot was created"),
            ) from None
        except (requests.RequestException, mwclient.errors.MwClientError) as exc:
            raise UnreachableError(self.name, _("login failed: %(why)s") % {
                "why": _short(exc)}) from None
        finally:
            password = None
        self._rights = None  # this account's: told by the next answer that asks them
        self._logged_in = True
        self.session.headers["User-Agent"] = mw.clients_useragent

    def rights(self) -> Rights:
        data = self.query(meta="userinfo|siteinfo", uiprop="groups|rights",
                          siprop="general|extensions")
        info, general = data["query"]["userinfo"], data["query"]["general"]
        if self._logged_in:
            self._learn_rights(info)
        return Rights(
            user=info.get("name", ""),
            groups=info.get("groups", []),
            rights=info.get("rights", []),
            version=general.get("generator", ""),
            sitename=general.get("sitename", ""),
            extensions=[e.get("name", "") for e in data["query"].get("extensions", [])],
        )

    def write_access(self, titles: list[str]) -> WriteAccess:
        """What stands between this account and editing ``titles``, in one request once
        logged in: its rights and block, and each page's protection as it applies to it."""
        self.login()
        pages = {"prop": "info", "inprop": "protection", "intestactions": "edit",
                 "titles": "|".join(_unique(titles))} if titles else {}
        data = self.query(meta="userinfo", uiprop="rights|blockinfo", **pages)
        query = data["query"]
        info = query.get("userinfo", {})
        refused = {}
        for page in query.get("pages", []):
            if page.get("missing") or (page.get("actions") or {}).get("edit", True):
                continue
            levels = [f"{p.get('type')}={p.get('level')}" for p in page.get("protection", [])]
            refused[page["title"]] = ", ".join(levels) or _("not editable by this account")
        return WriteAccess(
            user=info.get("name", ""), rights=list(info.get("rights", [])),
            blocked=bool(info.get("blockid")), refused=refused,
        )

    @property
    def has_highlimits(self) -> bool:
        """Whether the run reads as an account with ``apihighlimits`` (never anonymously)."""
        return self._logged_in and "apihighlimits" in self._account_rights()

    def _account_rights(self) -> frozenset[str]:
        """The logged-in account's rights. A category's first batch after the login asks
        them with its pages (:meth:`_category_batches`); a read that needs them before that
        asks them alone, once (what mwclient asks after every login, which this login skips)."""
        if self._rights is None:
            self._learn_rights(self.query(meta="userinfo", uiprop="rights")["query"]["userinfo"])
        return self._rights or frozenset()

    def _learn_rights(self, userinfo: dict) -> None:
        known = self._rights is not None
        self._rights = frozenset(userinfo.get("rights", ()))
        if not known and "apihighlimits" not in self._rights:
            log.info(_("%(wiki)s: %(user)s has no apihighlimits right: %(count)d pages a "
                       "request") % {"wiki": self.name, "user": self.username,
                                     "count": CONTENT_BATCH})

    @property
    def batch(self) -> int:
        """Pages of content a request may ask for: 500 once logged in with ``apihighlimits``,
        else 50 (anonymous reads, or an account without the right)."""
        return HIGH_BATCH if self.has_highlimits else CONTENT_BATCH

    def _batch_for(self, count: int) -> int:
        """The batch size for ``count`` titles: what fits in one request at 50 needs no
        account's rights (nor a request to learn them)."""
        return CONTENT_BATCH if count <= CONTENT_BATCH else self.batch

    def for_big_read(self) -> int:
        """Before a read that takes more than one request at 50 pages: log in when the config
        gives this wiki a login, so that a bot with ``apihighlimits`` reads 500 pages a request
        (ten times fewer requests, each still one at a time). Returns the batch size to use.

        Tried once per run. A read never needs the login: when it cannot be had (no password
        in the environment, a refused bot password), the read goes on anonymously at 50 pages
        a request, with a warning; a later write raises the same error without a new attempt.
        A wiki without a login in the config is read anonymously, silently.
        """
        self._log_in_for_big_read()
        return self.batch

    def _log_in_for_big_read(self) -> None:
        """The login of :meth:`for_big_read`, tried once per run; a refusal is a warning."""
        if self._logged_in or self._big_read_tried or not self.username:
            return
        with self._login_lock:
            if self._logged_in or self._big_read_tried:
                return
            self._big_read_tried = True
            try:
                self._login()
            except (LoginError, ConfigError) as exc:
                if isinstance(exc, LoginError):
                    self._login_refused = exc
                log.warning(_("%(wiki)s: reading anonymously, %(count)d pages a request: "
                              "%(why)s") % {"wiki": self.name, "count": CONTENT_BATCH,
                                            "why": f"{exc} ({exc.hint})" if exc.hint else exc})

    def _category_limit(self) -> int:
        """A big category's next batch size, after the login :meth:`for_big_read` tries: 500
        while the account's rights are not known yet, for its first batch asks them (without
        ``apihighlimits``, MediaWiki then gives 50 pages' content an answer and continues
        within that batch, and the batches after it take 50)."""
        self._log_in_for_big_read()
        return HIGH_BATCH if self._logged_in and self._rights is None else self.batch

    # -- reads ----------------------------------------------------------------------------

    def read(self, titles: list[str]) -> dict[str, Page]:
        """The latest revision of each title with its content, 50 titles a request; more than
        50 titles are a big read (:meth:`for_big_read`: 500 a request for a bot)."""
        wanted = _unique(titles)
        size = self.for_big_read() if len(wanted) > CONTENT_BATCH else CONTENT_BATCH
        result: dict[str, Page] = {}
        for batch in _chunks(wanted, size):
            result.update(self._read_batch(batch, content=True))
        return result

    def revisions(self, titles: list[str]) -> dict[str, Page]:
        """The latest revision id and timestamp of each title, without content."""
        wanted = _unique(titles)
        result: dict[str, Page] = {}
        for batch in _chunks(wanted, self._batch_for(len(wanted))):
            result.update(self._read_batch(batch, content=False))
        return result

    def redirects(self, titles: list[str]) -> dict[str, str]:
        """title -> the title it redirects to, for the titles that are redirects (50 titles a
        request, 500 once logged in with high limits; no content).

        The answers are kept for the rest of the run: a title asked again is not sent again
        (the audit asks a list's links while it reads the categories, then with the other
        wiki's list). They also say which of these titles, and of their targets, exist: kept
        for :meth:`exists` (a list's links are looked up once)."""
        result: dict[str, str] = {}
        with self._known_lock:
            todo = [t for t in _unique(titles) if t not in self._redirect_known]
            result.update((t, self._redirect_known[t]) for t in _unique(titles)
                          if self._redirect_known.get(t))
        for batch in _chunks(todo, self._batch_for(len(todo))):
            query = self.query(titles="|".join(batch), redirects="1").get("query", {})
            aliases = {item["from"]: item["to"] for item in query.get("normalized", [])}
            targets = {item["from"]: item["to"] for item in query.get("redirects", [])}
            found = {page["title"]: not (page.get("missing") or page.get("invalid"))
                     for page in query.get("pages", []) if "title" in page}
            with self._known_lock:
                for title in batch:
                    real = aliases.get(title, title)
                    self._redirect_known[title] = targets.get(real)
                    if real in targets:
                        result[title] = targets[real]
                        self._known[real] = True  # a redirect is a page
                    elif real in found:
                        self._known[real] = found[real]
                for target in targets.values():
                    if target in found:
                        self._known[target] = found[target]
                self._known_alias.update(aliases)
        return result

    def exists(self, titles: list[str]) -> dict[str, bool]:
        """Whether each title is a page on the wiki (a redirect is one): what :meth:`redirects`
        already learnt in this run, the rest from one metadata read per batch (no content).
        A page this run saves is known to exist from then on."""
        result: dict[str, bool] = {}
        rest = []
        with self._known_lock:
            for title in _unique(titles):
                known = self._known.get(self._known_alias.get(title, title))
                if known is None:
                    rest.append(title)
                else:
                    result[title] = known
        if rest:
            result.update((t, page.exists) for t, page in self.revisions(rest).items())
        return {title: result[title] for title in titles}

    def _read_batch(self, titles: list[str], content: bool) -> dict[str, Page]:
        rvprop = "ids|timestamp|user" + ("|content" if content else "")
        params = {
            "prop": "revisions", "rvprop": rvprop, "rvslots": "main",
            "titles": "|".join(titles), "curtimestamp": "1",
        }
        pages: dict[str, dict] = {}
        aliases: dict[str, str] = {}
        cur = ""
        for data in self._continued(params):
            cur = data.get("curtimestamp", cur)
            query = data.get("query", {})
            for item in query.get("normalized", []):
                aliases[item["from"]] = item["to"]
            for page in query.get("pages", []):
                pages.setdefault(page["title"], {}).update(page)
        result = {}
        for title in titles:
            real = aliases.get(title, title)
            result[title] = _to_page(pages.get(real, {"title": real, "missing": True}), cur)
        return result

    def _continued(self, params: dict, prefetch: bool = False,
                   ask: Callable[[dict], dict] | None = None,
                   start: dict | None = None) -> Iterator[dict]:
        """Every answer of a query that continues (from ``start``, a continuation an earlier
        answer gave, when given). With ``prefetch``, the next answer is asked for while the
        caller works on this one (still one request at a time: see _attempt).
        ``ask(continuation)`` sends one request of the query (default: ``params`` as given)."""
        if ask is None:
            def ask(more: dict) -> dict:
                return self.query(**params, **more)

        if not prefetch:
            cont: dict = dict(start or {})
            while True:
                data = ask(cont)
                yield data
                if "continue" not in data:
                    return
                cont = data["continue"]
        with quick_handoff(), ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"{self.name}-read"
        ) as pool:
            future: Future | None = pool.submit(ask, dict(start or {}))
            while future is not None:
                data = future.result()
                more = data.get("continue")
                future = pool.submit(ask, dict(more)) if more else None
                yield data

    def category_pages(self, category: str, namespace: int | None = 0) -> Iterator[Page]:
        """Every page of a category with its content and last revision, 50 a request.

        A category of more than 50 pages is a big read (:meth:`for_big_read`). When the config
        gives a login, the run's first read asks the category's size with the siteinfo (no
        request more) and a big one logs in before its first batch, so that a bot asks for 500
        pages a request throughout. Otherwise (a later category, or a count that lags behind:
        it is MediaWiki's, kept by its jobs) the reader thread logs in once the first answer
        says there is more.
        """
        with self._prepared_lock:
            prepared = self._prepared.pop((category, namespace), None)
        begun = (prepared.result() if prepared is not None
                 else _Begun(self._prepare_read(category)))
        yield from begun.pages or ()
        if begun.pages is None or begun.more:
            yield from self._category_read(category, namespace, begun.limit, start=begun.more)

    def _category_read(self, category: str, namespace: int | None, first: int,
                       start: dict | None = None) -> Iterator[Page]:
        """:meth:`category_pages` once prepared; ``first``: the first batch's size; ``start``:
        where to go on (a batch's continuation) when the batches before were read already."""
        for pages, _more in self._category_batches(category, namespace, first, start):
            yield from pages

    def _category_batches(self, category: str, namespace: int | None, first: int,
                          start: dict | None = None, prefetch: bool = PREFETCH
                          ) -> Iterator[tuple[list[Page], dict | None]]:
        """Each whole batch of a category's read: its pages, and where the read goes on after
        it (None after the last)."""
        limit = [first]
        params = {
            "generator": "categorymembers", "gcmtitle": self.category_title(category),
            "prop": "revisions", "rvprop": "ids|timestamp|user|content", "rvslots": "main",
            "curtimestamp": "1",
        }
        if namespace is not None:
            params["gcmnamespace"] = str(namespace)

        def ask(more: dict) -> dict:
            # the batch size changes only between whole batches: an answer continued inside
            # one (rvcontinue: more content than one answer holds) keeps its generator's size
            if (more or self._logged_in) and "rvcontinue" not in more:
                limit[0] = self._category_limit()
            if not (self._logged_in and self._rights is None):
                return self.query(**params, gcmlimit=str(limit[0]), **more)
            # the login's first batch asks the account's rights too (no request of their own)
            data = self.query(**params, gcmlimit=str(limit[0]), meta="userinfo",
                              uiprop="rights", **more)
            self._learn_rights(data["query"]["userinfo"])
            return data

        partial: dict[str, dict] = {}
        for data in self._continued(params, prefetch=prefetch, ask=ask, start=start):
            settle_heap()
            cur = data.get("curtimestamp", "")
            for page in data.get("query", {}).get("pages", []):
                partial.setdefault(page["title"], {}).update(page)
            if "batchcomplete" in data:
                yield [_to_page(page, cur) for page in partial.values()], data.get("continue")
                partial = {}
        if partial:
            yield [_to_page(page, "") for page in partial.values()], None

    def begin_category_read(self, category: str, *, whole: bool = False,
                            namespace: int | None = 0) -> None:
        """Start, in a thread of its own, what :meth:`category_pages` does before its first
        batch (the siteinfo and the category's size in one request, then the login of a big
        read), so that it runs while the caller still loads its own modules; with ``whole``,
        its first batch too (while the caller works on the category before): all of a category
        that fits in one batch, and no more than one batch of pages kept, whatever its size.
        The next :meth:`category_pages` of ``category`` waits for it, gives those pages and
        reads the rest, or raises its error. Requests stay one at a time on the wiki."""
        with self._prepared_lock:
            if (category, namespace) in self._prepared:
                return
            future: Future[_Begun] = Future()
            self._prepared[(category, namespace)] = future

        def prepare() -> None:
            try:
                limit = self._prepare_read(category)
                if not whole:
                    future.set_result(_Begun(limit))
                    return
                batches = self._category_batches(category, namespace, limit, prefetch=False)
                pages, more = next(batches, ([], None))
                batches.close()
                future.set_result(_Begun(limit, pages, more))
            except BaseException as exc:  # noqa: BLE001 (raised again by category_pages)
                future.set_exception(exc)

        threading.Thread(target=prepare, name=f"{self.name}-prepare", daemon=True).start()

    def _prepare_read(self, category: str) -> int:
        """Before a category's first batch: the run's first read asks the category's size with
        the siteinfo, so that a big category logs in before its first batch (later ones log in
        after their first answer, in ``ask``). Returns the first batch's size."""
        # a big category logs in (mwclient) and its pages will be parsed: both imported while
        # the first request is out, mwclient first (the login comes first, right after it)
        warm_imports(*(("mwclient",) if self.username else ()), "wikisync.wikitext")
        size = (self._siteinfo_and_size(category)
                if self._siteinfo is None and self._may_log_in() else 0)
        if size > CONTENT_BATCH:
            return self._category_limit()
        self._login_token = None  # for the login that follows at once only: none does
        return self._category_limit() if self._logged_in else CONTENT_BATCH

    def prepare_login(self) -> None:
        """Import mwclient now, in the calling thread, when a big read may log in. Called while
        the first requests are out (:meth:`App.begin_reads`): the import then takes the CPU
        before the command's own modules do, and the login that follows the first answer
        does not wait for it. An import that fails fails again, with its error, in the login."""
        if self._may_log_in():
            _import_quietly("mwclient")

    def _may_log_in(self) -> bool:
        """Whether a big read would still try to log in (see :meth:`for_big_read`)."""
        return bool(self.username) and not self._logged_in and not self._big_read_tried

    def titles(self) -> TitleRules:
        """How this wiki normalises titles (namespaces, aliases, case), from its siteinfo."""
        return TitleRules.from_siteinfo(self.siteinfo())

    def category_title(self, category: str) -> str:
        """``Acteur``, ``Category:Acteur`` or ``catégorie:acteur`` -> ``Catégorie:Acteur``."""
        return self.titles().in_namespace(category, 14)

    def recent_titles(
        self, since: str, skip: Collection[int] = ()
    ) -> tuple[set[str] | None, str]:
        """Titles edited, created, moved or deleted since ``since`` (ISO), and the server's
        time now. Edits whose revision is in ``skip`` (wikisync's own) do not count: changes
        are told apart by revision, never by account, since a person may use the bot's. The
        titles are None when the recent changes no longer reach back that far (MediaWiki keeps
        90 days by default): the caller must then read everything."""
        if _age_days(since) > RECENT_CHANGES_DAYS:
            return None, ""
        known = self._recent_known(since)
        if known is None:  # kinds synced together share one read per run
            self._recent[since] = self._recent_changes(since)
            known = since
        changes, now = self._recent[known]
        return {title for title, revid, when in changes
                if when >= since and (not revid or revid not in skip)}, now

    def _recent_known(self, since: str) -> str | None:
        """The ``since`` of recent changes already read that reach back to ``since``."""
        return min((known for known in self._recent if known <= since), default=None)

    def _recent_changes(self, since: str) -> tuple[list[tuple[str, int, str]], str]:
        """(title, revision id or 0 for a log entry, timestamp) of every change since
        ``since``, and the server's time."""
        changes: list[tuple[str, int, str]] = []
        now = ""
        for data in self._continued({**_recent_params(since), "curtimestamp": "1"}):
            now = now or data.get("curtimestamp", "")
            changes += _changes(data)
        return changes, now

    def now(self) -> str:
        """The server's time when this run first asked (ISO), for the next run's recent
        changes; asked once per run."""
        if not self._now:
            self._now = self.call({"action": "query", "curtimestamp": "1"}).get("curtimestamp", "")
        return self._now

    @property
    def account(self) -> str | None:
        """The wiki account behind the bot password (``Name`` of ``Name@bot``)."""
        return self.username.split("@", 1)[0] if self.username else None

    # -- writes ---------------------------------------------------------------------------

    def save(self, page: Page, text: str, summary: str, *, create: bool = False) -> Page:
        """Write ``text`` on top of ``page`` as it was read; never clobber another edit.

        Raises PageExistsError (create of an existing page), EditConflictError (someone else
        edited since ``page`` was read: MediaWiki refused the edit), ConcurrentEditError
        (someone edited since ``page`` was read and MediaWiki saved our edit anyway, merged with
        theirs or, for the same account, in place of theirs, which is then put back),
        PersonOverwrittenError (theirs could not be put back), EditError (refused: protected
        page, missing right, ...).
        """
        self.login()
        edit = self._edit(page, text, summary, create)
        with self._known_lock:
            self._known[self._known_alias.get(page.title, page.title)] = True
        if edit.get("nochange"):
            return page
        return self._verify(page, text, int(edit["newrevid"]), create)

    def _edit(self, page: Page, text: str, summary: str, create: bool) -> dict:
        """One ``action=edit`` with every safety of the contract; returns MediaWiki's answer."""
        self._pace()
        params = {
            "action": "edit", "title": page.title, "text": text, "summary": summary,
            "bot": "1", "assert": "user", "token": self._token(),
            "md5": hashlib.md5(text.encode("utf-8")).hexdigest(),
        }
        if create:
            params["createonly"] = "1"
        else:
            params.update(nocreate="1", baserevid=str(page.revid), basetimestamp=page.timestamp)
            if page.starttimestamp:
                params["starttimestamp"] = page.starttimestamp
        data = self.call(params, post=True)
        self._last_write = time.monotonic()
        error = data.get("error")
        if error:
            self._raise_edit_error(page.title, error)
        edit = data.get("edit", {})
        if edit.get("result") != "Success":
            self._raise_edit_failure(page.title, edit)
        if edit.get("newrevid"):
            self.saved_revids.append(int(edit["newrevid"]))
        return edit

    def revision(self, revid: int) -> tuple[Page, int]:
        """One revision with its content, and the id of its parent revision."""
        data = self.query(
            prop="revisions", revids=str(revid), rvprop="ids|timestamp|user|content",
            rvslots="main", curtimestamp="1",
        )
        raw = data["query"]["pages"][0]
        parent = (raw.get("revisions") or [{}])[0].get("parentid", 0)
        return _to_page(raw, data.get("curtimestamp", "")), int(parent)

    def revisions_after(self, title: str, revid: int, limit: int = 10) -> list[LaterRevision]:
        """The revisions saved on ``title`` after ``revid``, oldest first (at most ``limit``)."""
        data = self.query(prop="revisions", titles=title, rvstartid=str(revid), rvdir="newer",
                          rvlimit=str(limit + 1), rvprop="ids|sha1")
        pages = data["query"]["pages"]
        return [
            LaterRevision(int(r["revid"]), int(r.get("parentid", 0)), r.get("sha1", ""))
            for r in (pages[0].get("revisions") or []) if r["revid"] != revid
        ]

    def identity(self, titles: list[str], since: str | None = None
                 ) -> tuple[dict, dict[str, Page]]:
        """The wiki's siteinfo ``general`` part and the latest revision of each title (at most
        50, no content), in one request: what a state is checked against.

        With ``since`` (ISO), the same request also asks for the recent changes since then, so
        that :meth:`recent_titles` needs no request of its own: an idle sync is one request per
        wiki. More changes than one answer holds (500) take further requests.
        """
        params = {"meta": "siteinfo", "siprop": "general", "prop": "revisions",
                  "rvprop": "ids|timestamp|user", "curtimestamp": "1"}
        if titles:
            params["titles"] = "|".join(titles[:50])
        recent = since is not None and self._recent_known(since) is None and (
            _age_days(since) <= RECENT_CHANGES_DAYS)
        if recent:
            params.update(_recent_params(since))
        data = self.query(**params)
        query = data.get("query", {})
        aliases = {n["from"]: n["to"] for n in query.get("normalized", [])}
        raw = {p["title"]: p for p in query.get("pages", [])}
        cur = data.get("curtimestamp", "")
        self._now = self._now or cur  # the run's first look at the server's clock
        if recent:
            changes = _changes(data)
            if "continue" in data:  # only the recent changes continue (500 a request)
                for more in self._continued({**_recent_params(since), **data["continue"]}):
                    changes += _changes(more)
            self._recent[since] = (changes, cur)
        pages = {t: _to_page(raw.get(aliases.get(t, t), {"title": t, "missing": True}), cur)
                 for t in titles[:50]}
        return query.get("general", {}), pages

    def history(self, title: str, limit: int = 500) -> list[HistoryEntry]:
        """The page's revisions, newest first (at most ``limit``), with who saved each, when,
        and its summary; no content."""
        params = {"prop": "revisions", "titles": title, "rvdir": "older",
                  "rvlimit": str(min(limit, self.batch)),
                  "rvprop": "ids|timestamp|user|comment"}
        found: list[HistoryEntry] = []
        for data in self._continued(params):
            for page in data.get("query", {}).get("pages", []):
                found += [HistoryEntry(int(r["revid"]), r.get("timestamp", ""), r.get("user", ""),
                                       r.get("comment", ""))
                          for r in page.get("revisions") or []]
            if len(found) >= limit:
                break
        return found[:limit]

    def texts(self, revids: list[int]) -> dict[int, str]:
        """The text of each revision (batched: 50 a request, 500 for a bot in a big read)."""
        wanted = sorted(set(map(str, revids)))
        size = self.for_big_read() if len(wanted) > CONTENT_BATCH else self.batch
        result: dict[int, str] = {}
        for batch in _chunks(wanted, size):
            data = self.query(prop="revisions", revids="|".join(batch), rvprop="ids|content",
                              rvslots="main")
            for page in data.get("query", {}).get("pages", []):
                for rev in page.get("revisions") or []:
                    slot = (rev.get("slots") or {}).get("main", {})
                    result[int(rev["revid"])] = slot.get("content", "")
        return result

    def put_back(self, planned: Page, ours: int) -> None:
        """Our revision ``ours``, saved on top of a person's edit that came after ``planned``
        was read, replaced it and was never put back (the run was killed): put it back now if
        ours is still the latest. Raises ConcurrentEditError when done (what it saved), else
        PersonOverwrittenError."""
        saved, parent = self.revision(ours)
        theirs, _parent = self.revision(parent)
        self.login()
        latest = self.revisions([planned.title])[planned.title]
        if latest.revid != ours:
            raise self._overwritten(planned, theirs, saved,
                                    _("the page changed since (revision %(revid)d)")
                                    % {"revid": latest.revid})
        self._put_back(planned, theirs, saved)

    def pre_save_transform(self, title: str, text: str) -> str:
        """``text`` as MediaWiki would store it on ``title`` (signatures, pipe tricks, trailing
        whitespace), without saving anything."""
        data = self._check(self.call({
            "action": "parse", "title": title, "text": text, "onlypst": "1",
            "contentmodel": "wikitext",
        }, post=True))
        return data["parse"]["text"]

    def _verify(self, page: Page, text: str, newrev: int, create: bool) -> Page:
        """Read back the new revision; when it does not stand on the revision we planned from,
        make sure nobody's edit was replaced (see :meth:`save`)."""
        saved, parent = self.revision(newrev)
        if create or parent == page.revid:
            # Nothing came between our read and our write: any difference from our text is
            # MediaWiki's pre-save transform, not somebody's edit.
            return saved
        theirs, _parent = self.revision(parent)
        if _same(saved.text, self.pre_save_transform(page.title, text)):
            if _same(theirs.text, page.text):
                return saved  # the edits in between changed nothing in the end
            self._put_back(page, theirs, saved)
        raise ConcurrentEditError(
            self.name, page.title,
            _("%(title)r changed between wikisync's read and its write (revision "
              "%(parent)d); MediaWiki merged the two edits in revision %(revid)d")
            % {"title": page.title, "parent": parent, "revid": newrev},
            ((newrev, _("merged by MediaWiki with revision %(parent)d") % {"parent": parent}),),
        )

    def _put_back(self, planned: Page, theirs: Page, saved: Page) -> None:
        """Our revision ``saved`` replaced ``theirs`` (an edit made with our own account, which
        MediaWiki does not count as a conflict): save their text again on top of ours."""
        note = (f"wikisync: put back revision {theirs.revid} (replaced by wikisync's revision "
                f"{saved.revid}, saved without seeing it)")
        log.warning(_("%(wiki)s: %(title)r: revision %(ours)d replaced revision %(theirs)d, "
                      "an edit made with the same account since revision %(read)d was read; "
                      "putting it back")
                    % {"wiki": self.name, "title": planned.title, "ours": saved.revid,
                       "theirs": theirs.revid, "read": planned.revid})
        try:
            edit = self._edit(saved, theirs.text, note, create=False)
            restored, parent = self.revision(int(edit["newrevid"]))
        except (WikiError, KeyError) as exc:
            raise self._overwritten(planned, theirs, saved, str(exc)) from None
        if parent != saved.revid or not _same(restored.text, theirs.text):
            raise self._overwritten(planned, theirs, saved,
                                    _("the page changed again (revision %(revid)d)")
                                    % {"revid": restored.revid})
        raise ConcurrentEditError(
            self.name, planned.title,
            _("%(title)r was edited with wikisync's own account (revision %(theirs)d) between "
              "wikisync's read and its write; wikisync's revision %(ours)d replaced it, and "
              "revision %(restored)d puts it back")
            % {"title": planned.title, "theirs": theirs.revid, "ours": saved.revid,
               "restored": restored.revid},
            ((saved.revid, _("replaced revision %(theirs)d, put back in %(restored)d")
              % {"theirs": theirs.revid, "restored": restored.revid}),
             (restored.revid, _("puts back revision %(theirs)d") % {"theirs": theirs.revid})),
        )

    def _overwritten(self, planned: Page, theirs: Page, saved: Page, why: str) -> WikiError:
        return PersonOverwrittenError(
            self.name,
            _("%(title)r: wikisync's revision %(ours)d replaced revision %(theirs)d, an edit "
              "made with the same account between wikisync's read and its write, and could "
              "not put it back (%(why)s)")
            % {"title": planned.title, "ours": saved.revid, "theirs": theirs.revid, "why": why},
            _("restore revision %(theirs)d from the page's history by hand; the next sync "
              "merges it") % {"theirs": theirs.revid},
        )

    def _raise_edit_failure(self, title: str, edit: dict) -> None:
        """An edit MediaWiki answered without an error code but did not save."""
        if "captcha" in edit:  # ConfirmEdit: a bot cannot answer, and must not try
            raise EditError(
                self.name, _("the wiki asks for a CAPTCHA to save %(title)r; nothing was "
                             "saved") % {"title": title},
                _("the account needs the 'skipcaptcha' right: ask an administrator to put it "
                  "in the 'bot' group (ConfirmEdit lets bots skip CAPTCHAs)"),
            )
        details = ", ".join(f"{k}={v}" for k, v in sorted(edit.items()) if k != "result")
        raise EditError(self.name, _("the wiki did not save %(title)r (%(details)s)") % {
            "title": title, "details": details or _("no reason")})

    def _raise_edit_error(self, title: str, error: dict) -> None:
        code, info = error.get("code", ""), error.get("info", "")
        if code == "editconflict":
            raise EditConflictError(
                self.name, _("edit conflict on %(title)r: someone else edited it meanwhile")
                % {"title": title},
                _("nothing was overwritten; run the command again"),
            )
        if code == "articleexists":
            raise PageExistsError(_("%(wiki)s: %(title)r already exists") % {
                "wiki": self.name, "title": title}, _("nothing was written"))
        if code in ("assertuserfailed", "assertbotfailed", "badtoken", "notloggedin"):
            raise LoginError(self.name, _("the session was lost while editing %(title)r "
                                          "(%(code)s)") % {"title": title, "code": code})
        if code == "missingtitle":
            raise EditError(self.name, _("%(title)r does not exist (it may have been deleted)")
                            % {"title": title})
        hint = EDIT_REFUSALS.get(code)
        raise EditError(self.name, _("the wiki refused to save %(title)r: %(code)s: %(info)s")
                        % {"title": title, "code": code, "info": info},
                        _(hint) if hint else None)

    def _token(self) -> str:
        if self._csrf is None:
            data = self.query(meta="tokens", type="csrf")
            self._csrf = data["query"]["tokens"]["csrftoken"]
        return self._csrf

    def _pace(self) -> None:
        if self._last_write and self.write_interval:
            wait = self.write_interval - (time.monotonic() - self._last_write)
            if wait > 0:
                time.sleep(wait)


def _recent_params(since: str) -> dict[str, str]:
    """The ``list=recentchanges`` part of a query: every edit, creation and log entry (moves,
    deletions) since ``since``, oldest first."""
    return {"list": "recentchanges", "rcdir": "newer", "rcstart": since,
            "rcprop": "title|timestamp|ids", "rclimit": RECENT_BATCH, "rctype": "edit|new|log"}


def _changes(data: dict) -> list[tuple[str, int, str]]:
    return [(c["title"], int(c.get("revid") or 0), c.get("timestamp", ""))
            for c in data.get("query", {}).get("recentchanges", [])]


def _to_page(raw: dict, curtimestamp: str) -> Page:
    from wikisync.model import Page  # loaded once the first answer is in, not before a request

    if raw.get("missing") or raw.get("invalid"):
        return Page(title=raw.get("title", ""), exists=False, starttimestamp=curtimestamp)
    revs = raw.get("revisions") or [{}]
    rev = revs[0]
    slot = (rev.get("slots") or {}).get("main", {})
    return Page(
        title=raw["title"],
        text=slot.get("content", ""),
        revid=int(rev.get("revid", 0)),
        timestamp=rev.get("timestamp", ""),
        user=rev.get("user", ""),
        exists=True,
        starttimestamp=curtimestamp,
        pageid=int(raw.get("pageid", 0) or 0),
    )


def _same(text: str, other: str) -> bool:
    """Whether two page texts are the same once MediaWiki's trailing whitespace is trimmed."""
    return text.rstrip() == other.rstrip()


def _age_days(timestamp: str) -> float:
    try:
        then = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return float("inf")
    return (datetime.now(UTC) - then).total_seconds() / 86400


def _redirect_refused(wiki: str, url: str, resp: requests.Response) -> UnreachableError:
    """The error for an answer that redirects: it names where the redirect points (without
    its query string), so that the user can correct ``api_url``."""
    target = urljoin(resp.url or url, resp.headers.get("Location", ""))
    parts = urlsplit(target)
    where = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    asked = urlunsplit(urlsplit(url)[:3] + ("", ""))
    return UnreachableError(
        wiki,
        _("%(url)s answered HTTP %(status)d, a redirect to %(target)s; wikisync never follows "
          "a redirect (it could carry the bot password elsewhere)")
        % {"url": asked, "status": resp.status_code, "target": where},
        _("if %(target)s is the wiki's API, set api_url to it") % {"target": where},
    )


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _short(exc: BaseException) -> str:
    """An exception in plain words: network errors say what happened, never the library's
    internals (``HTTPConnectionPool(host=...): Max retries exceeded ...``)."""
    if isinstance(exc, requests.RequestException):
        return plain_network_error(exc)
    text = str(exc)
    return text if len(text) < 160 else text[:157] + "..."


def plain_network_error(exc: BaseException) -> str:
    """What a network error means, in the words a wiki maintainer uses: the one place where
    requests' and urllib3's exceptions are translated."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError) or "CERTIFICATE_VERIFY" in text:
        return _("the secure connection failed (TLS certificate problem)")
    if isinstance(exc, requests.Timeout) or "timed out" in text:
        return _("no answer in time")
    if "NameResolution" in text or "Name or service not known" in text or (
            "nodename nor servname" in text) or "getaddrinfo failed" in text:
        return _("the host name was not found (check the address; is the network up?)")
    if "Connection refused" in text or "Errno 111" in text:
        return _("the connection was refused (is the wiki up?)")
    if "Connection reset" in text or "RemoteDisconnected" in text or "aborted" in text:
        return _("the connection was cut")
    return _("network error")


def _unique(titles: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(titles))


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
