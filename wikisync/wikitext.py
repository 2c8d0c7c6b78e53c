"""The one door to wikitext: read and surgically edit structured pages and list sections.

This is the only module of wikisync that imports :mod:`mwparserfromhell`. Everything it returns
is plain Python (``str``, ``dict``, the dataclasses below and those of :mod:`wikisync.model`).

Structured pages
    A page holds one call of the record's template at the top, free wikitext below.
    :func:`find_template` locates the call, :func:`read_fields` reads its named parameters and
    :func:`set_fields` changes some of them, leaving every other byte of the page as it was. Each
    edit is proved by re-parsing the result before it is returned.

Values
    A *value* is what a parameter holds once MediaWiki has stripped it and once the escapes below
    are undone. :func:`escape_value` turns a value into source text that cannot break or shift
    the call; :func:`unescape_value` undoes exactly those escapes, so that
    ``read_fields(set_fields(page, names, {p: v}))[p] == normalize_value(v)`` for every string.
    The escapes (applied only outside balanced constructs such as ``[[a|b]]``, ``{{X|y}}``,
    ``<ref>..</ref>``, ``<!-- -->``):

    ======================================  =========================================
    in the value                            written as
    ======================================  =========================================
    ``|``                                   ``{{!}}``
    ``=`` (positional parameters only)      ``{{=}}``
    a run of ``{`` / ``}``                  ``<nowiki>{{</nowiki>``, ...
    a run of 2+ ``[`` or 2+ ``]``           ``<nowiki>[[</nowiki>``, ...
    a run of 3+ ``~`` (signatures)          ``<nowiki>~~~~</nowiki>``
    ``<`` opening a comment/extension tag   ``<nowiki><</nowiki>``
    that is not closed
    a literal ``{{!}}``, ``{{=}}`` or       its braces / its ``<`` escaped as above,
    ``<nowiki>{{</nowiki>``-like escape     so that reading gives it back unchanged
    ======================================  =========================================

    :func:`normalize_value` is the normalisation a value goes through: Unicode NFC (MediaWiki
    stores NFC), CR LF and CR become LF (MediaWiki does the same on save), and the characters
    MediaWiki strips around a named parameter (space, tab, LF, CR, NUL, VT) are stripped. Newlines
    inside a value are kept as they are.

Lists
    :func:`read_list` returns the bullet entries of a named section as
    :class:`wikisync.model.RawEntry` objects; :func:`edit_list` removes, replaces and appends
    entries without touching any other byte; :func:`format_entry` builds an entry line.

Page templates
    :func:`find_placeholders` finds the ``{{{field}}}`` / ``{{{field|default}}}`` arguments of a
    page template and says whether each lands inside a template call, a link or free text;
    :mod:`wikisync.render` does the substitution.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import replace as _dc_replace
from typing import Literal

import mwparserfromhell
from mwparserfromhell.definitions import PARSER_BLACKLIST
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.smart_list import SmartList
from mwparserfromhell.wikicode import Wikicode

from wikisync.errors import EXIT_FAILED, InputError, WikitextError
from wikisync.i18n import _
from wikisync.lists import is_article_link, split_plain_entry
from wikisync.model import Link, RawEntry
from wikisync.titles import heading_key, param_key, template_key

log = logging.getLogger(__name__)

__all__ = [
    "ListSection",
    "Param",
    "Placeholder",
    "SectionNotFound",
    "TemplateCall",
    "check_storable",
    "edit_list",
    "escape_free_text",
    "escape_value",
    "find_placeholders",
    "find_template",
    "format_entry",
    "normalize_template_name",
    "normalize_value",
    "parse",
    "read_fields",
    "read_entry",
    "read_list",
    "set_fields",
    "unescape_value",
]


class SectionNotFound(WikitextError):
    """The page has no section with the title the config names.

    A missing section is exit 1 in the contract ("a missing page or section is exit 1, not an
    empty list"), hence the exit code, although it is a :class:`WikitextError`.
    """

    exit_code = EXIT_FAILED


def parse(text: str) -> Wikicode:
    """Parse wikitext (``str(parse(text)) == text`` always holds).

    ``''``/``'''`` stay plain text, as they do for MediaWiki's preprocessor (which splits a
    call's parameters): mwparserfromhell's style tags would let ``''`` swallow a ``|``.
    """
    return mwparserfromhell.parse(text, skip_style_tags=True)


# --------------------------------------------------------------------------------------------
# Names and values
# --------------------------------------------------------------------------------------------

#: What MediaWiki strips around named parameters (PHP's trim()).
MW_WHITESPACE = " \t\n\r\0\x0b"

_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


def normalize_value(value: str) -> str:
    """The value as it will read back: NFC, LF newlines, stripped like MediaWiki strips."""
    value = unicodedata.normalize("NFC", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip(MW_WHITESPACE)


_UNSTORABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_storable(value: str, what: str = "the value") -> None:
    """Refuse control characters (other than tab and newlines): a wiki cannot store them."""
    bad = sorted({f"U+{ord(c):04X}" for c in _UNSTORABLE_RE.findall(value)})
    if bad:
        raise InputError(
            _("%(what)s holds control character(s) %(bad)s that a wiki page cannot hold") % {
                "what": what, "bad": ', '.join(bad)},
            hint=_("remove them from the value and run again"),
        )


#: Compare-form of a template name (:func:`wikisync.titles.template_key`).
normalize_template_name = template_key


def _stripped_name(name: str) -> str:
    """A parameter name as written, stripped as MediaWiki strips it (compare by param_key)."""
    return unicodedata.normalize("NFC", name.strip(MW_WHITESPACE))


# --------------------------------------------------------------------------------------------
# Balanced constructs: the tokeniser shared by escaping and unescaping
# --------------------------------------------------------------------------------------------

#: Tags whose content MediaWiki's preprocessor does not look into (core + common extensions).
EXTENSION_TAGS = frozenset({
    "nowiki", "pre", "ref", "references", "gallery", "math", "chem", "ce", "source",
    "syntaxhighlight", "poem", "templatedata", "indicator", "inputbox", "categorytree",
    "imagemap", "timeline", "score", "graph", "hiero", "section", "charinsert", "includeonly",
    "noinclude", "onlyinclude", "display_map", "display_point", "display_points",
})
_EXT_NAMES = "|".join(sorted(EXTENSION_TAGS, key=len, reverse=True))
_EXT_OPEN_RE = re.compile(rf"<({_EXT_NAMES})(?=[\s/>])[^<>]*?(/?)>", re.IGNORECASE)
_ESCAPE_NOWIKI_RE = re.compile(r"<nowiki>([{}\[\]<~]+)</nowiki>")
_MAGIC_ESCAPES = {"{{!}}": "|", "{{=}}": "="}

_STRAY_COMMON = r"[{}]+|\[{2,}|\]{2,}|~{3,}|<(?=!--|/?(?:" + _EXT_NAMES + r")(?:[\s/>]|$))"
_STRAY_IN_CALL_RE = re.compile(_STRAY_COMMON + r"|\|", re.IGNORECASE)
_STRAY_IN_POSITIONAL_RE = re.compile(_STRAY_COMMON + r"|\||=", re.IGNORECASE)
_STRAY_IN_TEXT_RE = re.compile(_STRAY_COMMON, re.IGNORECASE)
_INNER_STRAY_RE = re.compile(
    r"\{\{|\}\}|\[\[|\]\]|<(?=!--|/?(?:" + _EXT_NAMES + r")(?:[\s/>]|$))", re.IGNORECASE
)
_HEADING_LINE_RE = re.compile(r"^(=+)(?=.*=[ \t]*$)", re.MULTILINE)


def _ext_tag_end(s: str, i: int) -> int | None:
    """End of the extension tag (``<ref>..</ref>``, ``<ref/>``) opening at ``i``, if closed."""
    m = _EXT_OPEN_RE.match(s, i)
    if not m:
        return None
    if m.group(2):
        return m.end()
    close = re.compile(rf"</{re.escape(m.group(1))}\s*>", re.IGNORECASE).search(s, m.end())
    return close.end() if close else None


def _run(s: str, i: int) -> int:
    """Length of the run of the character at ``i``."""
    j = i
    while j < len(s) and s[j] == s[i]:
        j += 1
    return j - i


def _close_run(stack: list[list], c: str, k: int) -> int:
    """Consume a run of ``k`` closing ``c`` against the stack; return how many were used."""
    opener = "{" if c == "}" else "["
    used = 0
    while k - used >= 2 and stack and stack[-1][0] == opener:
        top = stack[-1]
        avail = min(top[1], k - used)
        if avail < 2:
            break
        take = 3 if (avail >= 3 and c == "}") else 2
        top[1] -= take
        used += take
        if top[1] < 2:
            stack.pop()
        if not stack:
            break
    return used


def _skip_opaque(s: str, j: int) -> int | None:
    """Past a comment or extension tag at ``j``; ``j`` itself if none; None if it never ends."""
    if s.startswith("<!--", j):
        k = s.find("-->", j + 4)
        return None if k < 0 else k + 3
    end = _ext_tag_end(s, j)
    return j + 1 if end is None else end


def _bracket_end(s: str, i: int) -> int | None:
    """Where the ``{{``/``[[`` construct opening at ``i`` closes, as MediaWiki's preprocessor
    pairs brackets (``}}`` cannot close a ``[[`` and the reverse); None if it never closes."""
    stack: list[list] = []
    j = i
    while j < len(s):
        c = s[j]
        if c == "<":
            nxt = _skip_opaque(s, j)
            if nxt is None:
                return None
            j = nxt
        elif c in "{[":
            k = _run(s, j)
            if k >= 2:
                stack.append([c, k if c == "{" else 2])
            j += k
        elif c in "}]" and stack:
            k = _run(s, j)
            used = _close_run(stack, c, k)
            if not stack:
                return j + used
            j += k
        else:
            j += 1
        if not stack:
            return None
    return None


def _has_stray(inner: str) -> bool:
    """True when ``inner`` holds an unbalanced ``{{ }} [[ ]]`` or unclosed comment/ext tag."""
    return any(not is_construct and _INNER_STRAY_RE.search(seg)
               for is_construct, seg in _segments(inner))


def _valid_construct(span: str) -> bool:
    """mwparserfromhell sees ``span`` as one balanced node, with nothing stray inside."""
    nodes = parse(span).nodes
    if len(nodes) != 1 or str(nodes[0]) != span:
        return False
    node = nodes[0]
    if isinstance(node, Comment):
        return True
    if isinstance(node, Tag):
        name = str(node.tag).lower()
        if node.wiki_markup is not None or name not in EXTENSION_TAGS:
            return False
        # mwparserfromhell parses inside <ref>-like tags (not inside <nowiki>, <pre>...).
        return name in PARSER_BLACKLIST or node.contents is None or not _has_stray(
            str(node.contents))
    if isinstance(node, Argument):
        return not _has_stray(span[3:-3])
    if isinstance(node, (Template, Wikilink)):
        return not _has_stray(span[2:-2])
    return False


def _construct_end(s: str, i: int) -> int | None:
    """End of the balanced construct starting at ``i`` (template, argument, link, comment,
    extension tag) if both MediaWiki's bracket pairing and mwparserfromhell agree on it."""
    if s.startswith("<!--", i):
        end = _skip_opaque(s, i)
    elif s[i] == "<":
        end = _ext_tag_end(s, i)
    elif s.startswith("{{", i) or s.startswith("[[", i):
        end = _bracket_end(s, i)
    else:
        return None
    if end is None or not _valid_construct(s[i:end]):
        return None
    return end


def _segments(s: str) -> list[tuple[bool, str]]:
    """Split ``s`` into balanced constructs (True) and the text between them (False)."""
    out: list[tuple[bool, str]] = []
    i = start = 0
    while i < len(s):
        if s.startswith(("{{", "[[", "<"), i):
            end = _construct_end(s, i)
            if end is not None:
                if start < i:
                    out.append((False, s[start:i]))
                out.append((True, s[i:end]))
                i = start = end
                continue
        i += 1
    if start < len(s):
        out.append((False, s[start:]))
    return out


def _is_escape(construct: str) -> bool:
    """A construct that reading would turn into something else (one of our escapes)."""
    return construct in _MAGIC_ESCAPES or bool(_ESCAPE_NOWIKI_RE.fullmatch(construct))


def _escape_stray(text: str, pattern: re.Pattern[str]) -> str:
    """Escape every stray token of ``text`` that ``pattern`` matches."""

    def repl(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok == "|":
            return "{{!}}"
        if tok == "=":
            return "{{=}}"
        return f"<nowiki>{tok}</nowiki>"

    return pattern.sub(repl, text)


def _escape(value: str, pattern: re.Pattern[str], keep_escapes: bool) -> str:
    """Escape the text between the constructs of ``value``."""
    out: list[str] = []
    pending: list[str] = []
    for is_construct, seg in _segments(value):
        if is_construct and (keep_escapes or not _is_escape(seg)):
            out.append(_escape_before(seg, "".join(pending), pattern))
            pending = []
            out.append(seg)
        else:
            pending.append(seg)
    out.append(_escape_stray("".join(pending), pattern))
    return "".join(out)


def _escape_before(construct: str, text: str, pattern: re.Pattern[str]) -> str:
    """Escape ``text`` that precedes ``construct``; a ``[`` glued to a ``[[`` link is escaped
    too (mwparserfromhell splits ``[[[a|b]]`` in a template call)."""
    tail = re.search(r"\[+\Z", text) if construct.startswith("[") else None
    if tail is None:
        return _escape_stray(text, pattern)
    return _escape_stray(text[: tail.start()], pattern) + f"<nowiki>{tail.group(0)}</nowiki>"


def escape_value(value: str, *, positional: bool = False) -> str:
    """Source text for ``value`` inside a template call; it can never break or shift the call.

    Balanced constructs are kept; ``|`` becomes ``{{!}}``; ``=`` becomes ``{{=}}`` only for a
    positional parameter (in ``|name=value`` every ``=`` after the first is plain text);
    unbalanced ``{{ }} [[ ]]``, signature tildes and unclosed comments/extension tags are wrapped
    in ``<nowiki>``. The value is not stripped: see :func:`normalize_value`.
    """
    return _escape(value, _STRAY_IN_POSITIONAL_RE if positional else _STRAY_IN_CALL_RE, False)


def unescape_value(raw: str) -> str:
    """Undo exactly the escapes of :func:`escape_value` (outside balanced constructs)."""
    out: list[str] = []
    for is_construct, seg in _segments(raw):
        if is_construct and seg in _MAGIC_ESCAPES:
            out.append(_MAGIC_ESCAPES[seg])
        elif is_construct and (m := _ESCAPE_NOWIKI_RE.fullmatch(seg)):
            out.append(m.group(1))
        else:
            out.append(seg)
    return "".join(out)


def escape_free_text(value: str) -> str:
    """Source text for ``value`` in free wikitext: it cannot open a template, link, comment,
    extension tag or heading it did not close itself. ``|`` and ``=`` are left alone."""
    escaped = _escape(value, _STRAY_IN_TEXT_RE, True)
    return _HEADING_LINE_RE.sub(lambda m: f"<nowiki>{m.group(1)}</nowiki>", escaped)


# --------------------------------------------------------------------------------------------
# The record's template call
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of a call. Offsets are into the page text."""

    name: str  # stripped ("1", "2"... for positional parameters)
    value: str  # stripped and unescaped
    raw_name: str  # as written, "" for positional parameters
    raw_value: str  # as written
    showkey: bool  # False for positional parameters
    start: int  # offset of the "|"
    value_start: int
    end: int  # end of the raw value


@dataclass(frozen=True)
class TemplateCall:
    """The record's template call as found on a page. Offsets are into the page text."""

    name: str  # as written, stripped
    start: int
    end: int
    name_end: int  # offset just after the raw name
    text: str  # the call's exact source
    params: tuple[Param, ...]

    @property
    def fields(self) -> dict[str, str]:
        """Parameter name -> value; a name given twice reads as its last value, as in MediaWiki."""
        return {p.name: p.value for p in self.params}


_CALL_OPEN_RE = re.compile(r"\{\{([^{}|\n]*)")


def _names_set(names: Iterable[str] | str) -> set[str]:
    if isinstance(names, str):
        names = [names]
    out = {normalize_template_name(n) for n in names}
    if not out:
        raise WikitextError(_("no template name given to look for"))
    return out


_SPANS = "_wikisync_spans"  # where a parse tree keeps its top-level offsets (_top_level)


def _top_level(code: Wikicode) -> list[tuple[Node, int, int]]:
    """Top-level nodes with their start and end offsets.

    Worked out once per tree and kept on it: a list read walks its section's nodes four
    times, and each walk spelt every node out again (``str(node)`` is recursive). wikisync
    never changes a parse tree (every edit splices the text), so the offsets stay true.
    """
    return _layout(code)[0]


def _text_of(code: Wikicode) -> str:
    """``str(code)``, spelt out once (see :func:`_top_level`)."""
    return _layout(code)[1]


def _layout(code: Wikicode) -> tuple[list[tuple[Node, int, int]], str]:
    """:func:`_top_level` and :func:`_text_of` of ``code``, worked out on the first call."""
    cached = code.__dict__.get(_SPANS)
    if cached is None:
        spans, parts = [], []
        pos = 0
        for node in code.nodes:
            part = str(node)
            parts.append(part)
            spans.append((node, pos, pos + len(part)))
            pos += len(part)
        cached = code.__dict__[_SPANS] = (spans, "".join(parts))
    return cached


def _sub_code(text: str, code: Wikicode, start: int, end: int) -> Wikicode:
    """The parse of ``text[start:end]``, where ``code`` is the parse of ``text``: its nodes
    between those offsets, without parsing again, when no node but plain text crosses
    either offset (a text node that does is cut there, as the parser would have cut it);
    else the slice parsed on its own. ``tests/test_wikitext.py`` holds the two readings
    equal on every page shape the tests know."""
    nodes: list[Node] = []
    for node, nstart, nend in _top_level(code):
        if nend <= start or nstart >= end:
            continue
        if start <= nstart and nend <= end:
            nodes.append(node)
        elif isinstance(node, Text):
            cut = text[max(start, nstart):min(end, nend)]
            if cut:
                nodes.append(Text(cut))
        else:
            return parse(text[start:end])
    return Wikicode(SmartList(nodes))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _params_of(node: Template, start: int) -> tuple[Param, ...]:
    """The parameters of ``node`` with their offsets (the call starts at ``start``)."""
    params: list[Param] = []
    pos = start + 2 + len(str(node.name))
    for p in node.params:
        pstart = pos
        pos += 1
        raw_name = str(p.name) if p.showkey else ""
        if p.showkey:
            pos += len(raw_name) + 1
        raw_value = str(p.value)
        value_start = pos
        pos += len(raw_value)
        params.append(
            Param(
                name=_stripped_name(str(p.name)),
                value=unescape_value(raw_value.strip(MW_WHITESPACE)),
                raw_name=raw_name,
                raw_value=raw_value,
                showkey=bool(p.showkey),
                start=pstart,
                value_start=value_start,
                end=pos,
            )
        )
    if pos + 2 != start + len(str(node)):
        raise WikitextError(_("internal: could not locate the parameters of the template call"))
    return tuple(params)


def _check_line_start(text: str, label: str, start: int) -> None:
    """The record's call is a block: it starts a line (after banners, text, comments...)."""
    line_start = text.rfind("\n", 0, start) + 1
    before = _COMMENT_RE.sub("", text[line_start:start])
    if not before.strip():
        return
    found = before.strip()[-40:]
    what = "an unbalanced '' or '''" if "''" in found else repr(found)
    raise WikitextError(
        _("the %(label)s call does not start a line: found %(what)s before it on line "
          "%(line_of)s") % {"label": label, "what": what, "line_of": _line_of(text, start)},
        hint=_("put the call on a line of its own, in the lead section (before the first "
               "heading), then run again"),
    )


def _diagnose_missing(text: str, code: Wikicode, wanted: set[str], label: str) -> WikitextError:
    """The error for a page where no top-level call of the template was parsed."""
    nested = [t for t in code.filter_templates(recursive=True) if _matches(t, wanted)]
    if nested:
        return WikitextError(
            _("the %(label)s call is inside other markup ('' or ''' formatting, a tag, a "
              "link or another template), not at the top level of the page") % {"label": label},
            hint=_("edit the page so that the call stands alone at the top, then run again"),
        )
    for m in _CALL_OPEN_RE.finditer(text):
        if normalize_template_name(m.group(1)) in wanted:
            return WikitextError(
                _("'{{%(start)s' at line %(line)s does not parse as one template call") % {
                    "start": m.group(1).strip(), "line": _line_of(text, m.start())},
                hint=_("check that its '{{' and '}}' are balanced (a value with a stray "
                       "'}}', '[[' or '{{' breaks it) and fix the page by hand, then run "
                       "again"),
            )
    return WikitextError(
        _("the page has no %(label)s call") % {"label": label},
        hint=_("add the template at the top of the page, or check the mapping's template "
               "name and aliases"),
    )


def _matches(node: Template, wanted: set[str]) -> bool:
    return normalize_template_name(str(node.name)) in wanted


def find_template(text: str, names: Iterable[str] | str) -> TemplateCall:
    """The record's template call: the one call named one of ``names`` at the top level of the
    lead section (before the first heading), wherever it stands there: after banners and
    maintenance templates (``{{Ebauche}}``), comments, magic words or text.

    Refuses (:class:`WikitextError`) when the lead section has no such call (one below the
    first heading is named), has two or more (their lines are named), when the call does not
    start a line, sits inside other markup (a tag, a link, another template), or does not parse
    as one call.
    """
    wanted = _names_set(names)
    label = "{{" + " / ".join(sorted(wanted)) + "}}"
    code = parse(text)
    nodes = list(_top_level(code))
    lead = next((i for i, (n, _s, _e) in enumerate(nodes) if isinstance(n, Heading)),
                len(nodes))
    calls = [(i, n, s, e) for i, (n, s, e) in enumerate(nodes) if isinstance(n, Template)
             and _matches(n, wanted)]
    hits = [hit for hit in calls if hit[0] < lead]
    if not hits and calls:
        raise WikitextError(
            _("the %(label)s call is below the first heading (line %(line_of)s), not in the "
              "lead section") % {"label": label, "line_of": _line_of(text, calls[0][2])},
            hint=_("move the call above the page's first heading, then run again"),
        )
    if not hits:
        raise _diagnose_missing(text, code, wanted, label)
    if len(hits) > 1:
        lines = ", ".join(str(_line_of(text, s)) for _i, _n, s, _e in hits)
        raise WikitextError(
            _("the %(label)s call appears %(count)s times on the page (lines %(lines)s)") % {
                "label": label, "count": len(hits), "lines": lines},
            hint=_("keep one call and merge the others into it by hand, then run again"),
        )
    _index, node, start, end = hits[0]
    _check_line_start(text, label, start)
    return TemplateCall(
        name=str(node.name).strip(),
        start=start,
        end=end,
        name_end=start + 2 + len(str(node.name)),
        text=text[start:end],
        params=_params_of(node, start),
    )


#: What the call's source may not hold for :func:`_plain_call` to read it without the parser:
#: the characters that open or close a nested construct (template, argument, link, tag,
#: comment, extension tag, escape), and control characters but tab and LF (the parser refuses
#: a call holding NUL, for one).
_NOT_PLAIN_RE = re.compile(r"[{}\[\]<>\x00-\x08\x0b-\x1f\x7f]")


#: One parameter of a plain call: (name, its key as written, its raw value, key shown).
_PlainParam = tuple[str, str, str, bool]


def _plain_split(text: str, wanted: set[str]
                 ) -> tuple[str, list[_PlainParam], int] | None:
    """The call's raw name, its parameters and where its ``}}`` starts, when the page has the
    shape :func:`_plain_call` reads; else None. The one place that says what that shape is."""
    if not text.startswith("{{"):
        return None
    close = text.find("}}", 2)
    if close < 0 or text.startswith("}", close + 2):
        return None
    inner = text[2:close]
    if _NOT_PLAIN_RE.search(inner) or "\n=" in inner or text.find("{{", close + 2) >= 0:
        return None  # a "=" starting a line may open a heading, which the parser tries first
    raw_name, *pieces = inner.split("|")
    name = raw_name.strip()
    if not name or "\n" in name or normalize_template_name(raw_name) not in wanted:
        return None
    params: list[_PlainParam] = []
    positional = 0
    for piece in pieces:
        key, eq, raw_value = piece.partition("=")
        if eq:
            stripped = key.strip(MW_WHITESPACE)
            if not stripped or "\n" in stripped:
                return None
            params.append((unicodedata.normalize("NFC", stripped), key, raw_value, True))
        else:
            positional += 1
            params.append((str(positional), "", piece, False))
    return raw_name, params, close


def _plain_fields(text: str, wanted: set[str]) -> dict[str, str] | None:
    """``_plain_call(text, wanted).fields`` without building the call (a record read only
    wants its fields); None when :func:`_plain_call` would be None."""
    split = _plain_split(text, wanted)
    if split is None:
        return None
    return {name: raw_value.strip(MW_WHITESPACE) for name, _key, raw_value, _shown in split[1]}


def _plain_call(text: str, wanted: set[str]) -> TemplateCall | None:
    """The record's call read without the parser, or None when this reading is not sure.

    Sure only for the commonest page shape: the page starts with the call, the call holds no
    nested construct (no ``{ } [ ] < >`` between its ``{{`` and its first ``}}``, no control
    character but tab and LF, no line starting with ``=``), its name and every parameter name
    are one line, and the rest of the page holds no ``{{`` (so no other call can be in the
    lead section). Then the call's
    text splits at ``|`` and each parameter at its first ``=``, exactly as the parser splits
    it, and no escape can be in a value (each one needs ``{`` or ``<``). Anything else: None,
    and :func:`find_template` parses the page. The property tests in ``tests/test_wikitext.py``
    hold this to :func:`find_template`.
    """
    split = _plain_split(text, wanted)
    if split is None:
        return None
    raw_name, plain, close = split
    params: list[Param] = []
    pos = 2 + len(raw_name)
    for name, raw_key, raw_value, shown in plain:
        value_start = pos + 1 + (len(raw_key) + 1 if shown else 0)
        end = value_start + len(raw_value)
        params.append(Param(name=name, value=raw_value.strip(MW_WHITESPACE), raw_name=raw_key,
                            raw_value=raw_value, showkey=shown, start=pos,
                            value_start=value_start, end=end))
        pos = end
    return TemplateCall(name=raw_name.strip(), start=0, end=close + 2,
                        name_end=2 + len(raw_name), text=text[:close + 2], params=tuple(params))


def read_fields(text: str, names: Iterable[str] | str) -> dict[str, str]:
    """Parameter name -> value of the record's call (names and values stripped, escapes undone).

    A parameter given twice reads as its last value, as MediaWiki does. Reading only: a page
    of the commonest shape is read by :func:`_plain_call` without the parser (the same result,
    about twice as fast over a whole category); an edit always goes through
    :func:`find_template`.
    """
    fields = _plain_fields(text, _names_set(names))
    return fields if fields is not None else find_template(text, names).fields


# --------------------------------------------------------------------------------------------
# Editing fields
# --------------------------------------------------------------------------------------------

_BAD_PARAM_NAME_RE = re.compile(r"[|={}\[\]<>\n]")


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    new: str


def _split_ws(raw: str, style_lead: str = "") -> tuple[str, str]:
    """Leading and trailing whitespace of a raw value. For an empty value, the lead is the
    value lead its neighbours use (``style_lead``) when it has it, the rest trails."""
    core = raw.strip(MW_WHITESPACE)
    if core:
        lead = raw[: len(raw) - len(raw.lstrip(MW_WHITESPACE))]
        return lead, raw[len(raw.rstrip(MW_WHITESPACE)):]
    lead = style_lead if style_lead and raw.startswith(style_lead) else ""
    return lead, raw[len(lead):]


def _trail(param: Param) -> str:
    return _split_ws(param.raw_value)[1]


def _check_param_name(name: str) -> str:
    key = _stripped_name(name)
    if not key or _BAD_PARAM_NAME_RE.search(key):
        raise WikitextError(
            _("%(name)r cannot be a template parameter name") % {"name": name},
            hint=_("check the parameter names in the mapping"),
        )
    return key


@dataclass(frozen=True)
class _Style:
    """How a call writes its parameters, read from the parameters it has."""

    pipe_indent: str  # before "|" on a line of its own
    name_lead: str
    name_trail: str
    value_lead: str  # between "=" and a non-empty value


def _style_near(call: TemplateCall, index: int) -> _Style:
    """The style of the named parameter nearest to ``call.params[index]`` (previous first)."""
    params = call.params
    order = list(range(index, -1, -1)) + list(range(index + 1, len(params)))
    named = [params[i] for i in order if 0 <= i < len(params) and params[i].showkey]
    ref = next((p for p in named if p.value.strip()), named[0] if named else None)
    indents = [_trail(p).rpartition("\n")[2] for p in params[:-1] if "\n" in _trail(p)]
    raw_name = call.text[2: call.name_end - call.start]
    if "\n" in raw_name:
        indents.insert(0, raw_name.rpartition("\n")[2])
    indent = indents[min(index, len(indents) - 1)] if indents else ""
    if ref is None:
        return _Style(indent, "", "", "")
    return _Style(
        pipe_indent=indent if not indent.strip() else "",
        name_lead=ref.raw_name[: len(ref.raw_name) - len(ref.raw_name.lstrip())],
        name_trail=ref.raw_name[len(ref.raw_name.rstrip()):],
        value_lead=_split_ws(ref.raw_value)[0],
    )


def _addition(call: TemplateCall, additions: list[tuple[str, str]]) -> _Edit:
    """Insert new parameters. On a multi-line call they go on lines of their own after the
    last parameter that ends its line (a third-party ``|pageCo=.. }}`` appended on the closing
    line stays as it is); on an inline call, at the end. They copy their neighbours' spacing."""
    params = call.params
    enders = [i for i, p in enumerate(params) if "\n" in _trail(p)]
    raw_name = call.text[2: call.name_end - call.start]
    if enders or (not params and "\n" in raw_name):
        index = enders[-1] if enders else 0
        style = _style_near(call, index)
        if enders:
            anchor = params[index]
            trail = _trail(anchor)
            offset = anchor.end - len(trail) + trail.rfind("\n") + 1
            before_nl = trail[: trail.rfind("\n")]
        else:
            offset = call.name_end - len(raw_name) + raw_name.rfind("\n") + 1
            before_nl = ""
        new = "".join(f"{style.pipe_indent}|{style.name_lead}{k}{style.name_trail}="
                      f"{style.value_lead}{raw}{before_nl}\n" for k, raw in additions)
        return _Edit(offset, offset, new)
    style = _style_near(call, len(params) - 1)
    offset = params[-1].end if params else call.name_end
    trail = _trail(params[-1]) if params else raw_name[len(raw_name.rstrip()):]
    new = "".join(f"|{style.name_lead}{k}{style.name_trail}={style.value_lead}{raw}{trail}"
                  for k, raw in additions)
    return _Edit(offset, offset, new)


def _removal(text: str, param: Param) -> _Edit:
    """Remove a parameter; one alone on its line(s) is removed with its whole line."""
    line_start = text.rfind("\n", 0, param.start) + 1
    trail = _trail(param)
    if "\n" in trail and not text[line_start: param.start].strip():
        return _Edit(line_start, param.end - len(trail) + trail.rfind("\n") + 1, "")
    return _Edit(param.start, param.end, "")


def _plan_edits(text: str, call: TemplateCall,
                changes: Mapping[str, str | None]) -> list[_Edit]:
    """The text edits (page offsets) that apply ``changes`` to ``call``."""
    edits: list[_Edit] = []
    additions: list[tuple[str, str]] = []
    for name, value in changes.items():
        key = _check_param_name(name)
        found = [i for i, p in enumerate(call.params) if param_key(p.name) == param_key(key)]
        if len(found) > 1:
            raise WikitextError(
                _("parameter %(key)r appears %(count)s times in the call") % {
                    "key": key, "count": len(found)},
                hint=_("remove the extra occurrences by hand, then run again"),
            )
        param = call.params[found[0]] if found else None
        if value is None:
            if param is not None:
                edits.append(_removal(text, param))
            continue
        check_storable(value, f"the value for {key!r}")
        value = normalize_value(value)
        if param is None:
            additions.append((key, escape_value(value)))
        elif param.value != value:
            style = _style_near(call, found[0])
            lead, trail = _split_ws(param.raw_value, style.value_lead)
            raw = escape_value(value, positional=not param.showkey)
            edits.append(_Edit(param.value_start, param.end, lead + raw + trail))
    if additions:
        edits.append(_addition(call, additions))
    return edits


def _apply(text: str, edits: list[_Edit]) -> str:
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: e.start] + e.new + text[e.end:]
    return text


