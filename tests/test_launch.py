"""The entry point: which command lines start an ingest's workers early, and what it imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from archive.command_words import command_name, group_words, starts_workers


@pytest.mark.parametrize(
    ("words", "name"),
    [
        (["ingest", "photos/"], "ingest"),
        (["--root", "ingest", "verify"], "verify"),  # a folder named like a command
        (["--root=kho", "--debug", "ingest", "x"], "ingest"),
        (["--debug"], None),
        ([], None),
    ],
)
def test_the_command_is_the_first_word_after_the_groups_options(
    words: list[str], name: str | None
) -> None:
    assert command_name(words) == name


@pytest.mark.parametrize(
    ("words", "values"),
    [
        (["--root", "kho", "ingest", "--root", "x"], {"--root": "kho"}),  # the command's own
        (["--debug", "--root=kho ảnh", "verify"], {"--root": "kho ảnh"}),
        (["--root", "a", "--root", "b", "serve"], {"--root": "a"}),  # the first, as before
        (["--root"], {}),
    ],
)
def test_the_groups_values_are_those_before_the_command(
    words: list[str], values: dict[str, str]
) -> None:
    assert group_words(words)[0] == values


@pytest.mark.parametrize(
    ("words", "cpus", "early"),
    [
        (["ingest", "photos/"], 2, True),
        (["ingest", "photos/"], 1, False),  # one CPU: one worker, in the ingest itself
        (["ingest", "photos/"], None, False),  # unknown: as one
        (["ingest", "--jobs", "1", "photos/"], 8, False),
        (["ingest", "--jobs=1", "photos/"], 8, False),
        (["ingest", "--jobs", "3", "photos/"], 1, True),
        (["ingest", "--jobs", "0", "photos/"], 4, True),
        (["ingest", "--jobs", "2", "--jobs", "1", "x"], 4, False),  # click keeps the last
        (["ingest", "--help"], 4, False),
        (["--root", "kho", "ingest", "-h"], 4, False),
        (["--root", "ingest", "verify"], 4, False),
        (["serve"], 4, False),
    ],
)
def test_only_an_ingest_that_may_use_a_pool_starts_its_workers_early(
    words: list[str], cpus: int | None, early: bool
) -> None:
    assert starts_workers(words, cpus) is early


def test_the_entry_module_imports_nothing_of_the_command() -> None:
    """Every ingest worker imports the `archive` script, and so this module, again."""
    probe = (
        "import sys; import archive.launch; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('archive', 'ingest', 'click', 'PIL', 'sqlite_utils', 'multiprocessing')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "['archive', 'archive.launch']"
