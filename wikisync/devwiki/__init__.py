"""Real local MediaWiki wikis for tests, the demo and the benchmarks.

Each :class:`LocalWiki` is one French-language MediaWiki 1.39 instance (Debian's ``mediawiki``
package, SQLite, PHP's built-in server on a loopback port) with a bot account and a bot password.
:class:`LocalFarm` installs several of them, seeds them and writes a ``wikisync.yaml`` for them.

Installing takes about a second per wiki; seeding goes through MediaWiki's own ``importDump.php``
(never through API edits), then the SQLite files are copied aside so that :meth:`LocalWiki.reset`
restores the pristine wiki in milliseconds.

Nothing here ever listens on or talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import requests

from wikisync.devwiki.dump import Revision, write_dump
from wikisync.grants import NEEDED_GRANTS

log = logging.getLogger(__name__)

MW_ROOT = Path("/usr/share/mediawiki")
PHP_ROUTER = Path(__file__).with_name("router.php")
APT_PACKAGES = ["mediawiki", "php-cli", "php-sqlite3", "php-intl", "php-mbstring", "php-xml"]
BOT_USER = "WikisyncBot"
BOT_APP = "wikisync"
PEER_USER = "Contributrice"  # a human account, for edits "by someone else" in tests
#: The bot passwords' grants: exactly those the README tells users to tick (least privilege;
#: ``wikisync check`` warns about anything more).
BOT_GRANTS = ",".join(NEEDED_GRANTS)
EXTRA_SETTINGS = """
# --- added by wikisync.devwiki ---
$wgServer = getenv( 'WIKISYNC_DEVWIKI_SERVER' ) ?: $wgServer;
$wgArticlePath = "/wiki/$1";
$wgUsePathInfo = false;
wfLoadExtension( 'ParserFunctions' );
$wgEnableBotPasswords = true;
$wgRateLimits = [];
$wgPasswordPolicy['policies']['default'] = [];
$wgShowExceptionDetails = true;
$wgEnableEmail = false;
$wgJobRunRate = 1;
$wgRCMaxAge = 10 * 365 * 86400;
$wgDiff3 = '/usr/bin/diff3';
$wgGroupPermissions['*']['createaccount'] = false;
# What a test adds for itself (LocalWiki.add_settings; LocalWiki.reset removes it).
if ( is_readable( __DIR__ . '/test-settings.php' ) ) {
    require __DIR__ . '/test-settings.php';
}
"""


#: Non-ASCII letters whose upper case is one letter, the same in Python and PHP's mbstring.
_SAFE_UPPER = frozenset("°àâäçéèêëîïôöùûüÿæœ’")


class DevWikiError(RuntimeError):
    """The local wiki could not be installed, started or seeded."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_mediawiki() -> None:
    """Install Debian's MediaWiki and PHP if they are missing (needs root and apt)."""
    if (MW_ROOT / "maintenance" / "install.php").exists() and _php_has_modules():
        return
    log.warning("installing %s with apt-get (one time)", " ".join(APT_PACKAGES))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES],
        check=True,
        env=env,
    )
    if not _php_has_modules():
        raise DevWikiError("PHP lacks one of sqlite3, intl, mbstring, xml after apt-get install")


def _php_has_modules() -> bool:
    if shutil.which("php") is None:
        return False
    out = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout.lower()
    return all(m in out for m in ("pdo_sqlite", "intl", "mbstring", "xml"))


