"""The build step that carries the root's metadata.yml and examples/ into the package.

Everything else about the distribution is in pyproject.toml. The Datasette
metadata and the bundled example stay at the root of the source, the one copy
everyone edits; a wheel has no root, so the build copies them into the built
package as ``archive/_shipped/``, where ``archive.shipped`` reads them. An
editable install reads them from the checkout instead, so nothing is copied
for it.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")


class BuildWithShipped(build_py):
    """build_py, plus the metadata and the example's event folders under archive/_shipped/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "archive" / "_shipped"
        if target.exists():
            shutil.rmtree(target)  # a previous build's copy may hold files since removed
        target.mkdir(parents=True)
        shutil.copy2(ROOT / "metadata.yml", target / "metadata.yml")
        compile_catalogs(Path(self.build_lib) / "archive" / "locale")
        for event in sorted((ROOT / "examples").iterdir()):
            if event.is_dir():
                shutil.copytree(event, target / "examples" / event.name, ignore=IGNORED)


def compile_catalogs(locale: Path) -> None:
    """Each archive/locale/<lang>/LC_MESSAGES/archive.po as the .mo gettext reads, in the build.

    archive/pofile.py is loaded by its path: it needs only the standard
    library, so the build needs neither Babel nor GNU gettext.
    """
    spec = importlib.util.spec_from_file_location("pofile", ROOT / "archive" / "pofile.py")
    assert spec and spec.loader
    pofile = importlib.util.module_from_spec(spec)
    sys.modules["pofile"] = pofile  # its dataclasses look their module up there
    spec.loader.exec_module(pofile)
    for po in sorted((ROOT / "archive" / "locale").glob("*/LC_MESSAGES/*.po")):
        relative = po.relative_to(ROOT / "archive" / "locale")
        pofile.compile_po(po, (locale / relative).with_suffix(".mo"))


setup(cmdclass={"build_py": BuildWithShipped})