def _keyed(fields: Mapping[str, str]) -> dict[str, str]:
    """``fields`` by :func:`param_key` (the last of two spellings wins, as in reading)."""
    return {param_key(name): value for name, value in fields.items()}


def _expected_fields(call: TemplateCall, changes: Mapping[str, str | None]) -> dict[str, str]:
    expected = _keyed(call.fields)
    for name, value in changes.items():
        key = param_key(name)
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = normalize_value(value)
    return expected


def _untouched(call: TemplateCall, keys: set[str]) -> list[tuple[str, str]]:
    """The source of the parameters not in ``keys`` (up to the whitespace that ends them, which
    a parameter inserted after one of them legitimately takes over)."""
    return [(p.raw_name, p.raw_value.rstrip(MW_WHITESPACE)) for p in call.params
            if param_key(p.name) not in keys]


def _prove_edit(old: str, new: str, names: Iterable[str] | str, call: TemplateCall,
                changes: Mapping[str, str | None]) -> None:
    """Raise unless ``new`` reads back to exactly the intended fields, with the other
    parameters and everything outside the call unchanged."""
    try:
        after = find_template(new, names)
    except WikitextError as exc:
        raise _refused(call, _("the edited page no longer parses: %(error)s")
                       % {"error": exc}) from exc
    keys = {param_key(k) for k in changes}
    if after.start != call.start or new[: after.start] != old[: call.start]:
        raise _refused(call, _("the text before the call would change"))
    if new[after.end:] != old[call.end:]:
        raise _refused(call, _("the text after the call would change"))
    if _keyed(after.fields) != _expected_fields(call, changes):
        raise _refused(call, _("the call would not read back to the intended fields"))
    if _untouched(after, keys) != _untouched(call, keys):
        raise _refused(call, _("other parameters of the call would change"))


