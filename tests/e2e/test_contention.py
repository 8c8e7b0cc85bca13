"""Many `yabot` processes writing one SQLite file at once: every grant succeeds, and lands exactly once."""

import asyncio
import re
from pathlib import Path

import pytest

from tests.e2e.process import Result, Served, yabot, yabot_env
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import opened
from yabot_adapters.system import SystemClock
from yabot_app.settings import SQLITE_FILE
from yabot_core.kernel import UserId
from yabot_core.wallet import LedgerEntry

pytestmark = pytest.mark.slow

GRANTS = 12
AT_ONCE = 12
"""Grant processes alive at a time: all of them. Each spends about a CPU-second starting Python, so on two
cores they reach SQLite's one write lock together, queued for it (what this proves); more grants would prove
nothing more and only cost minutes of `make test`. They run in the background (lowest priority), so the test
running beside this one keeps its CPU."""

COMMAND_GUARD = 300.0
"""Hang guard per grant: with 50 sharing two cores, one takes tens of seconds on a loaded machine."""

TEST_GUARD = 900
"""Hang guard for the whole test: 12 processes of about a CPU-second each, on two shared cores."""

USER = UserId(1)
BEFORE = 7


async def grant_in_parallel(env: dict[str, str], cwd: Path) -> list[Result]:
    """Run ``GRANTS`` grants of 1 besito to ``USER``, each its own process with its own key, ``AT_ONCE`` at a
    time. A task group cancels (so kills) the rest if one of them fails to finish."""
    gate = asyncio.Semaphore(AT_ONCE)

    async def grant(n: int) -> Result:
        async with gate:
            args = ("wallet", "grant", str(USER), "1", "--reason", "x", "--key", f"contention-{n}")
            return await yabot(*args, env=env, cwd=cwd, timeout=COMMAND_GUARD, background=True)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(grant(n)) for n in range(GRANTS)]
    return [task.result() for task in tasks]


async def stored(data_dir: Path) -> tuple[int, list[LedgerEntry]]:
    """``USER``'s balance and whole ledger, read from the file."""
    async with opened(SqliteStorage(data_dir / SQLITE_FILE, SystemClock())) as storage:
        balance = (await storage.wallet_queries.balance(USER)).balance
        total = (await storage.wallet_queries.statement(USER, limit=1, offset=0)).history.total
        pages = [
            (await storage.wallet_queries.statement(USER, limit=100, offset=offset)).history
            for offset in range(0, total, 100)
        ]
    return balance, [entry for page in pages for entry in page.entries]


async def assert_each_landed_once(results: list[Result], data_dir: Path) -> None:
    """Every grant exited 0, and the file holds exactly its entry, once, and the balance they add up to."""
    failed = [result.stderr.strip() for result in results if result.returncode != 0]
    assert not failed, f"{len(failed)} of {GRANTS} grants failed, e.g.:\n" + "\n".join(failed[:5])
    reported = [re.search(r"Movimiento (\w+),", result.stdout) for result in results]
    assert all(reported), results
    balance, ledger = await stored(data_dir)
    assert balance == BEFORE + GRANTS
    granted = [entry for entry in ledger if entry.idempotency_key.startswith("contention-")]
    assert sorted(entry.idempotency_key for entry in granted) == sorted(
        f"contention-{n}" for n in range(GRANTS)
    )
    assert sorted(entry.entry_id for entry in granted) == sorted(
        match.group(1) for match in reported if match
    )
    assert len(ledger) == GRANTS + 1
    assert sorted(entry.sequence for entry in ledger) == list(range(1, GRANTS + 2))


@pytest.mark.timeout(TEST_GUARD)
async def test_parallel_grants_on_a_served_file_all_land_once(tmp_path: Path) -> None:
    """12 `yabot wallet grant` processes at once, beside `yabot run`: all succeed, each lands once."""
    env = yabot_env(tmp_path)
    async with Served(env, tmp_path) as served:
        first = await yabot(
            "wallet", "grant", str(USER), str(BEFORE), "--reason", "antes", env=env, cwd=tmp_path
        )
        assert first.returncode == 0, first.stderr
        results = await grant_in_parallel(env, tmp_path)
        body = (await served.read(f"/api/v1/users/{USER}/besitos")).json()
        assert await served.stop() == 0
    assert (body["balance"], body["history"]["total"]) == (BEFORE + GRANTS, GRANTS + 1)
    await assert_each_landed_once(results, tmp_path / "data")


@pytest.mark.timeout(TEST_GUARD)
async def test_parallel_grants_after_the_server_was_killed_all_land_once(tmp_path: Path) -> None:
    """With `yabot run` killed, 12 parallel grants all succeed too, each landing once."""
    # Now a grant may be the file's last connection, which on close checkpoints the WAL under an exclusive
    # lock: the other grants' first read then finds the file busy.
    env = yabot_env(tmp_path)
    async with Served(env, tmp_path) as served:
        first = await yabot(
            "wallet", "grant", str(USER), str(BEFORE), "--reason", "antes", env=env, cwd=tmp_path
        )
        assert first.returncode == 0, first.stderr
        await served.kill()
    results = await grant_in_parallel(env, tmp_path)
    await assert_each_landed_once(results, tmp_path / "data")
