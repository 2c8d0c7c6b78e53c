"""git-remote-mediawiki read: clone a category, then extract each page's fields from the files.

    python git_read.py http://HOST:PORT CATEGORY TEMPLATE DEST

``remote.origin.categories`` limits the clone to the category; ``remote.origin.shallow``
fetches only the last revision of each page (what the other tools read). Prints
``{"pages": N, "fields": M}``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from _fields import template_fields


def main(url: str, category: str, template: str, dest: str) -> None:
    subprocess.run(
        ["git", "clone", "-q", "-c", f"remote.origin.categories={category}",
         "-c", "remote.origin.shallow=true", f"mediawiki::{url}", dest],
        check=True, stdout=subprocess.DEVNULL,
    )
    pages = fields = 0
    for path in sorted(Path(dest).glob("*.mw")):
        fields += len(template_fields(path.read_text(encoding="utf-8"), template))
        pages += 1
    print(json.dumps({"pages": pages, "fields": fields}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
