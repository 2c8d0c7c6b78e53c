"""The one error tree of wikisync.

Every error the tool raises on purpose derives from :class:`WikisyncError`. Each carries the exit
code of the contract and, where there is one, a hint that tells the user what to do next. The CLI
turns them into messages in one place (``wikisync.cli``).
"""

from __future__ import annotations

from wikisync.i18n import _, ngettext

# Exit codes of the contract.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ATTENTION = 3


class WikisyncError(Exception):
    """Base of every error that wikisync reports to a user."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(WikisyncError):
    """Bad usage or bad input: nothing was written."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """The config, a mapping or a page template is invalid. ``problems`` lists every problem."""

    def __init__(self, problems: list[str], hint: str | None = None) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        found = ngettext("%(count)d problem found:", "%(count)d problems found:",
                         len(self.problems)) % {"count": len(self.problems)}
        super().__init__(f"{found}\n{lines}", hint)


class InputError(UsageError):
    """A value given by the user (a field, a file row, a title) is invalid."""


class PageExistsError(UsageError):
    """A page that would be created exists already (nothing was written)."""


class WikitextError(UsageError):
    """A page's wikitext cannot be read or edited safely."""


class WikiError(WikisyncError):
    """A wiki failed: unreachable, not a MediaWiki API, or an API error."""

    exit_code = EXIT_FAILED

    def __init__(self, wiki: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"{wiki}: {message}", hint)
        self.wiki = wiki


class UnreachableError(WikiError):
    """The wiki did not answer (network error, timeout, deadline) or is not a MediaWiki API."""


class LoginError(WikiError):
    """The wiki refused the login."""


class EditError(WikiError):
    """The wiki refused an edit (protected page, permission, spam filter, ...)."""


class EditConflictError(EditError):
    """Someone else edited the page between our read and our write: nothing was clobbered."""


class ConcurrentEditError(EditConflictError):
    """Someone edited the page between wikisync's read and its write, and MediaWiki saved
    wikisync's edit all the same: merged with theirs, or, when they used the same account (no
    edit conflict is raised then), in place of theirs, which wikisync at once put back.

    Nothing of theirs is lost; the caller re-reads the page and plans again. ``saved`` lists
    the revisions wikisync made, each with what it was (for the report): ``(revid, note)``.
    """

    def __init__(
        self, wiki: str, title: str, message: str, saved: tuple[tuple[int, str], ...]
    ) -> None:
        super().__init__(wiki, message, _("nothing was lost; the page is read and merged again"))
        self.title = title
        self.saved = saved


class PersonOverwrittenError(EditError):
    """wikisync's save replaced an edit made with the same account, and the person's text
    could not be put back: a person must restore the revision named in the message."""


class NotWritableError(WikiError):
    """Checked before the first write of a run: a wiki cannot be written (login refused,
    account blocked or without the right, page protected); nothing was written anywhere."""

    def __init__(self, wiki: str, message: str, hint: str | None = None) -> None:
        super().__init__(wiki, message, hint)
        self.message = message  # the message names every wiki itself


class PageMissingError(WikiError):
    """A page the tool needs does not exist."""


class ListStopped(WikiError):
    """A list page holds something wikisync cannot read or write safely (an unclosed line, an
    entry that would be removed although it still stands on its page): that list is not synced
    this run, nothing is written, and a person must look at the line named."""


class SectionMissingError(WikiError):
    """A page exists but lacks the section the config names."""


class LockedError(WikisyncError):
    """Another wikisync process holds the state lock."""

    exit_code = EXIT_FAILED
