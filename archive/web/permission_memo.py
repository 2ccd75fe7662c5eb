"""Permission checks answered once per request, or once for the process when that is safe.

Datasette 0.65.5 answers each permission check by deep-copying the whole
metadata and, for a table, asking SQLite how the table's name is spelled
(0.3 ms a check; a page makes four to a dozen). Within one request the actor and
the metadata are the same, so is the answer. When the only checks installed are
Datasette's own (which read nothing but the actor and the metadata, fixed while
the server runs) and no plugin supplies metadata, an answer is kept for the
process, per actor; with any other permission or metadata plugin each request
checks again.
"""

from __future__ import annotations

import json
from typing import Any

from datasette.plugins import pm

from archive.web.request_memo import once

# Datasette's own permission checks: functions of the actor and the metadata alone.
PURE_PERMISSION_PLUGINS = frozenset({"datasette.default_permissions"})
KEPT_PERMISSIONS = 4096  # answers kept for the process at most (then forgotten, all at once)


def permissions_are_pure() -> bool:
    """Whether every permission answer is a function of the actor and the fixed metadata."""
    checks = {impl.plugin_name for impl in pm.hook.permission_allowed.get_hookimpls()}
    return checks <= PURE_PERMISSION_PLUGINS and not pm.hook.get_metadata.get_hookimpls()


def install(datasette: Any) -> None:
    """Answer each (actor, action, resource) permission check once per request, or once
    for the process when :func:`permissions_are_pure`."""
    if getattr(datasette, "_archive_permission_memo", False):
        return
    check = datasette.permission_allowed
    kept: dict[Any, Any] | None = {} if permissions_are_pure() else None

    async def permission_allowed(
        actor: Any, action: str, resource: Any = None, default: bool = False
    ) -> Any:
        try:
            who = json.dumps(actor, sort_keys=True, default=repr)
            key = ("permission", who, action, resource, default)
            hash(key)
        except TypeError:  # a resource that cannot be a key: checked as it is
            return await check(actor, action, resource=resource, default=default)
        if kept is not None and key in kept:
            return kept[key]
        answer = await once(key, check, actor, action, resource, default)  # once a request
        if kept is not None:  # the answer, never the future: the next request may be another loop
            if len(kept) >= KEPT_PERMISSIONS:
                kept.clear()
            kept[key] = answer
        return answer

    datasette.permission_allowed = permission_allowed
    datasette._archive_permission_memo = True
