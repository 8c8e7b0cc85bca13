"""/regalo end to end: the product's own composition, aiogram polling a fake Bot API, one fan a day.

The content is the shipped one (``yabot_app/content/daily_gift.yaml``: 5 besitos on a streak's first day,
one more each day after); the draw is seeded (``YABOT_DAILY_GIFT_SEED=2`` draws the rose twice), and the
calendar is Madrid's (the world's ``YABOT_TIMEZONE``): the fake clock starts at 13:00 there.
"""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.integration.telegram_world import ANA, WELCOME, World
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.inventory import InventoryModule
from yabot_core.inventory import ItemId
from yabot_core.kernel import FakeClock

ROSE = ItemId("rosa-roja")


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    world = World(clock, server, daily_gift_seed=2)
    await world.start_polling()
    yield world
    await world.close()


async def test_a_fan_claims_once_a_day_and_the_streak_grows(world: World, clock: FakeClock) -> None:
    """The first /regalo pays and tells what; the second that day changes nothing; the next day pays more."""
    await world.say("/start")
    await world.bus.deliver_pending()

    first = await world.say("/regalo")
    assert "Diana le ha dejado su regalo de hoy" in first
    assert "Primer día de su racha: <b>5 besitos</b>." in first
    assert "Y una sorpresa que ya guardé en su mochila: <b>Rosa roja</b>." in first
    assert "En total, <b>5 besitos</b> más en su cuenta." in first

    again = await world.say("/regalo")
    assert again == (
        "Ya recogió usted el regalo de hoy, Ana, y Diana no olvida a quien la visita. Vuelva mañana:"
        " faltan 11 horas para el próximo."
    )
    clock.advance(timedelta(hours=10, minutes=59, seconds=30))
    assert (await world.say("/regalo")).endswith("falta apenas un minuto para el próximo.")
    assert (await world.wallet.balance(ANA)).balance == WELCOME + 5

    clock.advance(timedelta(seconds=30))  # midnight in Madrid
    second = await world.say("/regalo")
    assert "2 días seguidos viniendo a verla: <b>6 besitos</b>." in second
    statement = await world.wallet.statement(ANA, limit=10)
    assert statement.balance.balance == WELCOME + 5 + 6 == sum(e.amount for e in statement.history.entries)
    mochila = world.container.modules().get(InventoryModule).mochila
    assert (await mochila.item(ANA, ROSE)).quantity == 2


async def test_regalo_is_in_the_menu(world: World) -> None:
    """/ayuda lists /regalo with its description."""
    await world.say("/start")
    assert "/regalo" in await world.say("/ayuda")