def _refused(call: TemplateCall, why: str) -> WikitextError:
    return WikitextError(
        _("refusing to edit the {{%(name)s}} call: %(why)s; nothing was written") % {
            "name": call.name, "why": why},
        hint=_("this is a wikisync bug: please report it with the page's text"),
    )


def set_fields(text: str, names: Iterable[str] | str, changes: Mapping[str, str | None]) -> str:
    """``text`` with the given parameters of the record's call changed (None removes one).

    Only those parameters change: every other byte stays identical. A changed value keeps the
    whitespace around it; a new parameter copies the spacing of its neighbours and goes after
    the last parameter that ends its line (else at the end of the call). Setting a parameter to
    the value it already has changes nothing. The result is re-parsed and proved before it is
    returned (:class:`WikitextError` otherwise).
    """
    call = find_template(text, names)
    new = _apply(text, _plan_edits(text, call, changes))
    _prove_edit(text, new, names, call, changes)
    return new


# --------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------

_BULLET_RE = re.compile(r"[*#:;]+")
#: HTML elements whose content is block wikitext: bullets inside them are the list's entries.
CONTAINER_TAGS = frozenset({"div", "center", "blockquote", "table", "tr", "td", "th"})
#: Inline elements a link may stand in (``<span style=..>[[X]]</span>``): looked into for keys.
INLINE_TAGS = frozenset({
    "span", "b", "i", "u", "s", "strong", "em", "small", "big", "font", "sup", "sub", "abbr",
    "mark", "strike", "del", "ins", "code", "tt",
})
#: A template parameter holding bullet lines makes the template a container (``{{colonnes|``).
_BULLET_LINE_RE = re.compile(r"(?:^|\n)[*#]")
#: What a line's plain text holds only when something it opens is not closed.
_UNCLOSED_RE = re.compile(
    r"\[\[|\]\]|\{\{|\}\}|<!--|<\s*/?\s*(?:"
    + "|".join(sorted(INLINE_TAGS | CONTAINER_TAGS | EXTENSION_TAGS, key=len, reverse=True))
    + r")(?=[\s/>]|$)",
    re.IGNORECASE,
)
_BR_END_RE = re.compile(r"<br\s*/?>\s*$", re.IGNORECASE)
#: Where a nested section path splits: ``"Tiers Lieux intéressés / Sélection"``.
SECTION_PATH_SEPARATOR = " / "

