"""Builds wikisync (its metadata is in setup.cfg), compiling the message catalogs first.

Each ``wikisync/locale/<lang>/LC_MESSAGES/wikisync.po`` is compiled with Babel into the ``.mo``
beside it before the package's files are collected, so that a wheel, ``pip install .`` and
``pip install -e .`` all carry them. The ``.mo`` files are build output, never committed.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path(__file__).resolve().parent / "wikisync" / "locale"


def compile_catalogs() -> None:
    """Compile every ``.po`` of the package (fuzzy entries are left out, as gettext does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parents[1].name, domain=po.stem)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)


class BuildWithCatalogs(build_py):
    """``build_py`` that compiles the catalogs first (editable installs run it too)."""

    def run(self) -> None:
        compile_catalogs()
        self.__dict__.pop("data_files", None)  # listed again, with the .mo files
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
