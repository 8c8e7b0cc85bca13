"""Replaying without a bot token: a Telegram handler's dead letter is explained; aiogram stays unloaded."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.process import yabot_env
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import StorageUnitOfWork, opened
from yabot_adapters.system import SystemClock
from yabot_app.settings import SQLITE_FILE
from yabot_core.kernel import DeadLetter, EventId, UserId

pytestmark = pytest.mark.slow

PROBE = """
import sys
from yabot_app.cli import main
sys.argv = ["yabot", "events", "replay", "abcdef123456"]
try:
    main()
except SystemExit as exit:
    print("exit", exit.code)
print("aiogram", "aiogram" in sys.modules)
"""


async def test_replaying_a_telegram_handler_without_a_token_says_why_and_loads_no_bot(tmp_path: Path) -> None:
    """With no token, replaying a notice's dead letter is refused in Spanish (exit 1, audited), no aiogram."""
    env = yabot_env(tmp_path)
    clock = SystemClock()
    async with opened(SqliteStorage(tmp_path / "data" / SQLITE_FILE, clock)) as storage:

        async def bury(uow: StorageUnitOfWork) -> None:
            await uow.dead_letters.save(
                DeadLetter(
                    dead_letter_id="abcdef123456",
                    event_id=EventId("ev-1"),
                    event_type="besitos.awarded",
                    payload="{}",
                    user_id=UserId(5),
                    handler="wallet.grant_notice",
                    error="TelegramNetworkError: sin red",
                    attempts=3,
                    failed_at=clock.now(),
                )
            )

        await storage.transactions.run(bury)
    probe = subprocess.run(  # noqa: ASYNC221  (a short child process, awaited on purpose)
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert probe.stdout.splitlines()[-2:] == ["exit 1", "aiogram False"], probe.stdout + probe.stderr
    assert "El manejador wallet.grant_notice no puede ejecutarse en este proceso" in probe.stderr
    assert "YABOT_BOT_TOKEN" in probe.stderr
    assert "Traceback" not in probe.stderr
    async with opened(SqliteStorage(tmp_path / "data" / SQLITE_FILE, clock)) as storage:
        (entry,) = (await storage.audit_queries.page(limit=10, offset=0)).entries
    assert (entry.action, entry.target, entry.actor.kind) == (
        "events.replay",
        "dead_letter:abcdef123456",
        "operator",
    )
    assert entry.detail["result"] == "manejador_no_disponible"  # the refused attempt is on record too