KeyLinkTest = Callable[[Link], bool]


class ListLineError(WikitextError):
    """A line of a list section cannot be read safely (something it opens is not closed).

    The list stops for this run (exit 1): nothing is copied from or written to its pages.
    """

    exit_code = EXIT_FAILED


@dataclass(frozen=True)
class ListSection:
    """A section's bullet entries, with the exact span each occupies in the page text.

    ``start``..``end`` is the section's own text (up to its first sub-heading): the only part
    read and written. ``start``..``section_end`` also holds its sub-sections, whose headings are
    ``subsections``.
    """

    title: str
    level: int
    start: int  # start of the section's content (after the heading line)
    end: int  # end of the section's own text (its first sub-heading, or the next heading)
    entries: tuple[RawEntry, ...]
    spans: tuple[tuple[int, int], ...]  # (start, end) of each entry in the page text
    section_end: int = -1  # end of the section with its sub-sections
    subsections: tuple[str, ...] = ()  # sub-headings' titles, in page order
    #: where the heading inside a container that bounds the section's own text starts (its
    #: own heading or the one that ends it), and how that container opens; -1 when none
    nested_heading: int = -1
    nested_in: str = ""

    def own_text(self, text: str) -> str:
        return text[self.start:self.end]


#: Extension tags whose content is the page's own wikitext on the page itself; the content of
#: every other one (``<nowiki>``, ``<pre>``, ``<ref>``, ``<includeonly>``...) holds no heading.
_RENDERED_EXT_TAGS = frozenset({"noinclude", "onlyinclude"})
#: A line MediaWiki may read as a heading (``== X ==``, a comment after it allowed).
_HEADING_LIKE_RE = re.compile(r"^=+[^\n]*=[ \t]*(?:<!--.*?-->[ \t]*)*$", re.MULTILINE)


