"""Questions about other processes of this machine, answered on every platform.

The one place allowed to use POSIX-only calls (tests/test_portability.py lists
it as guarded): each use sits in a branch that Windows never takes.
"""

from __future__ import annotations

import os
import sys


def alive(pid: int) -> bool:
    """Whether a process of this machine is still running; True when it cannot be told.

    On Windows ``os.kill(pid, 0)`` would terminate the process, so there the
    answer is always "maybe": callers use it only to make a message vaguer.
    """
    if sys.platform == "win32":
        return True
    else:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:  # PermissionError: it exists, it is someone else's
            return True
        return True
