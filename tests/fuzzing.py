"""What the fuzz tests share: Hypothesis profiles, a per-example budget, byte mutations.

Profiles, chosen by ``FUZZ_PROFILE``:

- ``smoke`` (the default, what CI runs): few examples per property, derandomized so a CI run
  is repeatable, no deadline (a loaded machine must not fail a run by being slow).
- ``long``: many examples, random, with a deadline that flags an input making a reader slow.

``FUZZ_EXAMPLES=N`` overrides the number of examples of either.

Every example runs inside :func:`bounded`: a wall-clock budget (an interval timer raising
:class:`Hang`, a BaseException so that a reader's ``except Exception`` cannot swallow it) and
a limit on how much the process's peak memory grows. A hang or a runaway allocation is a
failure, with the input shrunk.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

T = TypeVar("T")

_EXAMPLES = os.environ.get("FUZZ_EXAMPLES")
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile(
    "smoke",
    max_examples=int(_EXAMPLES or 30),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_SLOW_OK,
    print_blob=True,
)
settings.register_profile(
    "long",
    max_examples=int(_EXAMPLES or 20_000),
    deadline=timedelta(seconds=5),
    database=None,
    suppress_health_check=_SLOW_OK,
    print_blob=True,
)
settings.load_profile(os.environ.get("FUZZ_PROFILE", "smoke"))

SECONDS_PER_EXAMPLE = 30.0  # far above any honest input: only a hang gets near it
PEAK_BYTES = 128 * 2**20  # inputs are at most a few MB; a reader may copy them, not explode


class Hang(BaseException):
    """An example ran past SECONDS_PER_EXAMPLE: the reader loops or crawls on this input."""


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field))
    return int(line.split()[1])


def _peak_rss_reset() -> bool:
    """Reset the kernel's record of this process's peak memory (Linux's clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def bounded(read: Callable[[], T]) -> T:
    """Run one reader call within the time budget, failing if its memory grows past the limit.

    Memory is the process's resident peak (VmHWM) over what it held before the call, the
    kernel's own count, so allocations in C (Pillow, expat) count too and nothing slows the
    reader down (tracemalloc made PyYAML's deep recursion 60 times slower). Where /proc has
    no clear_refs the budget is time alone.
    """
    measured = _peak_rss_reset()
    before = _status_kib("VmRSS") if measured else 0
    with _alarm(SECONDS_PER_EXAMPLE):
        result = read()
    if measured:
        growth = (_status_kib("VmHWM") - before) * 1024
        assert growth < PEAK_BYTES, f"memory grew by {growth / 2**20:.1f} MiB"
    return result


def one_line(text: str, limit: int = 600) -> None:
    """What staff read about a bad file: one line, of a length a terminal shows."""
    assert "\n" not in text and "\r" not in text, text[:200]
    assert len(text) <= limit, f"{len(text)} characters: {text[:200]}"


# --- byte mutations -------------------------------------------------------------------------

# Values that break length, count and offset fields: zero, one, the type's maximum, the sign
# bit, and sizes near those of the files.
_INTERESTING = (0, 1, 2, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000)
_INTERESTING += (0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 12, 26, 1000, 65533, 65535)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes], max_ops: int = 8) -> bytes:
    """A seed after a few edits: bit flips, bytes and integers written over, insertions,
    deletions, truncation, and chunks of another seed spliced in (segments moved between
    files). Hypothesis shrinks the list of edits, so a failure reads as a short recipe."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, max_ops))):
        size = len(data)
        op = draw(st.sampled_from(("flip", "byte", "int", "insert", "delete", "cut", "splice")))
        pos = draw(st.integers(0, max(size - 1, 0)))
        if op == "flip" and size:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte" and size:
            data[pos] = draw(st.sampled_from((0x00, 0xFF, 0x7F, 0x80, 0xD8, 0xE1, 0xDA, 0x2A)))
        elif op == "int":
            width = draw(st.sampled_from((2, 4)))
            value = draw(st.sampled_from(_INTERESTING)) % (1 << (8 * width))
            order = draw(st.sampled_from(("big", "little")))
            data[pos : pos + width] = value.to_bytes(width, order)
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 256))]
        elif op == "cut":
            del data[pos:]
        elif op == "splice":
            other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, max(len(other) - 1, 0)))
            length = draw(st.integers(1, 4096))
            data[pos:pos] = other[start : start + length]
    return bytes(data)