@dataclass(frozen=True)
class _Head:
    """A heading with its offsets; ``holder`` is the construct it stands in as opened
    (``<div style=..>``, ``{{colonnes``, ``{|``), empty at the top level."""

    node: Heading
    start: int
    end: int
    holder: str = ""


def _inner_code(node: Node) -> list[tuple[int, int, Wikicode]]:
    """(start, end, code) within ``node`` of the wikitext of the page it holds: a tag's
    contents (not a comment's nor a non-rendering extension tag's), a template's parameters,
    a link's label."""
    if isinstance(node, Tag):
        name = str(node.tag).strip().lower()
        if name in EXTENSION_TAGS and name not in _RENDERED_EXT_TAGS:
            return []
        span = _tag_content_span(node)
        return [] if span is None else [(*span, node.contents)]
    if isinstance(node, Template):
        return _param_spans(node)
    if isinstance(node, Wikilink) and node.text is not None:
        at = 2 + len(str(node.title)) + 1
        text = str(node.text)
        return [(at, at + len(text), node.text)] if str(node)[at:at + len(text)] == text else []
    return []


def _opening(node: Node) -> str:
    """How the construct ``node`` opens, as written, for a message (``<div style="..">``)."""
    first = str(node).split("\n", 1)[0]
    return first[:60]


def _headings(code: Wikicode, base: int = 0, holder: str = "") -> Iterator[_Head]:
    """Every heading MediaWiki sees, in page order: at the top level and inside containers
    (``<div>``, table cells, a template's parameters), never inside a comment or a tag whose
    content is not rendered as the page's wikitext (``<nowiki>``, ``<pre>``...)."""
    whole = _text_of(code)
    for node, start, _end in _top_level(code):
        if isinstance(node, Heading):
            yield _Head(node, base + start, base + _end, holder)
        elif not isinstance(node, Text) and "\n=" in whole[start:_end]:
            for istart, _iend, inner in _inner_code(node):
                yield from _headings(inner, base + start + istart, holder or _opening(node))


def _hidden_spans(code: Wikicode, base: int = 0) -> Iterator[tuple[int, int, bool]]:
    """(start, end, hidden) of the nodes inside constructs: hidden for a comment or a
    non-rendering tag (whose lines are no headings), else a construct not looked into."""
    for node, start, end in _top_level(code):
        if isinstance(node, (Text, Heading)):
            continue
        if isinstance(node, Comment) or isinstance(node, Tag) and (
                str(node.tag).strip().lower() in EXTENSION_TAGS
                and str(node.tag).strip().lower() not in _RENDERED_EXT_TAGS):
            yield base + start, base + end, True
            continue
        inner = _inner_code(node)
        yield base + start, base + end, False
        for istart, _iend, icode in inner:
            yield from _hidden_spans(icode, base + start + istart)


@dataclass(frozen=True)
class _Section:
    level: int
    start: int
    own_end: int
    end: int
    subsections: tuple[str, ...]
    head: _Head | None = None
    stop: _Head | None = None  # the heading that ends the section's own text


def _find_section(text: str, code: Wikicode, title: str) -> _Section:
    """The section titled ``title``, or named by a path ``"Parent / Child"`` (each part a
    heading nested in the one before it). Headings inside containers are headings."""
    found_heads = list(_headings(code))
    heads = [(h.node, h.start, h.end) for h in found_heads]
    keys = [heading_key(str(n.title)) for n, _s, _e in heads]
    want = heading_key(title)
    if want in keys or SECTION_PATH_SEPARATOR not in title:
        path = [want]
    else:
        path = [heading_key(part) for part in title.split(SECTION_PATH_SEPARATOR)]
    lo, hi, parent_level = 0, len(heads), 0
    index = -1
    for depth, part in enumerate(path):
        found = [i for i in range(lo, hi) if keys[i] == part and heads[i][0].level > parent_level]
        if not found:
            message = (_("the page has no section titled %(part)r under %(parent)r") if depth
                       else _("the page has no section titled %(part)r"))
            raise SectionNotFound(
                message % {"part": part, "parent": " / ".join(path[:depth])},
                hint=_("add the section heading to the page, or fix the section in the config "
                       "(a nested section as \"Parent / Child\"); the page's headings are: "
                       "%(headings)s") % {"headings": ", ".join(repr(k) for k in keys)},
            )
        if len(found) > 1:
            raise WikitextError(
                _("the page has %(count)s sections titled %(part)r") % {
                    "count": len(found), "part": part},
                hint=_("rename or merge the duplicate sections by hand, or name the section "
                       "by its path (\"Parent / Child\"), then run again"),
            )
        index = found[0]
        parent_level = heads[index][0].level
        lo, hi = index + 1, _section_stop(heads, index, hi)
    node, _start, hend = heads[index]
    newline = text.find("\n", hend)
    content_start = len(text) if newline < 0 else newline + 1
    end = heads[hi][1] if hi < len(heads) else len(text)
    own_end = heads[index + 1][1] if index + 1 < hi else end
    subs = tuple(keys[index + 1:hi])
    stop = found_heads[index + 1] if index + 1 < len(found_heads) else None
    return _Section(node.level, min(content_start, own_end), own_end, end, subs,
                    found_heads[index], stop)


