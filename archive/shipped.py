"""What ships inside the package: the Datasette metadata and the bundled example event.

The server's configuration is part of the product, so it is read from the
installed package and from nowhere else: never from the current folder, the
archive root or an ingested event folder, where anyone able to drop a file
could otherwise add a script to every page or a query that deletes rows.

The files live once, at the root of the source (``metadata.yml``,
``examples/``), where everyone edits them; the build (``setup.py``) copies them
into the built package as ``archive/_shipped/``. A package without that folder
is running from its source checkout (an editable install, the tests): the
checkout is found from the package's own location, never from the current
folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SHIPPED = "_shipped"
METADATA = "metadata.yml"
EXAMPLES = "examples"
DISTRIBUTION = 'name = "ward-photo-archive"'


def source_checkout() -> Path | None:
    """The checkout this package sits in, recognised by its pyproject.toml, else None."""
    root = Path(__file__).resolve().parents[1]
    pyproject = root / "pyproject.toml"
    try:
        if DISTRIBUTION in pyproject.read_text("utf-8"):
            return root
    except OSError:
        pass
    return None


def shipped_path(name: str) -> Path | None:
    """A file or folder shipped with the package (the built copy first), else None.

    ``importlib.resources`` gives a real path for a package installed in a
    folder, which is how pip and pipx install; the ingest needs real paths.
    """
    packaged = resources.files("archive") / SHIPPED / name
    if isinstance(packaged, Path) and packaged.exists():
        return packaged
    checkout = source_checkout()
    if checkout is not None and (checkout / name).exists():
        return checkout / name
    return None


def metadata_path() -> Path | None:
    """The Datasette metadata of the archive: titles, descriptions, facets, canned queries."""
    return shipped_path(METADATA)


def example_events() -> list[Path]:
    """The bundled example's event folders (empty when the package lacks them)."""
    examples = shipped_path(EXAMPLES)
    if examples is None:
        return []
    return sorted(path for path in examples.iterdir() if path.is_dir())
