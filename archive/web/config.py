"""The Datasette that ``archive serve`` runs, built in one place so tests get the same one.

Two modes. The default is for the archivist on their own machine: all of
Datasette, SQL included. ``--reviewers`` is for a shared office machine:
no arbitrary SQL, no database download, no full CSV stream (the canned
queries, facets and search still work), and, when a password hash is given,
nobody sees anything before logging in.

The metadata is the package's own (``archive.shipped``) unless the operator
names a file with ``--metadata``; either way a canned query that writes is
never offered to an anonymous visitor, and ``--reviewers`` serves none. The
Datasette is given the catalog, the metadata and the settings and nothing
else: no configuration folder, plugins folder, template folder or static
mount, so no file in the current folder, the archive root or an ingested
folder can change what it serves.

The hash is never written anywhere: the configuration names the environment
variable that holds it (Datasette's ``{"$env": ...}``), read when someone logs
in. The login form is datasette-auth-passwords' (PBKDF2-SHA256 hashes, made by
``datasette hash-password``).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette
from datasette.utils import actor_matches_allow

from archive.errors import ArchiveError

LOGIN_PLUGIN = "datasette-auth-passwords"
# The one shared account of an office machine; its password is what the ward hands out.
ACCOUNT = "canbo"
HASH_PREFIX = "pbkdf2_sha256$"
# Datasette's allow block for "any logged-in actor": anonymous visitors have no id.
LOGGED_IN: dict[str, str] = {"id": "*"}

REVIEWER_SETTINGS: dict[str, Any] = {
    "default_allow_sql": False,
    "allow_download": False,
    "allow_csv_stream": False,
    "suggest_facets": False,
}
COMMON_SETTINGS: dict[str, Any] = {
    # The units and tags facets now count from the link tables (archive/web/facets.py);
    # a common word at a million photos still needs seconds for its count and facets,
    # which is work to rewrite (issue "Scale"), not a limit to raise.
    "facet_time_limit_ms": 1000,
    # Suggestions try every column over every filtered row on each load.
    "suggest_facets": False,
}


class ServeConfigError(ArchiveError):
    """A configuration the server cannot start with; one line for the user."""


def load_metadata(path: Path | None) -> dict[str, Any]:
    """A metadata file (YAML or JSON) as a dict; empty for None.

    An unreadable or malformed file is a ServeConfigError naming it, so
    ``archive serve --metadata FILE`` says what is wrong in one line.
    """
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            metadata = yaml.safe_load(handle)
    except OSError as error:
        raise ServeConfigError(f"{path}: cannot read it ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise ServeConfigError(f"{path}: not UTF-8 text") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ServeConfigError(f"{path}: not valid YAML{where}") from error
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise ServeConfigError(f"{path}: not Datasette metadata (a mapping of keys)")
    return metadata


def guard_metadata(
    metadata: dict[str, Any], *, reviewers: bool, source: str = "metadata"
) -> dict[str, Any]:
    """The metadata with every writing canned query closed to anonymous visitors.

    A query with ``write: true`` runs INSERT/UPDATE/DELETE for whoever may
    view it, and Datasette lets everyone view a query without an ``allow``
    block. So such a query gets ``allow: {id: "*"}`` (a logged-in actor) when
    it has none, one whose ``allow`` admits the anonymous is refused, and
    ``--reviewers`` (a shared office machine: reading only) refuses them all,
    and an ``allow_sql`` block too, which would turn arbitrary SQL back on
    whatever the ``default_allow_sql`` setting says.
    """
    guarded = copy.deepcopy(metadata)
    databases = guarded.get("databases") or {}
    if not isinstance(databases, dict):
        raise ServeConfigError(f"{source}: databases must be a mapping of database names")
    if reviewers and (
        "allow_sql" in guarded or any("allow_sql" in (c or {}) for c in databases.values())
    ):
        raise ServeConfigError(f"{source}: has an allow_sql block; --reviewers serves no SQL")
    for database, config in databases.items():
        queries = (config or {}).get("queries") or {}
        if not isinstance(queries, dict):
            raise ServeConfigError(f"{source}: queries of {database!r} must be a mapping")
        for name, query in queries.items():
            if not isinstance(query, dict) or not query.get("write"):
                continue
            what = f"{source}: canned query {name!r} of {database!r} writes (write: true)"
            if reviewers:
                raise ServeConfigError(f"{what}; --reviewers serves no query that writes")
            if "allow" not in query:
                query["allow"] = dict(LOGGED_IN)
            elif actor_matches_allow(None, query["allow"]):
                raise ServeConfigError(
                    f"{what} and its allow block admits anonymous visitors;"
                    " allow only logged-in actors (allow: {id: '*'})"
                )
    return guarded


def reviewer_metadata(metadata: dict[str, Any], password_hash_env: str | None) -> dict[str, Any]:
    """The metadata with a login required of everyone, when a hash variable is named."""
    if not password_hash_env:
        return metadata
    value = os.environ.get(password_hash_env, "")
    if not value:
        raise ServeConfigError(f"${password_hash_env} is empty: put the password hash in it")
    if not value.startswith(HASH_PREFIX):
        raise ServeConfigError(
            f"${password_hash_env} does not hold a password hash (make one with"
            " `datasette hash-password`)"
        )
    locked = copy.deepcopy(metadata)
    locked["allow"] = {"id": "*"}  # any logged-in actor; the anonymous get the login page
    plugins = locked.setdefault("plugins", {})
    plugins[LOGIN_PLUGIN] = {f"{ACCOUNT}_password_hash": {"$env": password_hash_env}}
    return locked


def settings_for(reviewers: bool) -> dict[str, Any]:
    return {**COMMON_SETTINGS, **(REVIEWER_SETTINGS if reviewers else {})}


def build_datasette(
    catalog_path: Path,
    metadata: dict[str, Any],
    *,
    reviewers: bool = False,
    password_hash_env: str | None = None,
    source: str = "metadata",
) -> Datasette:
    """A Datasette on the catalog with the given metadata and the chosen mode.

    The catalog is opened read-write (not immutable) so it keeps seeing what a
    running ``archive ingest`` commits; WAL lets both go on at once. The
    folders Datasette could read configuration, plugins, templates or static
    files from are named as None, on purpose: the package brings its own.
    ``source`` names the metadata in error messages.
    """
    metadata = guard_metadata(metadata, reviewers=reviewers, source=source)
    return Datasette(
        [str(catalog_path)],
        metadata=reviewer_metadata(metadata, password_hash_env),
        settings=settings_for(reviewers),
        config_dir=None,
        plugins_dir=None,
        template_dir=None,
        static_mounts=None,
    )