def _section_stop(heads: list[tuple[Node, int, int]], index: int, limit: int) -> int:
    """Index of the first heading after ``index`` that closes its section (same or higher)."""
    level = heads[index][0].level
    for j in range(index + 1, limit):
        if heads[j][0].level <= level:
            return j
    return limit


def _tag_content_span(node: Tag) -> tuple[int, int] | None:
    """(start, end) of a tag's contents within the tag's text, when it can be placed."""
    if node.self_closing or node.contents is None:
        return None
    whole, inner = str(node), str(node.contents)
    if node.wiki_markup:
        end = len(whole) - len(node.closing_wiki_markup or "")
    else:
        end = whole.rfind("</") if node.closing_tag is not None and not node.implicit \
            else len(whole)
    start = end - len(inner)
    return (start, end) if start >= 0 and whole[start:end] == inner else None


def _param_spans(node: Template) -> list[tuple[int, int, Wikicode]]:
    """(start, end, value) within the call's text of each parameter's value it can place."""
    out = []
    whole = str(node)
    pos = 2 + len(str(node.name))
    for param in node.params:
        pos += 1  # the "|"
        value = str(param.value)
        at = pos + (len(str(param.name)) + 1 if param.showkey else 0)
        if whole[at:at + len(value)] == value:
            out.append((at, at + len(value), param.value))
        pos += len(str(param))
    return out


def _container_spans(node: Node) -> list[tuple[int, int, Wikicode]]:
    """(start, end, code) inside ``node`` of the block content a list may stand in."""
    if isinstance(node, Tag):
        if str(node.tag).strip().lower() not in CONTAINER_TAGS:
            return []
        span = _tag_content_span(node)
        return [] if span is None else [(*span, node.contents)]
    if isinstance(node, Template):
        return [(s, e, v) for s, e, v in _param_spans(node) if _BULLET_LINE_RE.search(str(v))]
    return []


def _regions(code: Wikicode, base: int, out: list[tuple[int, int, Wikicode]]) -> None:
    """Every block region of ``code`` (itself, then containers inside it, depth first)."""
    out.append((base, base + len(_text_of(code)), code))
    for node, start, _end in _top_level(code):
        for cstart, _cend, inner in _container_spans(node):
            _regions(inner, base + start + cstart, out)


def _protected_newlines(code: Wikicode, base: int = 0) -> set[int]:
    """Offsets of newlines inside a node (comment, tag, template...) that spans lines."""
    out: set[int] = set()
    whole = _text_of(code)
    for node, start, end in _top_level(code):
        if isinstance(node, Text):
            continue
        at = whole.find("\n", start, end)
        while at >= 0:
            out.add(base + at)
            at = whole.find("\n", at + 1, end)
    return out


def _logical_lines(text: str, start: int, end: int, protected: set[int]) -> list[tuple[int, int]]:
    """(start, end) of each line of ``text[start:end]``, end including its newline; a newline
    inside a multi-line node does not end a line."""
    lines: list[tuple[int, int]] = []
    pos = start
    for k in range(start, end):
        if text[k] == "\n" and k not in protected:
            lines.append((pos, k + 1))
            pos = k + 1
    if pos < end:
        lines.append((pos, end))
    return lines


def _bullet(line: str) -> str:
    m = _BULLET_RE.match(line)
    return m.group(0) if m else ""


def _key_link(code: Wikicode, is_key: KeyLinkTest, base: int = 0
              ) -> tuple[Node, int, int, int, int] | None:
    """The first link that may name a lieu: (node, start, end, outer start, outer end).

    Links at the top level or inside inline tags are their own outer span; a link inside a
    template's parameters has the template as its outer span (the head as written).
    """
    for node, start, end in _top_level(code):
        if isinstance(node, (Wikilink, ExternalLink)):
            if is_key(_link_of(node)):
                return node, base + start, base + end, base + start, base + end
            continue
        if isinstance(node, Tag) and node.contents is not None and (
            node.wiki_markup or str(node.tag).strip().lower() in INLINE_TAGS
        ):
            spans = _inline_content(node)
            if spans is not None:
                found = _key_link(node.contents, is_key, base + start + spans)
                if found is not None:
                    return found
        if isinstance(node, Template):
            for param in node.params:
                inner = _key_link(param.value, _bracketed(is_key))
                if inner is not None:
                    return inner[0], inner[1], inner[2], base + start, base + end
    return None


def _bracketed(is_key: KeyLinkTest) -> KeyLinkTest:
    """``is_key`` for links inside a template, where a bare URL is a parameter, not a link."""
    return lambda link: is_key(link) and (link.kind != "external" or link.bracketed)


def _inline_content(node: Tag) -> int | None:
    """Offset of an inline tag's contents within the tag's text."""
    whole, inner = str(node), str(node.contents)
    at = whole.find(inner, len(str(node.tag)))
    return at if at >= 0 else None


def _link_of(node: Node) -> Link:
    if isinstance(node, ExternalLink):
        label = str(node.title).strip() if node.title is not None else None
        return Link("external", target=str(node.url).strip(), label=label or None,
                    bracketed=node.brackets)
    assert isinstance(node, Wikilink)
    label = str(node.text) if node.text is not None else None
    target = str(node.title).strip()
    if target.startswith(":"):
        target = target[1:].strip()
    prefix, sep, rest = target.partition(":")
    if sep and prefix.strip() and rest.strip():
        return Link("interwiki", target=rest.strip(), label=label, prefix=prefix.strip())
    return Link("internal", target=target, label=label)


#: Characters without which a line opens nothing (nothing :data:`_UNCLOSED_RE` can match).
_OPENING_CHARS_RE = re.compile(r"[\[\]{}<]")
#: An entry line of the commonest shape, read without the parser: a bullet, a plain internal
#: link (no namespace or interwiki colon, no slash, entity, signature or markup in it) and
#: text holding no bracket, brace or tag. Property tests hold it equal to the parser's reading.
_PLAIN_ENTRY_RE = re.compile(
    r"([*#:;]+)[ \t]*\[\[([^\[\]{}|<>:/&~\x00-\x1f\x7f]*[^\[\]{}|<>:/&~\s\x00-\x1f\x7f]"
    r"[^\[\]{}|<>:/&~\x00-\x1f\x7f]*)(?:\|([^\[\]{}|<>&~\x00-\x1f\x7f]*))?\]\]"
    r"([^\[\]{}<>\x00-\x08\x0a-\x1f\x7f]*)"
)


def unclosed(line: str) -> str | None:
    """What ``line`` opens and does not close (``[[``, ``{{``, ``<!--``, a tag), else None."""
    if _OPENING_CHARS_RE.search(line) is None or _PLAIN_ENTRY_RE.fullmatch(
            line[:-1] if line.endswith("\n") else line):
        return None
    return _parsed_unclosed(line)


def _parsed_unclosed(line: str) -> str | None:
    """:func:`unclosed` through the parser."""
    for node in parse(line).nodes:
        if isinstance(node, Text):
            found = _UNCLOSED_RE.search(str(node))
            if found:
                return found.group(0)
    return None


def _parse_entry_line(line: str, is_key: KeyLinkTest = is_article_link
                      ) -> tuple[str, Link, str, str, str, str]:
    """(bullet, link, name, rest, lead, head) of an entry's first line (without its newline).

    ``head`` is the template around the key link, as written, when the link stands in one.
    """
    plain = _plain_entry_line(line, is_key)
    return plain if plain is not None else _parsed_entry_line(line, is_key)


def _plain_entry_line(line: str, is_key: KeyLinkTest
                      ) -> tuple[str, Link, str, str, str, str] | None:
    """:func:`_parse_entry_line` of a line of the commonest shape, without the parser; None
    for any other line (or when its link may not name a lieu)."""
    plain = _PLAIN_ENTRY_RE.fullmatch(line)
    if plain is None:
        return None
    bullet, target, label, rest = plain.groups()
    link = Link("internal", target=target.strip(), label=label)
    return (bullet, link, label or link.target, rest, "", "") if is_key(link) else None


def _parsed_entry_line(line: str, is_key: KeyLinkTest
                       ) -> tuple[str, Link, str, str, str, str]:
    """:func:`_parse_entry_line` through the parser."""
    bullet = _bullet(line)
    body = line[len(bullet):]
    found = _key_link(parse(body), is_key)
    if found is None:
        return (bullet, Link("plain"), *split_plain_entry(body), "")
    node, start, end, outer_start, outer_end = found
    link = _link_of(node)
    head = body[outer_start:outer_end] if (outer_start, outer_end) != (start, end) else ""
    return (bullet, link, link.label or link.target, body[outer_end:],
            body[:outer_start].lstrip(" \t"), head)


