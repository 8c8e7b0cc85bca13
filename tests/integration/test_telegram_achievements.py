"""Logros end to end: a press under a channel post pays, unlocks a logro, Lucien celebrates, /logros shows it.

The product's own composition on memory storage, aiogram polling the fake Bot API; the logros and the
reactions are the shipped ones.
"""

from collections.abc import AsyncIterator
from typing import Final

import pytest

from tests.integration.telegram_world import ANA, GUARD, WELCOME, World
from tests.integration.test_telegram_reactions import CANAL, press
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.reactions import ReactionsModule
from yabot_core.kernel import FakeClock

FIRST_REACTION: Final = 5
"""What «primera-reaccion» pays."""


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    server.introduce(
        {"update_id": 0, "channel_post": {"chat": {"id": CANAL, "type": "channel", "title": "D"}}}
    )
    world = World(clock, server, reaction_refresh_seconds=0)
    await world.start_polling()
    yield world
    await world.close()


async def settle(world: World) -> None:
    """Deliver events and what they cause until nothing is left."""
    for _ in range(10):
        if not await world.bus.deliver_pending():
            return
    msg = "events kept coming"
    raise AssertionError(msg)


async def test_a_reaction_unlocks_a_logro_once_and_lucien_celebrates(world: World) -> None:
    """The first press pays a besito and «Primera reacción» (5 more) once; /logros lists it and the next."""
    await world.say("/start")
    await settle(world)
    posts = world.container.modules().get(ReactionsModule).posts
    assert posts is not None
    first = await posts.publish(CANAL, "Buenos días")
    second = await posts.publish(CANAL, "Buenas noches")
    await press(world, ANA, first, 0)
    await press(world, ANA, first, 0)  # taken back
    await press(world, ANA, first, 1)  # and another
    await press(world, ANA, second, 2)
    await settle(world)
    celebrations = await world.server.wait_for_messages(ANA, 2, timeout=GUARD)
    unlocked = [text for text in celebrations if "Ha desbloqueado el logro" in text]
    assert unlocked == [
        "¡Enhorabuena, Ana! Ha desbloqueado el logro <b>Primera reacción</b>. Le abono <b>5 besitos</b> en"
        " su cuenta."
    ]
    statement = await world.wallet.statement(ANA, limit=20)
    assert statement.balance.balance == WELCOME + 2 + FIRST_REACTION
    assert statement.balance.balance == sum(entry.amount for entry in statement.history.entries)

    shown = await world.say("/logros")
    assert "Ya tiene uno." in shown
    assert "🏅 Primera reacción" in shown
    assert "<b>Admirador constante</b>" in shown
    assert "2/10" in shown


async def test_logros_is_in_the_menu(world: World) -> None:
    """/ayuda lists /logros with its description."""
    await world.say("/start")
    assert "/logros" in await world.say("/ayuda")
