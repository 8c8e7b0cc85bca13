"""The e2e harness ends every process it starts, also when starting or running it fails."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.e2e.process import YABOT, Served, yabot, yabot_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads child processes from /proc"),
]


def children() -> set[int]:
    """Ids of this process's ``yabot`` children, zombies (exited, not reaped) included.

    Only ``yabot`` ones: a session-wide server (nx-27017, a Redis started for the suite) is a child of this
    pytest process too, and lives on by design.
    """
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # ``pid (comm) state ppid ...``; comm may hold spaces and ")", so split after the last ")".
            ppid = int(stat.read_text().rpartition(")")[2].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
        if ppid == os.getpid() and (str(YABOT).encode() in command or not command):  # a zombie's is empty
            found.add(int(stat.parent.name))
    return found


def other_tasks() -> set[asyncio.Task[object]]:
    return asyncio.all_tasks() - {asyncio.current_task()}


@pytest.fixture(autouse=True)
def no_children_before() -> None:
    assert children() == set(), "a process of an earlier test is still around"


async def test_a_start_past_its_deadline_kills_and_reaps_the_process(tmp_path: Path) -> None:
    """A `yabot run` not answering /healthz by the deadline is killed and reaped; its readers end too."""
    served = Served(yabot_env(tmp_path), tmp_path)
    try:
        with pytest.raises(AssertionError, match="did not answer /healthz within 0 s"):
            await served.start(deadline=0)
        assert served.returncode is not None
        assert children() == set()
        assert other_tasks() == set()
    finally:
        if served.returncode is None:  # the harness failed to end it: do it here, the test still fails
            await served.kill()


async def test_a_start_whose_process_exits_reports_what_it_printed(tmp_path: Path) -> None:
    """A `yabot run` that exits while starting fails the start with its whole output, and nothing remains."""
    served = Served(yabot_env(tmp_path, storage="papel"), tmp_path)
    with pytest.raises(AssertionError, match="YABOT_STORAGE: debe ser uno de"):
        await served.start()
    assert served.returncode == 1
    assert children() == set()
    assert other_tasks() == set()


class BlockFailedError(Exception):
    pass


async def test_a_block_that_fails_still_ends_its_process(tmp_path: Path) -> None:
    """`async with Served(...)` ends the process when its block raises."""
    served = Served(yabot_env(tmp_path), tmp_path)

    async def failing_block() -> None:
        async with served:
            assert children() == {served.pid}
            raise BlockFailedError

    try:
        with pytest.raises(BlockFailedError):
            await failing_block()
        assert served.returncode is not None
        assert children() == set()
    finally:
        if served.returncode is None:  # the harness failed to end it: do it here, the test still fails
            await served.kill()


async def test_a_command_past_its_timeout_is_killed_and_reaped(tmp_path: Path) -> None:
    """A `yabot` command still running at its timeout is killed and reaped before the timeout propagates."""
    try:
        with pytest.raises(TimeoutError):
            await yabot("run", env=yabot_env(tmp_path), cwd=tmp_path, timeout=0.5)
        assert children() == set()
    finally:
        for pid in children():  # the harness failed to end it: do it here, the test still fails
            os.kill(pid, signal.SIGKILL)