def _entry(text: str, first: tuple[int, int], kids: list[tuple[int, int]],
           is_key: KeyLinkTest) -> RawEntry:
    line = text[first[0]: first[1]].rstrip("\n")
    bullet, link, name, rest, lead, head = _parse_entry_line(line, is_key)
    end = kids[-1][1] if kids else first[1]
    children = tuple(text[s:e].rstrip("\n") for s, e in kids)
    return RawEntry(text=text[first[0]: end], bullet=bullet, link=link, name=name, rest=rest,
                    children=children, lead=lead, head=head)


def _group_entries(text: str, lines: list[tuple[int, int]]) -> list[tuple[tuple[int, int],
                                                                          list[tuple[int, int]]]]:
    """Entries (first line, lines that belong to it).

    ``*``/``#`` lines at the top bullet depth start entries. Below one belong: deeper bullet
    lines (``**``, ``*:``, ``##``...), ``:`` lines (``: contact : ...``) and the line after a
    line that ends with ``<br>``. Anything else (a blank line, text, ``;``) ends the entry.
    """
    depths = [len(_bullet(text[s:e])) for s, e in lines if text[s:e][:1] in ("*", "#")]
    if not depths:
        return []
    top = min(depths)
    groups: list[tuple[tuple[int, int], list[tuple[int, int]]]] = []
    current: tuple[tuple[int, int], list[tuple[int, int]]] | None = None
    previous = ""
    for s, e in lines:
        line = text[s:e]
        depth = len(_bullet(line))
        if depth == top and line[:1] in ("*", "#"):
            current = ((s, e), [])
            groups.append(current)
        elif current is not None and (
            depth > top and line[:1] in ("*", "#", ":")
            or line[:1] == ":"
            or (_BR_END_RE.search(previous) and line.strip() and not depth)
        ):
            current[1].append((s, e))
        else:
            current = None
        previous = line.rstrip("\n")
    return groups


