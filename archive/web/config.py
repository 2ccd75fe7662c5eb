"""The Datasette that ``archive serve`` runs, built in one place so tests get the same one.

Two modes. The default is for the archivist on their own machine: all of
Datasette, SQL included. ``--reviewers`` is for a shared office machine:
no arbitrary SQL, no database download, no full CSV stream (the canned
queries, facets and search still work), and, when a password hash is given,
nobody sees anything before logging in.

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

LOGIN_PLUGIN = "datasette-auth-passwords"
# The one shared account of an office machine; its password is what the ward hands out.
ACCOUNT = "canbo"
HASH_PREFIX = "pbkdf2_sha256$"

REVIEWER_SETTINGS: dict[str, Any] = {
    "default_allow_sql": False,
    "allow_download": False,
    "allow_csv_stream": False,
    "suggest_facets": False,
}
COMMON_SETTINGS: dict[str, Any] = {
    # Array facets (units, tags) over a large archive need more than the 200 ms default.
    "facet_time_limit_ms": 1000,
}


class ServeConfigError(ValueError):
    """A configuration the server cannot start with; one line for the user."""


def load_metadata(path: Path | None) -> dict[str, Any]:
    """metadata.yml as a dict (empty when the checkout has none)."""
    if path is None:
        return {}
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


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
) -> Datasette:
    """A Datasette on the catalog with the project's metadata and the chosen mode.

    The catalog is opened read-write (not immutable) so it keeps seeing what a
    running ``archive ingest`` commits; WAL lets both go on at once.
    """
    return Datasette(
        [str(catalog_path)],
        metadata=reviewer_metadata(metadata, password_hash_env),
        settings=settings_for(reviewers),
    )
