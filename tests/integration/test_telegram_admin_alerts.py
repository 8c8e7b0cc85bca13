"""Admin alerts: when a handler gives up on an event, Lucien tells the admins how to replay it."""

from collections.abc import AsyncIterator

import pytest

from tests.integration.telegram_world import World
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import FakeClock, UserId
from yabot_core.wallet import ADMIN_GRANT, BesitosAwarded

DIANA, ADMIN_WHO_BLOCKED = 1001, 1002


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


async def test_admins_hear_of_a_dead_letter_with_the_replay_command(
    server: FakeTelegramServer, clock: FakeClock
) -> None:
    """Every reachable admin gets the handler, the event type, the error and the exact replay command."""
    world = World(clock, server, admin_ids=[DIANA, ADMIN_WHO_BLOCKED])

    async def broken(event: BesitosAwarded) -> None:
        raise RuntimeError("el servicio <externo> no responde")

    world.bus.subscribe(BesitosAwarded, broken, name="missions.count_awards")
    server.block(ADMIN_WHO_BLOCKED)
    try:
        await world.wallet.credit(UserId(5), 10, ADMIN_GRANT, idempotency_key="k")
        await world.bus.deliver_pending()
    finally:
        await world.close()

    (letter,) = await world.storage.dead_letter_queries.list()
    (alert,) = server.messages(DIANA)
    assert "<code>missions.count_awards</code>" in alert
    assert "<code>besitos.awarded</code>" in alert
    assert "tras 3 intentos" in alert
    assert "el servicio &lt;externo&gt; no responde" in alert
    assert f"<code>yabot events replay {letter.dead_letter_id}</code>" in alert
    assert server.messages(ADMIN_WHO_BLOCKED) == []
    assert await world.storage.outbox.backlog() == {}
