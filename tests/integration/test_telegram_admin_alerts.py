"""Admin alerts: when a handler gives up on an event, Lucien tells the admins how to replay it."""

from collections.abc import AsyncIterator

import pytest

from yabot_adapters.bus import LocalEventBus
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.telegram import AdminAlerts, create_bot
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.gamification import BesitosAwarded, LedgerReason, WalletService
from yabot_core.kernel import EventProcessingFailed, FakeClock, RetryPolicy, SequentialIds, UserId

DIANA, ADMIN_WHO_BLOCKED = 1001, 1002


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


async def test_admins_hear_of_a_dead_letter_with_the_replay_command(
    server: FakeTelegramServer, storage: InMemoryStorage, wallet: WalletService, clock: FakeClock
) -> None:
    """Every reachable admin gets the handler, the event type, the error and the exact replay command."""
    bot = create_bot(server.token, api_url=server.base_url)
    bus = LocalEventBus(
        outbox=storage.outbox,
        transactions=storage.transactions,
        dead_letters=storage.dead_letter_queries,
        clock=clock,
        ids=SequentialIds("bus"),
        retry=RetryPolicy(first_delay=0, max_delay=0),
    )

    async def broken(event: BesitosAwarded) -> None:
        raise RuntimeError("el servicio <externo> no responde")

    bus.subscribe(BesitosAwarded, broken, name="missions.count_awards")
    alerts = AdminAlerts(bot, [DIANA, ADMIN_WHO_BLOCKED])
    bus.subscribe(EventProcessingFailed, alerts.on_event_processing_failed, name="telegram.alert_admins")
    server.block(ADMIN_WHO_BLOCKED)
    try:
        await wallet.credit(UserId(5), 10, LedgerReason.ADMIN_GRANT, idempotency_key="k")
        await bus.deliver_pending()
    finally:
        await bot.session.close()

    (letter,) = await storage.dead_letter_queries.list()
    (alert,) = server.messages(DIANA)
    assert "<code>missions.count_awards</code>" in alert
    assert "<code>besitos.awarded</code>" in alert
    assert "tras 3 intentos" in alert
    assert "el servicio &lt;externo&gt; no responde" in alert
    assert f"<code>yabot events replay {letter.dead_letter_id}</code>" in alert
    assert server.messages(ADMIN_WHO_BLOCKED) == []
    assert await storage.outbox.pending(10) == []