@dataclass
class LocalWiki:
    """One local MediaWiki instance living in ``root``."""

    name: str
    sitename: str
    root: Path
    port: int = 0
    admin_password: str = field(default_factory=lambda: "P" + secrets.token_hex(12))
    bot_password: str = field(default_factory=lambda: secrets.token_hex(16))  # 32 chars
    peer_password: str = field(default_factory=lambda: "P" + secrets.token_hex(12))
    peer_bot_password: str = field(default_factory=lambda: secrets.token_hex(16))
    _proc: subprocess.Popen | None = None

    # -- paths and URLs -------------------------------------------------------------------

    @property
    def settings(self) -> Path:
        return self.root / "LocalSettings.php"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def pristine(self) -> Path:
        return self.root / "pristine"

    @property
    def server(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.server}/api.php"

    @property
    def article_url(self) -> str:
        return f"{self.server}/wiki/"

    @property
    def bot_login(self) -> str:
        return f"{BOT_USER}@{BOT_APP}"

    @property
    def peer_login(self) -> str:
        """A human contributor's account (with a bot password, so tests can edit as her)."""
        return f"{PEER_USER}@peer"

    # -- install --------------------------------------------------------------------------

    def install(self) -> None:
        """Create the instance from scratch: database, settings, bot and peer accounts."""
        if self.root.exists():
            shutil.rmtree(self.root)
        self.data.mkdir(parents=True)
        if not self.port:
            self.port = free_port()
        self._php(
            "install.php", "--dbtype", "sqlite", "--dbpath", str(self.data),
            "--dbname", self.name, "--lang", "fr", "--server", self.server,
            "--scriptpath", "", "--pass", self.admin_password, "--confpath", str(self.root),
            self.sitename, "Admin", conf=False,
        )
        with self.settings.open("a", encoding="utf-8") as fh:
            fh.write(EXTRA_SETTINGS)
        self._php("createAndPromote.php", "--bot", BOT_USER, self.admin_password + "bot")
        self._php(
            "createBotPassword.php", "--appid", BOT_APP, "--grants", BOT_GRANTS,
            BOT_USER, self.bot_password,
        )
        self._php("createAndPromote.php", PEER_USER, self.peer_password)
        self._php(
            "createBotPassword.php", "--appid", "peer", "--grants", BOT_GRANTS,
            PEER_USER, self.peer_bot_password,
        )

    def add_interwiki(self, prefix: str, article_url: str, api_url: str) -> None:
        """Declare an interwiki prefix (as Special:Interwiki would)."""
        import sqlite3

        with sqlite3.connect(self.data / f"{self.name}.sqlite") as db:
            db.execute(
                "INSERT OR REPLACE INTO interwiki"
                " (iw_prefix, iw_url, iw_api, iw_wikiid, iw_local, iw_trans)"
                " VALUES (?, ?, ?, '', 0, 0)",
                (prefix, article_url + "$1", api_url),
            )

    def import_pages(self, revisions: list[Revision], *, bulk: bool = False,
                     categories: Mapping[str, str] | None = None) -> None:
        """Import pages through MediaWiki's own importDump.php (no API edit involved).

        importDump.php fills the link tables (categories, from the templates imported before
        the pages) page by page as it goes. ``bulk`` (a large import: the benchmark's) imports
        with ``--no-updates`` and fills them afterwards with ``refreshLinks.php``, then runs no
        job queue: the same category links, in less than half the time (2,000 pages: 7 s + 27 s
        against 75 s + 15 s of jobs, measured on a loaded 2-core machine).

        ``categories`` (with ``bulk``): title -> the one category that page's template puts it
        in, for pages whose only link the caller needs is that category. Those rows are
        written by :meth:`add_category_links` instead of ``refreshLinks.php``, which parses
        every page (2,000 pages: 9 s of import, then 35 s of refreshLinks.php against under
        a second). The other link tables stay empty."""
        dump = self.root / "import.xml"
        write_dump(dump, revisions, sitename=self.sitename)
        if bulk:
            self._php("importDump.php", "--no-updates", str(dump))
            if categories is None:
                self._php("refreshLinks.php")
            else:
                self.add_category_links(categories)
        else:
            self._php("importDump.php", str(dump))
        self._php("rebuildrecentchanges.php")
        if not bulk:
            self._php("runJobs.php")

    def add_category_links(self, categories: Mapping[str, str]) -> None:
        """Put each main-namespace page ``title`` in ``categories[title]``: the rows
        ``refreshLinks.php`` writes for a page whose only category is that one, written in
        the wiki's SQLite database without parsing the page.

        That is a ``categorylinks`` row (the sort key as the ``uppercase`` collation, this
        wiki's, makes it: the title with spaces, upper-cased), the ``category`` row's page
        count, and the page's ``page_links_updated``. ``tests/test_devwiki.py`` holds these
        rows to those refreshLinks.php writes. A title that is not a page, or that Python
        and PHP would not upper-case alike (non-ASCII letters but ``é``-like Latin-1 ones are
        refused), raises DevWikiError: nothing is written then."""
        import sqlite3

        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        odd = [t for t in categories.values() if not t.isascii()] + [
            t for t in categories if not all(c.isascii() or c in _SAFE_UPPER for c in t)]
        if odd:
            raise DevWikiError(f"{self.name}: no sort key for {odd[0]!r} without MediaWiki")
        with sqlite3.connect(self.data / f"{self.name}.sqlite") as db:
            ids = dict(db.execute("SELECT page_title, page_id FROM page WHERE page_namespace = 0"))
            rows, counts = [], {}
            for title, category in categories.items():
                key = title.replace(" ", "_")
                if key not in ids:
                    raise DevWikiError(f"{self.name}: no page {title!r} to put in a category")
                cat = category.replace(" ", "_")
                rows.append((ids[key], cat, title.upper(), stamp))  # TEXT, as PHP binds it
                counts[cat] = counts.get(cat, 0) + 1
            db.executemany(
                "INSERT INTO categorylinks (cl_from, cl_to, cl_sortkey, cl_sortkey_prefix,"
                " cl_timestamp, cl_collation, cl_type) VALUES (?, ?, ?, '', ?, 'uppercase',"
                " 'page')", rows)
            for cat, count in counts.items():
                if db.execute("UPDATE category SET cat_pages = cat_pages + ? WHERE cat_title = ?",
                              (count, cat)).rowcount == 0:
                    db.execute("INSERT INTO category (cat_title, cat_pages, cat_subcats, "
                               "cat_files) VALUES (?, ?, 0, 0)", (cat, count))
            db.executemany("UPDATE page SET page_links_updated = ? WHERE page_id = ?",
                           [(stamp, row[0]) for row in rows])

    def protect(self, title: str, reason: str = "test") -> None:
        self._php("protect.php", "--user", "Admin", "--reason", reason, title)

    def snapshot(self) -> None:
        """Copy the SQLite files aside; :meth:`reset` brings them back."""
        if self.pristine.exists():
            shutil.rmtree(self.pristine)
        shutil.copytree(self.data, self.pristine)

    def reset(self) -> None:
        """Restore the wiki as it was at the last :meth:`snapshot` (milliseconds), without
        the settings a test added."""
        self.test_settings.unlink(missing_ok=True)
        for src in self.pristine.glob("*.sqlite"):
            shutil.copyfile(src, self.data / src.name)

    @property
    def test_settings(self) -> Path:
        return self.root / "test-settings.php"

    def add_settings(self, php: str) -> None:
        """PHP settings read on every request from now until :meth:`reset` (e.g. an extension
        that only one test needs)."""
        with self.test_settings.open("a", encoding="utf-8") as fh:
            if fh.tell() == 0:
                fh.write("<?php\n")
            fh.write(php.rstrip("\n") + "\n")

    def _php(self, script: str, *args: str, conf: bool = True) -> str:
        cmd = ["php", str(MW_ROOT / "maintenance" / script)]
        if conf:
            cmd += ["--conf", str(self.settings)]
        cmd += list(args)
        env = dict(
            os.environ, WIKISYNC_DEVWIKI_SERVER=self.server, MW_CONFIG_FILE=str(self.settings)
        )
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        if proc.returncode != 0:
            raise DevWikiError(
                f"{self.name}: {script} failed ({proc.returncode}):\n{proc.stdout[-2000:]}"
                f"\n{proc.stderr[-2000:]}"
            )
        return proc.stdout

    # -- serve ----------------------------------------------------------------------------

    def start(self, workers: int = 2) -> None:
        """Serve the wiki with PHP's built-in server on 127.0.0.1 and wait for its API."""
        if self._proc is not None:
            return
        env = dict(
            os.environ,
            MW_CONFIG_FILE=str(self.settings),
            WIKISYNC_DEVWIKI_SERVER=self.server,
            PHP_CLI_SERVER_WORKERS=str(workers),
        )
        logfile = (self.root / "server.log").open("ab")
        self._proc = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(MW_ROOT), str(PHP_ROUTER)],
            env=env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        params = {"action": "query", "meta": "siteinfo", "format": "json"}
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise DevWikiError(f"{self.name}: php -S exited; see {self.root / 'server.log'}")
            try:
                resp = requests.get(self.api_url, params=params, timeout=5)
                if resp.ok and "query" in resp.json():
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.1)
        raise DevWikiError(f"{self.name}: API did not answer at {self.api_url} in {timeout}s")

    def stop(self) -> None:
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, 15)
        except ProcessLookupError:
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, 9)
            self._proc.wait()
        self._proc = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None
