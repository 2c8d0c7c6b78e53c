"""Mappings: what a kind of structured page is, field by field, and how each wiki writes it.

A mapping file ``mappings/<kind>.yaml`` names the fields of a record (``nom``, ``ville``, ...),
their type and pattern, and for each wiki the template, category, page template and the
parameter name of each field. Loading is strict in the same way as the config: every problem at
once, each with the file and the key path, raised as one :class:`~wikisync.errors.ConfigError`.

Parameter names compare by :func:`wikisync.titles.param_key` (``_`` equals a space, runs of
spaces are one, the first letter is case-insensitive, Unicode is NFC; accents and apostrophes
count), the rule :mod:`wikisync.wikitext` also reads and writes calls by.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from wikisync.config import Checker, display_name, join_path, read_yaml, suggest
from wikisync.errors import ConfigError, InputError, UsageError
from wikisync.i18n import _, ngettext
from wikisync.titles import param_key, template_key, title_key, without_comments

FIELD_TYPES = ("text", "url", "date", "list", "email", "number", "choice")
MAPPING_KEYS = ("kind", "title", "fields", "wikis", "sync", "stale_after_days", "ignore", "same")
FIELD_KEYS = ("required", "type", "pattern", "choices", "label", "help")
WIKI_KEYS = ("template", "aliases", "category", "page_template", "params", "counterparts")
DEFAULT_STALE_AFTER_DAYS = 365

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NUMBER_RE = re.compile(r"^-?[0-9]+([.,][0-9]+)?$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
BAD_TITLE_RE = re.compile(r"[#<>\[\]{}|]")

ProblemCode = Literal["missing-field", "invalid-field", "unknown-field"]


# --------------------------------------------------------------------------- names


def same_param(a: str, b: str) -> bool:
    """Whether two parameter names mean the same parameter (:func:`param_key`)."""
    return param_key(a) == param_key(b)


# --------------------------------------------------------------------------- list values


def split_list(value: str) -> list[str]:
    """The items of a comma-separated value: ``a,b`` and ``a, b`` alike; empty items dropped."""
    return [item.strip() for item in value.split(",") if item.strip()]


def join_list(items: Iterable[str], separator: str = ", ") -> str:
    """The wiki form of a list of items."""
    return separator.join(item.strip() for item in items if item.strip())


# --------------------------------------------------------------------------- mapping objects


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record: whether it is required, its type and an optional pattern.

    ``pattern`` must match the whole value (each item, for a list); ``choices`` lists the
    allowed values of a ``choice`` field (or of each item of a ``list``), compared
    case-insensitively; ``label`` is what a prompt shows; ``help`` says in words what a valid
    value is (shown by prompts and errors instead of the raw pattern).
    """

    name: str
    required: bool = False
    type: str = "text"
    pattern: str | None = None
    choices: tuple[str, ...] = ()
    label: str | None = None
    help: str | None = None

    @cached_property
    def any_value(self) -> bool:
        """Whether every value is valid (free text: no type, pattern or choices to check)."""
        return self.type in ("text", "choice", "list") and not self.pattern and not self.choices

    @cached_property
    def choice_keys(self) -> frozenset[str]:
        """The choices as compared (case-folded)."""
        return frozenset(c.casefold() for c in self.choices)


