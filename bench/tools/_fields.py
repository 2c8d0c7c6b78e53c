"""Extract one template call's parameters from a page text, as a peer script would."""

from __future__ import annotations

import mwparserfromhell


def template_fields(text: str, template: str) -> dict[str, str]:
    """``{param: value}`` of the first call of ``template`` in ``text`` (empty if absent)."""
    wanted = template.strip().replace("_", " ").lower()
    for node in mwparserfromhell.parse(text).filter_templates(recursive=False):
        if str(node.name).strip().replace("_", " ").lower() == wanted:
            return {str(p.name).strip(): str(p.value).strip() for p in node.params}
    return {}
