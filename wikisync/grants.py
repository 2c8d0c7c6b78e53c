"""Least privilege for bot passwords: the grants wikisync needs, and the rights beyond them that
can harm a wiki if the password leaks (pure data and logic, no I/O).

Glossary:

- **grant**: a box ticked in Special:BotPasswords (``protect``: "Protect and unprotect pages");
  each gives a set of rights, and a bot password holds only the rights of its ticked grants
  that its account's groups also hold.
- **extra right**: a right the bot password holds that wikisync never uses and that lets a
  leaked password do harm (``protect``, ``delete``, ``block``, ``editinterface``...).

The table below is MediaWiki core's ``$wgGrantPermissions`` (1.39), restricted to the grants
whose rights matter here; the labels are those of Special:BotPasswords in English.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The grants to tick, in Special:BotPasswords' order: what ``sync``, ``set``, ``new`` and
#: ``import`` need (read, write API, bot flag, 500 titles a request, edit and create pages).
NEEDED_GRANTS: tuple[str, ...] = ("basic", "highvolume", "editpage", "createeditmovepage")

#: grant -> (label in Special:BotPasswords, the rights it gives that :data:`HARM` names).
GRANTS: dict[str, tuple[str, frozenset[str]]] = {
    "basic": ("Basic rights", frozenset()),
    "highvolume": ("High-volume editing", frozenset()),
    "editpage": ("Edit existing pages", frozenset()),
    "createeditmovepage": ("Create, edit, and move pages", frozenset()),
    "editprotected": ("Edit protected pages", frozenset({"editprotected"})),
    "protect": ("Protect and unprotect pages", frozenset({"editprotected", "protect"})),
    "delete": ("Delete pages, revisions, and log entries", frozenset(
        {"delete", "bigdelete", "deletelogentry", "deleterevision", "undelete",
         "browsearchive", "deletedhistory", "deletedtext"})),
    "viewdeleted": ("View deleted files and pages", frozenset(
        {"browsearchive", "deletedhistory", "deletedtext"})),
    "blockusers": ("Block and unblock users", frozenset({"block", "blockemail"})),
    "editinterface": ("Edit the MediaWiki namespace and sitewide/user JSON", frozenset(
        {"editinterface", "edituserjson", "editsitejson"})),
    "editsiteconfig": ("Edit sitewide and user CSS/JS", frozenset(
        {"editinterface", "edituserjson", "editsitejson", "editusercss", "edituserjs",
         "editsitecss", "editsitejs"})),
    "import": ("Import revisions", frozenset({"import", "importupload"})),
    "rollback": ("Rollback changes to pages", frozenset({"rollback"})),
    "oversight": ("Hide users and suppress revisions", frozenset(
        {"suppressrevision", "viewsuppressed"})),
    "viewrestrictedlogs": ("View restricted log entries", frozenset({"suppressionlog"})),
    "mergehistory": ("Merge page histories", frozenset({"mergehistory"})),
    "createaccount": ("Create accounts", frozenset({"createaccount"})),
    "uploadfile": ("Upload new files", frozenset({"upload", "reupload-own"})),
    "uploadeditmovefile": ("Upload, replace, and move files", frozenset(
        {"upload", "reupload-own", "reupload", "reupload-shared", "upload_by_url",
         "movefile"})),
    "sendemail": ("Send email to other users", frozenset({"sendemail"})),
}

#: Every right that can harm a wiki in the hands of whoever holds a leaked password, with what
#: it lets them do. Rights that no core grant gives (``userrights``, ``hideuser``) are listed
#: too: an extension's grant may give them.
HARM: dict[str, str] = {
    "editprotected": "edit protected pages",
    "protect": "protect and unprotect pages",
    "delete": "delete pages",
    "bigdelete": "delete pages with long histories",
    "deletelogentry": "hide log entries",
    "deleterevision": "hide revisions",
    "undelete": "restore deleted pages",
    "browsearchive": "read deleted pages",
    "deletedhistory": "read the history of deleted pages",
    "deletedtext": "read the text of deleted revisions",
    "block": "block users",
    "blockemail": "stop users from sending email",
    "editinterface": "edit the interface (MediaWiki: pages)",
    "editsitejson": "edit the site's JSON",
    "edituserjson": "edit other users' JSON",
    "editsitecss": "edit the site's CSS",
    "editsitejs": "edit the site's JavaScript (run code in every reader's browser)",
    "editusercss": "edit other users' CSS",
    "edituserjs": "edit other users' JavaScript",
    "import": "import pages with their history",
    "importupload": "import pages from an uploaded file",
    "rollback": "revert a user's edits in bulk",
    "suppressrevision": "hide revisions from administrators too",
    "viewsuppressed": "read suppressed revisions",
    "suppressionlog": "read the suppression log",
    "hideuser": "hide user names",
    "mergehistory": "merge page histories",
    "createaccount": "create accounts",
    "userrights": "change users' groups",
    "upload": "upload files",
    "reupload": "overwrite existing files",
    "reupload-shared": "overwrite shared files locally",
    "upload_by_url": "upload files from a URL",
    "movefile": "rename files",
    "sendemail": "send email to users",
}


@dataclass(frozen=True)
class ExtraRight:
    """A right held beyond what wikisync needs, what it lets a holder do, and the grants of
    Special:BotPasswords that give it (empty when no core grant does)."""

    right: str
    harm: str
    grants: tuple[str, ...]

    @property
    def message(self) -> str:
        """The warning ``check`` prints for it."""
        what = f"the bot password holds {self.right!r} ({self.harm}), which wikisync never uses"
        if self.grants:
            boxes = " and ".join(label(g) for g in self.grants)
            return f"{what}: untick {boxes} in Special:BotPasswords"
        return (f"{what}: no core grant gives it (an extension's grant does); tick only "
                f"{needed_labels()} in Special:BotPasswords")


def label(grant: str) -> str:
    """``"Protect and unprotect pages" (protect)``: a grant as Special:BotPasswords shows it."""
    name = GRANTS[grant][0] if grant in GRANTS else grant
    return f'"{name}" ({grant})'


def needed_labels() -> str:
    """The grants to tick, as a reader finds them on Special:BotPasswords."""
    return ", ".join(label(g) for g in NEEDED_GRANTS)


def extra_rights(rights: list[str] | tuple[str, ...] | set[str]) -> list[ExtraRight]:
    """The harmful rights among ``rights`` (a bot password's effective rights), each with the
    grants to untick, in the order of :data:`HARM`. A right that a needed grant gives is never
    reported: unticking that grant would stop wikisync."""
    held = set(rights)
    needed = set().union(*(GRANTS[g][1] for g in NEEDED_GRANTS))
    found = []
    for right, harm in HARM.items():
        if right in held and right not in needed:
            grants = tuple(g for g, (_, gives) in GRANTS.items()
                           if right in gives and g not in NEEDED_GRANTS)
            found.append(ExtraRight(right, harm, grants))
    return found


def grants_to_untick(extras: list[ExtraRight]) -> list[str]:
    """Every grant named by ``extras``, once, in :data:`GRANTS` order."""
    named = {g for extra in extras for g in extra.grants}
    return [g for g in GRANTS if g in named]