@dataclass(frozen=True)
class WikiMapping:
    """How one wiki writes a kind: its template (and aliases), category, page template, params.

    ``params`` maps field name -> parameter name on this wiki. A field it does not map does not
    exist on this wiki.
    """

    template: str
    aliases: tuple[str, ...] = ()
    category: str = ""
    page_template: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    #: other wiki -> the parameter holding the record's title there ("Page FabMob")
    counterparts: dict[str, str] = field(default_factory=dict)

    @property
    def template_names(self) -> tuple[str, ...]:
        """The template and its aliases."""
        return (self.template, *self.aliases)

    def is_template(self, name: str) -> bool:
        """Whether a template call named ``name`` is this kind's template (or an alias)."""
        key = template_key(name)
        return any(template_key(t) == key for t in self.template_names)

    def param_for(self, field_name: str) -> str | None:
        """The parameter name of a field on this wiki, or None when the wiki does not map it."""
        return self.params.get(field_name)

    def field_for(self, param: str) -> str | None:
        """The field a parameter name holds, or None (see :func:`param_key`)."""
        return self._fields_by_key.get(param_key(param))

    @cached_property
    def _fields_by_key(self) -> dict[str, str]:
        """param_key(parameter) -> field; the first field naming a key wins."""
        found: dict[str, str] = {}
        for name, mapped in self.params.items():
            found.setdefault(param_key(mapped), name)
        return found


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one field of a record. ``code`` matches the audit's finding codes."""

    field: str
    code: ProblemCode
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class Mapping:
    """A kind of record: its fields, how each wiki writes it, what sync keeps equal."""

    kind: str
    title_format: str
    fields: dict[str, FieldSpec]
    wikis: dict[str, WikiMapping]
    sync: tuple[str, ...] = ()
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS
    ignore: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)
    #: ``same:``: each item names one record's title on several wikis ({wiki: title}).
    same: tuple[dict[str, str], ...] = ()

    def counterparts(self, wiki: str, params: AbcMapping[str, str]) -> dict[str, str]:
        """``{other wiki: title}`` a template call's ``{parameter: value}`` on ``wiki`` names
        in the parameters of ``counterparts`` (empty values left out), for wikis the mapping
        knows."""
        self.wiki(wiki)  # an unknown wiki is the same UsageError
        wanted = self._counterpart_keys[wiki]
        found = {}
        for param, value in params.items():
            for other in wanted.get(param_key(param), ()):
                if value.strip():
                    found[other] = value.strip()
        return found

    @cached_property
    def _counterpart_keys(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """wiki -> {param_key(parameter): the other wikis it names a title on} (every page
        of an audit asks)."""
        keys: dict[str, dict[str, tuple[str, ...]]] = {}
        for name, wmap in self.wikis.items():
            keys[name] = {}
            for other, param in wmap.counterparts.items():
                if other in self.wikis:
                    key = param_key(param)
                    keys[name][key] = (*keys[name].get(key, ()), other)
        return keys

    def wiki(self, name: str) -> WikiMapping:
        """How wiki ``name`` writes this kind; a :class:`UsageError` if it does not."""
        if name not in self.wikis:
            raise UsageError(_("kind %(kind)r has no mapping for wiki %(name)r%(suggest)s") % {
                "kind": self.kind, "name": name, "suggest": suggest(name, self.wikis)})
        return self.wikis[name]

    def mapped_fields(self, wiki: str) -> tuple[str, ...]:
        """The fields that exist on ``wiki``, in the mapping's order."""
        self.wiki(wiki)  # an unknown wiki is the same UsageError
        return self._mapped[wiki]

    @cached_property
    def _mapped(self) -> dict[str, tuple[str, ...]]:
        """wiki -> :meth:`mapped_fields` (audits ask once per page)."""
        return {name: tuple(f for f in self.fields if f in wmap.params)
                for name, wmap in self.wikis.items()}

    def is_ignored(self, title: str) -> bool:
        """Whether the audit ignores this title (compared as a MediaWiki title)."""
        return title_key(title) in self._ignore_keys

    @cached_property
    def _ignore_keys(self) -> frozenset[str]:
        """The keys (:func:`title_key`) of the ``ignore:`` titles."""
        return frozenset(title_key(t) for t in self.ignore)

    def fields_to_check(self, wiki: str | None) -> tuple[tuple[str, FieldSpec, bool], ...]:
        """(field, spec, required here) of the fields a record on ``wiki`` (None: on any) can
        be wrong about, in the mapping's order: the required ones (those ``wiki`` maps) and
        those not every value fits. The others can hold anything, or nothing."""
        if wiki is not None:
            self.wiki(wiki)  # an unknown wiki is the same UsageError
        return self._to_check[wiki]

    @cached_property
    def _to_check(self) -> dict[str | None, tuple[tuple[str, FieldSpec, bool], ...]]:
        """wiki (None: any) -> :meth:`fields_to_check` (audits ask once per page)."""
        checks = {}
        for wiki in (None, *self.wikis):
            present = self.fields if wiki is None else self._mapped[wiki]
            every = [(name, spec, spec.required and name in present)
                     for name, spec in self.fields.items()]
            checks[wiki] = tuple((name, spec, required) for name, spec, required in every
                                 if required or not spec.any_value)
        return checks

    def title_for(self, fields: AbcMapping[str, str]) -> str:
        """The page title of a record, from ``title`` (``"{nom}"``); else :class:`InputError`."""
        parts = []
        for literal, name, _spec, _conversion in string.Formatter().parse(self.title_format):
            parts.append(literal)
            if name is not None:
                value = (fields.get(name) or "").strip()
                if not value:
                    raise InputError(_("the page title needs the field %(name)r") % {
                        "name": name})
                parts.append(value)
        title = " ".join("".join(parts).split())
        if not title or BAD_TITLE_RE.search(title):
            raise InputError(_("%(title)r cannot be a page title (no # < > [ ] { } |)") % {
                "title": title})
        return title

    def to_params(self, wiki: str, fields: AbcMapping[str, str]) -> dict[str, str]:
        """Field values as ``{parameter name: value}`` on ``wiki``; unmapped fields are dropped.

        A field the mapping does not know is an :class:`InputError`.
        """
        unknown = [name for name in fields if name not in self.fields]
        if unknown:
            raise InputError("; ".join(_unknown_field(self, name) for name in unknown))
        params = self.wiki(wiki).params
        return {params[name]: value for name, value in fields.items() if name in params}

    def from_params(self, wiki: str, params: AbcMapping[str, str]) -> dict[str, str]:
        """The fields of a template call's ``{parameter: value}`` on ``wiki`` (values stripped).

        Parameters the mapping does not name are ignored; when two spellings of one parameter
        occur, the last wins, as in MediaWiki.
        """
        mapping = self.wiki(wiki)
        fields: dict[str, str] = {}
        for param, value in params.items():
            name = mapping.field_for(param)
            if name is not None:
                fields[name] = value.strip()
        return {name: fields[name] for name in self.fields if name in fields}


def _unknown_field(mapping: Mapping, name: str) -> str:
    """The message for a field name the mapping does not know."""
    return _("kind %(kind)r has no field %(name)r%(suggest)s") % {
        "kind": mapping.kind, "name": name, "suggest": suggest(name, mapping.fields)}


# --------------------------------------------------------------------------- values


def validate_value(spec: FieldSpec, value: str) -> str | None:
    """Why ``value`` is not a valid value of ``spec``, or None when it is (or is empty).

    The value is checked as the template receives it: without its HTML comments
    (:func:`titles.without_comments`), so that a person's note after a value
    (``29900 <!-- à vérifier -->``) is no fault and a hint alone is no value."""
    value = without_comments(value).strip()
    if not value:
        return None
    if spec.type == "list":
        for item in split_list(value):
            problem = _check_one(spec, item, "text")
            if problem:
                return _("item %(item)r: %(problem)s") % {"item": item, "problem": problem}
        return None
    return _check_one(spec, value, spec.type)


def _check_one(spec: FieldSpec, value: str, kind: str) -> str | None:
    """The problem of a single value of type ``kind`` (with ``spec``'s pattern and choices)."""
    problem = _TYPE_CHECKS.get(kind, _check_text)(value)
    if problem:
        return problem
    if spec.choices and value.casefold() not in spec.choice_keys:
        return _("%(value)r is not one of: %(choices)s") % {
            "value": value, "choices": ", ".join(spec.choices)}
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        return _("%(value)r is not %(rule)s") % {
            "value": value, "rule": spec.help or describe_pattern(spec.pattern)}
    return None


_CLASSES = {"[0-9]": "digit", r"\d": "digit", "[A-Z]": "capital", "[a-z]": "lower",
            "[A-Za-z]": "letter", "[a-zA-Z]": "letter"}
_REPEAT_RE = re.compile(r"^\^?(\[0-9\]|\\d|\[A-Z\]|\[a-z\]|\[A-Za-z\]|\[a-zA-Z\])"
                        r"(?:\{(\d+)(?:,(\d*))?\}|(\+))\$?$")
#: Per class of characters: "one or more", exactly n, at least n, from n to m (whole phrases,
#: so that each language can say them its own way: French nouns have genders).
_IN_WORDS = {
    "digit": (lambda: _("one or more digits"),
              lambda n: ngettext("%(count)d digit", "%(count)d digits", n),
              lambda n: ngettext("at least %(count)d digit", "at least %(count)d digits", n),
              lambda: _("%(low)d to %(high)d digits")),
    "capital": (lambda: _("one or more capital letters"),
                lambda n: ngettext("%(count)d capital letter", "%(count)d capital letters", n),
                lambda n: ngettext("at least %(count)d capital letter",
                                   "at least %(count)d capital letters", n),
                lambda: _("%(low)d to %(high)d capital letters")),
    "lower": (lambda: _("one or more lower-case letters"),
              lambda n: ngettext("%(count)d lower-case letter", "%(count)d lower-case letters",
                                 n),
              lambda n: ngettext("at least %(count)d lower-case letter",
                                 "at least %(count)d lower-case letters", n),
              lambda: _("%(low)d to %(high)d lower-case letters")),
    "letter": (lambda: _("one or more letters"),
               lambda n: ngettext("%(count)d letter", "%(count)d letters", n),
               lambda n: ngettext("at least %(count)d letter", "at least %(count)d letters", n),
               lambda: _("%(low)d to %(high)d letters")),
}


def describe_pattern(pattern: str) -> str:
    """A pattern in words, for messages: ``^[0-9]{5}$`` -> ``5 digits``. Patterns this does
    not know read "in the form the mapping's pattern asks for" (a mapping's ``help:`` says
    better)."""
    match = _REPEAT_RE.match(pattern)
    if not match:
        return _("in the form the mapping's pattern asks for (its help: can say which)")
    one_or_more, exactly, at_least, between = _IN_WORDS[_CLASSES[match.group(1)]]
    low, high, plus = match.group(2), match.group(3), match.group(4)
    if plus:
        return one_or_more()
    if high is None:
        return exactly(int(low)) % {"count": int(low)}
    if high == "":
        return at_least(int(low)) % {"count": int(low)}
    return between() % {"low": int(low), "high": int(high)}


def describe_rule(spec: FieldSpec) -> str:
    """What a valid value of ``spec`` is, in words (for prompts)."""
    if spec.help:
        return spec.help
    choices = "/".join(spec.choices)
    words = {"text": _("text"), "url": _("a web address (https://...)"),
             "date": _("a date, YYYY-MM-DD"), "email": _("an e-mail address"),
             "number": _("a number"), "list": _("comma-separated"),
             "choice": _("one of %(choices)s") % {"choices": choices}}
    parts = [words.get(spec.type, spec.type)]
    if spec.type == "list" and spec.choices:
        parts.append(_("each one of %(choices)s") % {"choices": choices})
    if spec.pattern:
        parts.append(describe_pattern(spec.pattern))
    return ", ".join(parts)


def _check_text(value: str) -> str | None:
    return None


#: the commonest web address: no user, port, brackets or space; anything else is split in full
PLAIN_URL_RE = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#][^\s]*)?")


def _check_url(value: str) -> str | None:
    if PLAIN_URL_RE.fullmatch(value):
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", value):
        return _("%(value)r is not a web address (expected http(s)://host/...)") % {
            "value": value}
    return None


def _check_date(value: str) -> str | None:
    try:
        if DATE_RE.match(value):
            date.fromisoformat(value)
            return None
    except ValueError:
        return _("%(value)r is not a date that exists") % {"value": value}
    return _("%(value)r is not a date (expected YYYY-MM-DD)") % {"value": value}


def _check_email(value: str) -> str | None:
    if EMAIL_RE.match(value):
        return None
    return _("%(value)r is not an e-mail address") % {"value": value}


def _check_number(value: str) -> str | None:
    if NUMBER_RE.match(value):
        return None
    return _("%(value)r is not a number") % {"value": value}


_TYPE_CHECKS = {
    "text": _check_text,
    "choice": _check_text,
    "url": _check_url,
    "date": _check_date,
    "email": _check_email,
    "number": _check_number,
}


def validate_record(mapping: Mapping, fields: AbcMapping[str, str],
                    wiki: str | None = None) -> list[FieldProblem]:
    """Every problem of a record's fields: unknown, required but missing or empty, invalid.

    With ``wiki``, only the fields that wiki maps are required.
    """
    problems = [FieldProblem(name, "unknown-field", _unknown_field(mapping, name))
                for name in fields if name not in mapping.fields]
    for name, spec, required in mapping.fields_to_check(wiki):
        value = without_comments(fields.get(name) or "").strip()  # as the template sees it
        if not value:
            if required:
                problems.append(FieldProblem(name, "missing-field", _("required")))
            continue
        if spec.any_value:
            continue
        problem = validate_value(spec, value)
        if problem:
            problems.append(FieldProblem(name, "invalid-field", problem))
    return problems


# --------------------------------------------------------------------------- loading


def load_mappings(mappings_dir: str | Path, wikis: set[str] | None = None, *,
                  templates_dir: str | Path | None = None) -> dict[str, Mapping]:
    """Every ``<kind>.yaml`` of ``mappings_dir``, by kind; one :class:`ConfigError` for all.

    With ``wikis`` (the config's wiki names), a mapping naming another wiki is a problem; with
    ``templates_dir``, so is a ``page_template`` that is not a file there.
    """
    folder = Path(mappings_dir)
    check = Checker(display_name(folder.absolute()), [])
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not folder.is_dir():
        check.add("", _("mappings folder not found"))
    elif not files:
        check.add("", _("no mapping (<kind>.yaml) in this folder"))
    mappings = {}
    for path in files:
        mapping = _load_one(path, check.problems, wikis, templates_dir)
        if mapping is not None:
            mappings[mapping.kind] = mapping
    if check.problems:
        raise ConfigError(check.problems, hint=_("fix the mapping files and run again"))
    return mappings


def load_mapping(path: str | Path, wikis: set[str] | None = None, *,
                 templates_dir: str | Path | None = None) -> Mapping:
    """One mapping file; one :class:`ConfigError` lists every problem."""
    problems: list[str] = []
    mapping = _load_one(Path(path), problems, wikis, templates_dir)
    if problems or mapping is None:
        raise ConfigError(problems, hint=_("fix %(absolute)s and run again") % {
            "absolute": display_name(Path(path).absolute())})
    return mapping


def _load_one(path: Path, problems: list[str], wikis: set[str] | None,
              templates_dir: str | Path | None) -> Mapping | None:
    """The mapping in ``path``, or None; problems are appended to ``problems``."""
    check = Checker(display_name(path.absolute()), problems)
    before = len(problems)
    data = read_yaml(path, check)
    if data is None:
        return None
    mapping = _build_mapping(path, data, check, wikis,
                             Path(templates_dir) if templates_dir is not None else None)
    return mapping if len(problems) == before else None


def _build_mapping(path: Path, data: Any, check: Checker, wikis: set[str] | None,
                   templates_dir: Path | None) -> Mapping | None:
    """The :class:`Mapping` of parsed YAML; problems go to ``check``."""
    top = check.mapping(data, "")
    if top is None:
        return None
    check.keys(top, "", MAPPING_KEYS)
    kind = check.text(top, "kind", "", required=True)
    if kind is not None and kind != path.stem:
        check.add("kind", _("%(kind)r differs from the file name: call the file %(file)s")
                  % {"kind": kind, "file": f"{kind}.yaml"})
    fields = _build_fields(top, check)
    title = _build_title(top, check, fields)
    wiki_maps = _build_wiki_maps(top, check, fields, wikis, templates_dir)
    sync = _build_sync(top, check, fields, wiki_maps)
    stale = check.integer(top, "stale_after_days", "", default=DEFAULT_STALE_AFTER_DAYS)
    if stale is not None and stale < 1:
        check.add("stale_after_days", _("must be 1 or more"))
    ignore = check.text_list(top, "ignore", "")
    same = _build_same(top, check, wiki_maps)
    if kind is None or title is None:
        return None
    return Mapping(kind, title, fields, wiki_maps, sync,
                   stale or DEFAULT_STALE_AFTER_DAYS, ignore, path, same)


def _build_same(top: dict[str, Any], check: Checker,
                wiki_maps: dict[str, WikiMapping]) -> tuple[dict[str, str], ...]:
    """``same``: items ``{wiki: title}`` naming one record on two or more of the mapping's
    wikis; a title is in one item at most."""
    node = top.get("same")
    if node is None:
        return ()
    if not isinstance(node, list):
        check.add("same", _("expected a list such as [{fabmob: \"WIP Colombelles\", movilab: "
                            "\"Le WIP\"}]"))
        return ()
    items, seen = [], {}
    for index, item in enumerate(node):
        where = f"same[{index}]"
        table = check.mapping(item, where)
        if table is None:
            continue
        pair = {}
        for wiki, title in table.items():
            at = f"{where}.{wiki}"
            if wiki_maps and wiki not in wiki_maps:
                check.add(at, _("not a wiki of this mapping%(suggest)s") % {
                    "suggest": suggest(wiki, wiki_maps)})
            elif not isinstance(title, str) or not title.strip() or BAD_TITLE_RE.search(title):
                check.add(at, _("expected a page title"))
            elif (wiki, title_key(title)) in seen:
                check.add(at, _("%(title)r is already in same[%(seen)s]") % {
                    "title": title, "seen": seen[wiki, title_key(title)]})
            else:
                seen[wiki, title_key(title)] = index
                pair[wiki] = title.strip()
        if len(table) < 2:
            check.add(where, _("names one wiki: an item names the record's title on two or "
                               "more"))
        elif len(pair) == len(table):
            items.append(pair)
    return tuple(items)


def _build_fields(top: dict[str, Any], check: Checker) -> dict[str, FieldSpec]:
    """``fields``: name -> {required, type, pattern, choices, label} (an empty spec is text)."""
    if top.get("fields") is None:
        check.add("fields", _("required: at least one field"))
        return {}
    node = check.mapping(top["fields"], "fields")
    if node is None:
        return {}
    if not node:
        check.add("fields", _("required: at least one field"))
    fields = {}
    for name, value in node.items():
        spec = _build_field(name, value, check)
        if spec is not None:
            fields[name] = spec
    return fields


def _build_field(name: str, value: Any, check: Checker) -> FieldSpec | None:
    """One field spec."""
    path = f"fields.{name}"
    if not name.isidentifier():
        check.add(path, _("a field name must be letters, digits and '_' (like code_postal)"))
    node = check.mapping(value if value is not None else {}, path)
    if node is None:
        return None
    check.keys(node, path, FIELD_KEYS)
    type_ = check.text(node, "type", path, default="text") or "text"
    if type_ not in FIELD_TYPES:
        check.add(f"{path}.type", _("unknown type %(type)r%(suggest)s") % {
            "type": type_, "suggest": suggest(type_, FIELD_TYPES)})
    pattern = check.text(node, "pattern", path)
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            check.add(f"{path}.pattern",
                      _("invalid regular expression: %(error)s") % {"error": exc})
    choices = check.text_list(node, "choices", path)
    if type_ == "choice" and not choices:
        check.add(f"{path}.choices", _("required for a field of type choice"))
    return FieldSpec(name, check.boolean(node, "required", path), type_, pattern, choices,
                     check.text(node, "label", path), check.text(node, "help", path))


def _build_title(top: dict[str, Any], check: Checker, fields: dict[str, FieldSpec]) -> str | None:
    """``title``: a format such as ``"{nom}"`` whose placeholders are required fields."""
    title = check.text(top, "title", "", required=True)
    if title is None:
        return None
    try:
        parsed = list(string.Formatter().parse(title))
    except ValueError as exc:
        check.add("title", _("invalid format (%(error)s); write fields as {nom}") % {"error": exc})
        return None
    names = [name for _, name, _, _ in parsed if name is not None]
    if not names:
        check.add("title", _("names no field: write it like \"{nom}\""))
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in fields:
            check.add("title", _("names an unknown field {%(name)s}%(suggest)s") % {
                "name": name, "suggest": suggest(name, fields)})
        elif not fields[name].required:
            check.add("title", _("uses the field %(name)r, which must then be required: true") % {
                "name": name})
        if spec or conversion:
            check.add("title", _("write {%(name)s} without a format or conversion") % {
                "name": name})
    return title


def _build_wiki_maps(top: dict[str, Any], check: Checker, fields: dict[str, FieldSpec],
                     wikis: set[str] | None, templates_dir: Path | None) -> dict[str, WikiMapping]:
    """``wikis``: wiki name -> how it writes this kind; at least one."""
    if top.get("wikis") is None:
        check.add("wikis", _("required: how at least one wiki writes this kind"))
        return {}
    node = check.mapping(top["wikis"], "wikis")
    result = {}
    for name, value in (node or {}).items():
        if wikis is not None and name not in wikis:
            check.add(f"wikis.{name}", _("not a wiki of the config%(suggest)s") % {
                "suggest": suggest(name, wikis)})
        built = _build_wiki_map(name, value, check, fields, templates_dir)
        if built is not None:
            result[name] = built
    return result


def _build_wiki_map(wiki: str, value: Any, check: Checker, fields: dict[str, FieldSpec],
                    templates_dir: Path | None) -> WikiMapping | None:
    """How one wiki writes this kind."""
    path = f"wikis.{wiki}"
    node = check.mapping(value, path)
    if node is None:
        return None
    check.keys(node, path, WIKI_KEYS)
    template = check.text(node, "template", path, required=True)
    category = check.text(node, "category", path, required=True)
    page_template = check.text(node, "page_template", path)
    missing = templates_dir is not None and not (templates_dir / (page_template or "")).is_file()
    if page_template and missing:
        check.add(f"{path}.page_template", _("no file %(page_template)s in %(templates_dir)s") % {
            "page_template": page_template, "templates_dir": templates_dir})
    params = _build_params(node, path, check, fields)
    counterparts = _build_counterparts(node, wiki, path, check)
    if template is None or category is None:
        return None
    return WikiMapping(template, check.text_list(node, "aliases", path), category,
                       page_template, params, counterparts)


def _build_counterparts(node: dict[str, Any], wiki: str, path: str,
                        check: Checker) -> dict[str, str]:
    """``counterparts``: other wiki -> the parameter that holds the record's title there."""
    where = f"{path}.counterparts"
    if node.get("counterparts") is None:
        return {}
    table = check.mapping(node["counterparts"], where) or {}
    out = {}
    for other, param in table.items():
        if other == wiki:
            check.add(join_path(where, other), _("names this wiki itself: name another wiki"))
        elif not isinstance(param, str) or not param.strip():
            check.add(join_path(where, other), _("expected a parameter name (text)"))
        else:
            out[other] = param.strip()
    return out


def _build_params(node: dict[str, Any], path: str, check: Checker,
                  fields: dict[str, FieldSpec]) -> dict[str, str]:
    """``params``: field name -> parameter name, each field known, no parameter twice."""
    where = f"{path}.params"
    if node.get("params") is None:
        check.add(where, _("required: the parameter name of each field on this wiki"))
        return {}
    table = check.mapping(node["params"], where)
    params: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, param in (table or {}).items():
        if name not in fields:
            check.add(join_path(where, name), _("unknown field%(suggest)s") % {
                "suggest": suggest(name, fields)})
            continue
        if not isinstance(param, str) or not param.strip():
            check.add(join_path(where, name), _("expected a parameter name (text)"))
            continue
        key = param_key(param)
        if key in seen:
            check.add(join_path(where, name),
                      _("parameter %(param)r is already the field %(seen)r") % {
                          "param": param, "seen": seen[key]})
            continue
        seen[key] = name
        params[name] = param.strip()
    return params


def _build_sync(top: dict[str, Any], check: Checker, fields: dict[str, FieldSpec],
                wiki_maps: dict[str, WikiMapping]) -> tuple[str, ...]:
    """``sync``: known fields that at least one wiki maps."""
    names = check.text_list(top, "sync", "")
    for index, name in enumerate(names):
        where = f"sync[{index}]"
        if name not in fields:
            check.add(where, _("unknown field %(name)r%(suggest)s") % {
                "name": name, "suggest": suggest(name, fields)})
        elif wiki_maps and not any(name in w.params for w in wiki_maps.values()):
            check.add(where, _("the field %(name)r is mapped on no wiki (add it to some "
                               "params)") % {"name": name})
    return names
