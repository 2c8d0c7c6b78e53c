"""Page templates: plain wikitext files with ``{{{field}}}`` and ``{{{field|default}}}``.

:func:`render` replaces each placeholder with the field's value, escaped for the place it lands
in: inside a template call or a link with :func:`wikisync.wikitext.escape_value` (``|``, ``}}``
... can never break the call), in free text with :func:`wikisync.wikitext.escape_free_text` (the
value cannot open a template, link or heading it does not close). Values are normalised like
field values (:func:`wikisync.wikitext.normalize_value`: NFC, LF newlines, stripped).

Rendering is strict: a placeholder with neither a value nor a default is an error
(:class:`InputError`), so is a value for a field the mapping does not know, and so is a
placeholder naming a field the mapping does not know (:class:`ConfigError`, the page template is
wrong). As in MediaWiki, a value that is given but empty wins over the default.

:func:`render_and_verify` also proves that the rendered page reads back, through the record's
template, to exactly the intended value of every mapped parameter.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from wikisync.errors import ConfigError, InputError, WikitextError
from wikisync.i18n import _
from wikisync.titles import param_key
from wikisync.wikitext import (
    Placeholder,
    check_storable,
    escape_free_text,
    escape_value,
    find_placeholders,
    normalize_value,
    read_fields,
)

log = logging.getLogger(__name__)

__all__ = ["render", "render_and_verify"]


def _escape_for(value: str, context: str) -> str:
    """``value`` escaped for a placeholder in ``context`` ("call", "link" or "text")."""
    value = normalize_value(value)
    return escape_free_text(value) if context == "text" else escape_value(value)


class _Renderer:
    """One rendering: the values, the known fields and the problems found on the way."""

    def __init__(self, values: Mapping[str, str], known: list[str]) -> None:
        self.values = values
        self.known = known
        self.missing: list[str] = []
        self.unknown: list[str] = []

    def text(self, template_text: str, outer: str = "text") -> str:
        """Render ``template_text``; placeholders inherit a call/link context from ``outer``."""
        out: list[str] = []
        pos = 0
        for ph in find_placeholders(template_text):
            out.append(template_text[pos: ph.start])
            out.append(self.placeholder(ph, ph.context if outer == "text" else outer))
            pos = ph.end
        out.append(template_text[pos:])
        return "".join(out)

    def placeholder(self, ph: Placeholder, context: str) -> str:
        if ph.name not in self.known:
            self.unknown.append(ph.name)
            return ""
        if ph.name in self.values:
            return _escape_for(self.values[ph.name], context)
        if ph.default is not None:
            return self.text(ph.default, context)
        self.missing.append(ph.name)
        return ""


def _check_values(values: Mapping[str, str], known: list[str]) -> None:
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise InputError(
            _("unknown field(s) %(unknown)s; the mapping knows: %(known)s") % {
                "unknown": ', '.join(unknown), "known": ', '.join(known)},
            hint=_("check the field names given with --set or in the file"),
        )
    for name, value in values.items():
        check_storable(value, f"the value of {name!r}")


def render(template_text: str, values: Mapping[str, str], known_fields: Iterable[str]) -> str:
    """The page template with every placeholder replaced by its (escaped) value or default."""
    known = list(known_fields)
    _check_values(values, known)
    renderer = _Renderer(values, known)
    text = renderer.text(template_text)
    if renderer.unknown:
        raise ConfigError(
            [f"the page template uses {{{{{{{name}}}}}}}, which is not a field of the mapping"
             for name in sorted(set(renderer.unknown))],
            hint=_("the mapping's fields are: %(known)s") % {"known": ', '.join(known)},
        )
    if renderer.missing:
        names = ", ".join(sorted(set(renderer.missing)))
        raise InputError(
            _("no value for %(names)s (the page template has no default for it)") % {
                "names": names},
            hint=_("give it with --set FIELD=VALUE, or add a default {{{field|...}}} to the "
                   "page template"),
        )
    return text


def render_and_verify(template_text: str, values: Mapping[str, str],
                      known_fields: Iterable[str], names: Iterable[str] | str,
                      params: Mapping[str, str]) -> str:
    """:func:`render`, then prove that the record's template reads back right.

    ``names`` are the template's name and aliases, ``params`` maps each field to its parameter
    on this wiki. Every mapped field that has a value must read back, from its parameter, as
    exactly that value (normalised); otherwise :class:`WikitextError`, and nothing is returned.
    """
    text = render(template_text, values, known_fields)
    fields = {param_key(name): value for name, value in read_fields(text, names).items()}
    problems = []
    for field, param in params.items():
        if field not in values:
            continue
        want = normalize_value(values[field])
        got = fields.get(param_key(param))
        if got != want:
            problems.append(_("%(param)r (field %(field)r) reads %(got)r, not %(want)r") % {
                "param": param, "field": field, "got": got, "want": want})
    if problems:
        raise WikitextError(
            _("the rendered page does not read back as intended: %(problems)s")
            % {"problems": "; ".join(problems)},
            hint=_("check that the page template puts {{{field}}} alone as the value of the "
                   "parameter the mapping names for it"),
        )
    return text