def _line_number(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _refuse(text: str, section_title: str, offset: int, line: str, why: str,
            hint: str | None = None) -> ListLineError:
    return ListLineError(
        _("list %(section_title)r: line %(line_number)s %(why)s: %(text)r; this list is not "
          "synced (nothing written)") % {
            "section_title": section_title, "line_number": _line_number(text, offset),
            "why": why, "text": line.strip()[:120]},
        hint=hint or _("mend the line on the wiki page (or move it out of the section), then "
                       "run again"),
    )


def _line_at(text: str, offset: int) -> str:
    """The whole line of ``text`` that holds ``offset``."""
    end = text.find("\n", offset)
    return text[text.rfind("\n", 0, offset) + 1:len(text) if end < 0 else end]


def _nested_hint(holder: str) -> str:
    return _("the heading stands inside %(holder)r, which the section boundary cuts: move the "
             "heading out of it (or close it before the heading) on the wiki page, then run "
             "again") % {"holder": holder}


def _unseen_heading(text: str, code: Wikicode, start: int, end: int) -> int | None:
    """Offset of a line of ``text[start:end]`` that MediaWiki may read as a heading, inside a
    construct (a template's parameter...) where the parser saw none; None if there is none."""
    lines = [m.start() for m in _HEADING_LIKE_RE.finditer(text, start, end)]
    if not lines:
        return None
    spans = list(_hidden_spans(code))
    for at in lines:
        inside = [hidden for s, e, hidden in spans if s < at < e]
        if inside and not any(inside):
            return at
    return None


def check_appendable(text: str, section: ListSection) -> None:
    """Raise :class:`ListLineError` when entries cannot be added to ``section`` safely: its
    own text is bounded by a heading inside a container (``<div>``, a table cell, a template's
    parameter), which spans the boundary, so no insertion point is surely in the section."""
    if section.nested_heading < 0:
        return
    raise _refuse(text, section.title, section.nested_heading,
                  _line_at(text, section.nested_heading),
                  _("is a heading inside a container (%(holder)s), and an entry must be added "
                    "to the list next to it") % {"holder": section.nested_in},
                  _nested_hint(section.nested_in))


def _opens(what: str) -> str:
    return _("opens %(what)r and does not close it") % {"what": what}


def read_entry(text: str, is_key: KeyLinkTest = is_article_link) -> RawEntry | None:
    """The one entry ``text`` holds (its first line and the lines that belong to it), or None
    when ``text`` is not exactly one entry or opens something it does not close."""
    lines = _logical_lines(text, 0, len(text), _protected_newlines(parse(text)))
    groups = _group_entries(text, lines)
    if len(groups) != 1 or groups[0][0][0] != 0:
        return None
    first, kids = groups[0]
    end = kids[-1][1] if kids else first[1]
    if text[end:].strip():
        return None
    if any(unclosed(text[s:e]) for s, e in (first, *kids)):
        return None
    return _entry(text, first, kids, is_key)


def read_list(text: str, section_title: str,
              is_key: KeyLinkTest = is_article_link) -> ListSection:
    """The bullet entries of the section titled (or with the path) ``section_title``.

    Only the section's own text is read: from its heading to its first sub-heading. Bullets
    inside containers (``<div>``, a template holding bullet lines, table cells) are entries.
    ``is_key`` says which links may name a lieu (not files, users, categories...).

    Raises :class:`SectionNotFound` when the section is missing, :class:`ListLineError`
    when an entry line, or the section's text, opens something it does not close (an unclosed
    ``<!--`` hides the rest of the page on the wiki: no line after it is an entry).
    """
    code = parse(text)
    found = _find_section(text, code, section_title)
    start, end = found.start, found.own_end
    unseen = _unseen_heading(text, code, start, end)
    if unseen is not None:
        raise _refuse(text, section_title, unseen, _line_at(text, unseen),
                      _("may be a heading, inside a construct wikisync cannot place it in"),
                      _("move the heading out of the template or tag that holds it, then run "
                        "again"))
    own = _sub_code(text, code, start, end)
    regions: list[tuple[int, int, Wikicode]] = []
    _regions(own, start, regions)
    grouped = []
    for rstart, rend, rcode in regions:
        for node, nstart, _nend in _top_level(rcode):
            if isinstance(node, Text) and "<!--" in str(node):
                at = rstart + nstart + str(node).index("<!--")
                line_start = text.rfind("\n", 0, at) + 1
                raise _refuse(text, section_title, at, text[line_start:text.find("\n", at)],
                              _("opens '<!--' and does not close it (the wiki hides the rest "
                                "of the page)"))
        lines = _logical_lines(text, rstart, rend, _protected_newlines(rcode, rstart))
        grouped.extend(_group_entries(text, lines))
    grouped.sort()
    for (before, kids), (after, _kids) in zip(grouped, grouped[1:], strict=False):
        if after[0] < (kids[-1][1] if kids else before[1]):
            line = text[before[0]:before[1]]
            raise _refuse(text, section_title, before[0], line,
                          _("holds a list inside an entry"))
    entries: list[RawEntry] = []
    spans: list[tuple[int, int]] = []
    for first, kids in grouped:
        for s, e in (first, *kids):
            what = unclosed(text[s:e])
            if what:
                raise _refuse(text, section_title, s, text[s:e], _opens(what))
        entry = _entry(text, first, kids, is_key)
        entries.append(entry)
        spans.append((first[0], first[0] + len(entry.text)))
    bound = next((h for h in (found.stop, found.head) if h is not None and h.holder), None)
    return ListSection(section_title, found.level, start, end, tuple(entries), tuple(spans),
                      found.end, found.subsections,
                      bound.start if bound is not None else -1,
                      bound.holder if bound is not None else "")


def _gaps(text: str, section: ListSection) -> list[str]:
    """The text of the page between (and around) the section's entries."""
    out: list[str] = []
    pos = 0
    for s, e in section.spans:
        out.append(text[pos:s])
        pos = e
    out.append(text[pos:])
    return out


def _append_point(text: str, section: ListSection) -> int:
    """After the last entry, else after the section's last non-blank line."""
    if section.spans:
        return section.spans[-1][1]
    pos = section.end
    while pos > section.start:
        prev = text.rfind("\n", section.start, pos - 1)
        line_start = section.start if prev < 0 else prev + 1
        if text[line_start:pos].strip():
            break
        pos = line_start
    return pos


def _check_indices(section: ListSection, remove: set[int], replace: Mapping[int, str]) -> None:
    n = len(section.entries)
    bad = sorted(i for i in set(remove) | set(replace) if not 0 <= i < n)
    if bad:
        raise WikitextError(_("no entry number(s) %(bad)s in a list of %(n)s entries") % {
            "bad": bad, "n": n})
    both = sorted(set(remove) & set(replace))
    if both:
        raise WikitextError(_("entries %(both)s are both removed and replaced") % {"both": both})


def _with_newline(entry: str) -> str:
    return entry if entry.endswith("\n") else entry + "\n"


def edit_list(text: str, section_title: str, remove: set[int] | Iterable[int],
              replace: Mapping[int, str], append: list[str]) -> str:
    """``text`` with entries of the section removed, replaced and appended.

    Indices refer to ``read_list(text, section_title).entries``. New entries go after the last
    entry (or after the section's last non-blank line when it has none). Every byte outside the
    touched entries stays identical; the result is proved by re-reading it.
    """
    remove = set(remove)
    section = read_list(text, section_title)
    _check_indices(section, remove, replace)
    edits = [_Edit(s, e, "") for i, (s, e) in enumerate(section.spans) if i in remove]
    edits += [_Edit(*section.spans[i], _with_newline(t)) for i, t in replace.items()]
    expected = [_with_newline(replace[i]) if i in replace else entry.text
                for i, entry in enumerate(section.entries) if i not in remove]
    at, lead = len(text), ""
    if append:
        check_appendable(text, section)
        at = _append_point(text, section)
        lead = "\n" if at > 0 and text[at - 1] != "\n" else ""
        last = len(section.spans) - 1
        if lead and section.spans and section.spans[-1][1] == at:
            # The last entry ends the page without a newline: it gets one (if it stays as is).
            if last in remove or last in replace:
                lead = ""
            else:
                expected[-1] += "\n"
        added = [_with_newline(a) for a in append]
        edits.append(_Edit(at, at, lead + "".join(added)))
        if lead and section.spans and section.spans[-1][1] == at:
            lead = ""  # the newline went to the last entry, not between entries
        expected += added
    new = _apply(text, edits)
    try:
        _prove_list_edit(text, new, section, expected, at, lead)
    except WikitextError:
        _refuse_equals_in_unnamed_parameter(text, section, edits)
        raise
    return new


def _refuse_equals_in_unnamed_parameter(text: str, section: ListSection,
                                        edits: list[_Edit]) -> None:
    """Say why when an edit that failed its proof wrote an ``=`` into a template's unnamed
    parameter (``{{colonnes|…}}`` holding the list): MediaWiki then reads the whole parameter
    as a named one, and the template shows none of the list."""
    for edit in edits:
        if "=" not in edit.new:
            continue
        template = _unnamed_parameter_at(text, edit.start)
        if template is not None:
            line = next(line for line in edit.new.splitlines() if "=" in line)
            raise WikitextError(
                _("refusing to edit the list %(title)r: it stands in an unnamed parameter of "
                  "{{%(template)s}}, and the line %(line)r holds '=': MediaWiki would read the "
                  "whole parameter as a named one and show none of the list; nothing was "
                  "written") % {"title": section.title, "template": template,
                                "line": line.strip()},
                hint=_("name the parameter on the page ({{%(template)s|1=...}}), then run "
                       "again") % {"template": template},
            )


def _unnamed_parameter_at(text: str, offset: int) -> str | None:
    """The name of the top-level template whose unnamed parameter holds ``offset``, or None."""
    for node, start, end in _top_level(parse(text)):
        if isinstance(node, Template) and start < offset < end and any(
                p.start < offset <= p.end and not p.showkey for p in _params_of(node, start)):
            return str(node.name).strip()
    return None


def _prove_list_edit(old: str, new: str, section: ListSection, expected: list[str], at: int,
                     lead: str) -> None:
    """Raise unless ``new`` reads back to the ``expected`` entries and the text between the
    entries is the old one (plus ``lead``, a newline added at ``at`` before appended entries)."""
    after = read_list(new, section.title)
    if [e.text for e in after.entries] != expected:
        raise WikitextError(
            _("refusing to edit the list %(title)r: the new entries would not read back as "
              "intended (each new entry must be one top-level bullet line with its "
              "sub-bullets); nothing was written") % {"title": section.title},
            hint=_("check the entries to write; if they look right, report this as a bug"),
        )
    old_gaps = "".join(_gaps(old, section))
    cut = at - sum(e - s for s, e in section.spans if e <= at)
    if "".join(_gaps(new, after)) != old_gaps[:cut] + lead + old_gaps[cut:]:
        raise WikitextError(
            _("refusing to edit the list %(title)r: text outside its entries would change; "
              "nothing was written") % {"title": section.title},
            hint=_("this is a wikisync bug: please report it with the page's text"),
        )


def _link_text(link: Link, name: str | None) -> str:
    if link.kind == "plain":
        return name if name is not None else (link.label or link.target)
    if link.kind == "external":
        return f"[{link.target} {link.label}]" if link.label else f"[{link.target}]"
    target = f"{link.prefix}:{link.target}" if link.kind == "interwiki" else link.target
    return f"[[{target}|{link.label}]]" if link.label else f"[[{target}]]"


def format_entry(bullet: str, link: Link, rest: str, children: Iterable[str] = (),
                 *, name: str | None = None) -> str:
    """An entry's source: ``bullet``, a space, the link (or the plain ``name``, by default the
    link's label or target), ``rest``, a newline, then each child line and a newline.

    Raises :class:`WikitextError` when the result would not read back as this entry (a title
    with brackets, a plain name holding a separator, a line break...).
    """
    children = tuple(children)
    shown = _link_text(link, name)
    line = f"{bullet} {shown}{rest}"
    problems = _entry_problems(bullet, line, children)
    if not problems:
        _bullet_read, got, got_name, got_rest, _lead, _head = _parse_entry_line(line)
        if link.kind == "plain":
            ok = got.kind == "plain" and got_name == shown.strip()
        else:
            ok = got == _dc_replace(link, label=link.label or None)
        if not ok or got_rest != rest:
            problems.append(_("%(line)r would read back as %(got)s, name %(got_name)r, rest "
                              "%(got_rest)r") % {
                "line": line, "got": got, "got_name": got_name, "got_rest": got_rest})
    if problems:
        raise WikitextError(
            _("cannot write the list entry: %(problems)s") % {"problems": "; ".join(problems)},
            hint=_("check the entry's title, label and annotation for line breaks, brackets "
                   "or separators"),
        )
    return line + "\n" + "".join(c + "\n" for c in children)


def _entry_problems(bullet: str, line: str, children: tuple[str, ...]) -> list[str]:
    problems: list[str] = []
    if not re.fullmatch(r"[*#]+", bullet):
        problems.append(_("%(bullet)r is not a list bullet") % {"bullet": bullet})
    if "\n" in line or "\r" in line:
        problems.append(_("the entry holds a line break"))
    for child in children:
        if "\n" in child or len(_bullet(child)) <= len(bullet):
            problems.append(_("%(child)r is not a sub-bullet line of %(bullet)r") % {
                "child": child, "bullet": bullet})
    return problems


# --------------------------------------------------------------------------------------------
# Page-template placeholders
# --------------------------------------------------------------------------------------------

PlaceholderContext = Literal["call", "link", "text"]
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"


@dataclass(frozen=True)
class Placeholder:
    """A ``{{{name}}}`` or ``{{{name|default}}}`` argument of a page template."""

    name: str  # stripped
    start: int
    end: int
    default: str | None  # raw wikitext of the default, None when there is none
    context: PlaceholderContext  # inside a template call, a link, or free text


def _context(code: Wikicode, node: Argument) -> PlaceholderContext:
    ancestors = code.get_ancestors(node)
    if any(isinstance(a, Template) for a in ancestors):
        return "call"
    if any(isinstance(a, (Wikilink, ExternalLink)) for a in ancestors):
        return "link"
    return "text"


def find_placeholders(text: str) -> list[Placeholder]:
    """The outermost ``{{{..}}}`` arguments of ``text``, in order, with their context."""
    if _MARK_OPEN in text or _MARK_CLOSE in text:
        raise WikitextError(_("the page template holds private-use characters U+E000/U+E001"))
    code = parse(text)
    args = [a for a in code.filter_arguments(recursive=True)
            if not any(isinstance(p, Argument) for p in code.get_ancestors(a))]
    infos = [(a, _context(code, a)) for a in args]
    for i, (arg, _ctx) in enumerate(infos):
        code.replace(arg, f"{_MARK_OPEN}{i}{_MARK_CLOSE}")
    marked = str(code)
    out: list[Placeholder] = []
    shift = 0
    for m in re.finditer(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}", marked):
        arg, ctx = infos[int(m.group(1))]
        start = m.start() + shift
        raw = str(arg)
        default = str(arg.default) if arg.default is not None else None
        out.append(Placeholder(str(arg.name).strip(), start, start + len(raw), default, ctx))
        shift += len(raw) - len(m.group(0))
    return out
