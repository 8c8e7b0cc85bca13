"""Logros end to end: a press under a channel post pays, unlocks a logro, Lucien celebrates, /logros shows it.

The product's own composition on memory storage, aiogram polling the fake Bot API; the logros and the
reactions are the shipped ones.
"""

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
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


CREATOR_MISSIONS: Final = """\
misiones:
  - id: tres-reacciones
    titulo: Tres reacciones
    descripcion: Reaccione a tres publicaciones del canal.
    asignar: registro
    objetivo:
      evento: reactions.detected
      cantidad: 3
      filtro: {source: canal}
    recompensa: {besitos: 10}
"""


async def test_reactions_complete_a_mission_which_unlocks_a_logro_each_paid_once(
    clock: FakeClock, server: FakeTelegramServer, tmp_path: Path
) -> None:
    """Three presses complete the creator's mission; it and the reactions unlock two logros; all paid once."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "misiones.yaml").write_text(CREATOR_MISSIONS, encoding="utf-8")
    channels = (CANAL, CANAL - 1, CANAL - 2)  # three channels: Telegram's one message a second is per chat
    for channel in channels:
        server.introduce({"update_id": 0, "channel_post": {"chat": {"id": channel, "type": "channel"}}})
    world = World(clock, server, reaction_refresh_seconds=0, data_dir=str(tmp_path))
    await world.start_polling()
    try:
        await world.say("/start")
        await settle(world)
        posts = world.container.modules().get(ReactionsModule).posts
        assert posts is not None
        for channel in channels:
            message_id = await posts.publish(channel, "Hoy")
            for _ in range(3):  # the second press takes it back: nothing counts or pays twice
                await press(world, ANA, message_id, 1, chat=channel)
        await settle(world)
        await settle(world)  # redeliveries of what is done change nothing
        texts = await world.server.wait_for_messages(ANA, 4, timeout=GUARD)
        assert sum("Ha cumplido la misión <b>Tres reacciones</b>" in text for text in texts) == 1
        assert sum("el logro <b>Primera reacción</b>" in text for text in texts) == 1
        assert sum("el logro <b>Al servicio de Diana</b>" in text for text in texts) == 1

        statement = await world.wallet.statement(ANA, limit=50)
        by_reason = Counter(str(entry.reason) for entry in statement.history.entries)
        assert by_reason == Counter(
            {"welcome_gift": 1, "reaction_reward": 3, "mission_reward": 1, "achievement_reward": 2}
        )
        assert statement.balance.balance == WELCOME + 3 + 10 + FIRST_REACTION + 10
        assert statement.balance.balance == sum(entry.amount for entry in statement.history.entries)
    finally:
        await world.close()
