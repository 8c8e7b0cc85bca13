"""/regalo end to end: the product's own composition, aiogram polling a fake Bot API, one fan a day.

The content is the shipped one (``yabot_app/content/daily_gift.yaml``: 5 besitos on a streak's first day,
one more each day after); the draw is seeded (``YABOT_DAILY_GIFT_SEED=2`` draws the rose twice), and the
calendar is Madrid's (the world's ``YABOT_TIMEZONE``): the fake clock starts at 13:00 there.
"""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.integration.inventory_fan import Fan
from tests.integration.telegram_world import ANA, GUARD, WELCOME, World
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.daily_gift import DailyGiftModule
from yabot_app.modules.inventory import InventoryModule
from yabot_core.daily_gift import REMINDER_TIMER, day_of
from yabot_core.inventory import ItemId
from yabot_core.kernel import CorrelationId, EventId, FakeClock, TimerFired

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


async def settle(world: World) -> None:
    """Fire what is due and deliver what it causes, until nothing is left (timers, then events, ...)."""
    ticker = world.container.ticker()
    for _ in range(10):
        fired = await ticker.fire_due()
        delivered = await world.bus.deliver_pending()
        if not fired and not delivered:
            return
    msg = "timers and events kept coming"
    raise AssertionError(msg)


async def press(world: World, fan: Fan, label: str) -> str:
    """Press a button of the fan's last screen; return the notice the bot answered with."""
    answered = len(world.server.calls("answerCallbackQuery"))
    world.server.feed(
        {
            "update_id": world.server.next_update_id(),
            "callback_query": {
                "id": f"press-{label}-{answered}",
                "from": {"id": fan.user_id, "is_bot": False, "first_name": fan.first_name},
                "chat_instance": "ci",
                "message": {
                    "message_id": 777,
                    "date": 1,
                    "chat": {"id": fan.user_id, "type": "private", "first_name": fan.first_name},
                    "text": "…",
                },
                "data": fan.screen.data(label),
            },
        }
    )
    answer = await world.server.wait_for_call("answerCallbackQuery", answered + 1, timeout=GUARD)
    return str(answer.params.get("text"))


async def test_lucien_reminds_an_opted_in_fan_once_on_an_evening_without_a_claim(
    world: World, clock: FakeClock
) -> None:
    """On at 19:00 (Madrid) the day after a claim: one reminder; redeliveries, or a claimed day, none."""
    fan = Fan(world.server, ANA)
    await fan.command("/start")
    await world.bus.deliver_pending()
    first = await fan.command("/regalo")
    assert first.labels == ["Recuérdemelo cada tarde"]
    notice = await press(world, fan, "Recuérdemelo cada tarde")
    assert notice == "Entendido: si a las 19:00 no ha recogido su regalo, me permitiré recordárselo."
    (edit,) = world.server.calls("editMessageReplyMarkup")
    assert edit.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "No me lo recuerde más"
    assert (await fan.command("/regalo")).labels == ["No me lo recuerde más"]

    def reminders() -> list[str]:
        return [text for text in world.server.messages(ANA) if text.startswith("Disculpe la intromisión")]

    clock.advance(timedelta(hours=23, minutes=59))  # 12:59 tomorrow in Madrid: not yet
    await settle(world)
    assert reminders() == []
    clock.advance(timedelta(hours=6, minutes=1))  # 19:00 in Madrid, no gift claimed today
    await settle(world)
    clock.advance(timedelta(hours=1))
    await settle(world)
    assert reminders() == [
        "Disculpe la intromisión, Ana: su regalo de hoy aún le espera. Bastará con /regalo antes de"
        " medianoche, y su racha seguirá intacta."
    ]
    module = world.container.modules().get(DailyGiftModule)
    today = day_of(clock.now(), module.reminders.zone)
    fired_again = TimerFired(
        event_id=EventId("again"),
        occurred_at=clock.now(),
        correlation_id=CorrelationId("again"),
        user_id=ANA,
        key=f"daily_gift:remind:{ANA}",
        kind=REMINDER_TIMER,
        due_at=clock.now(),
        payload={"user_id": ANA, "day": today.isoformat()},
    )
    await module.reminders.on_reminder_due(fired_again)  # a redelivery of the evening's timer
    await settle(world)
    assert len(reminders()) == 1

    clock.advance(timedelta(hours=16))  # 12:00 the day after: she claims, and the evening stays quiet
    await fan.command("/regalo")
    clock.advance(timedelta(hours=8))
    await settle(world)
    assert len(reminders()) == 1

    fan.screen = await fan.command("/regalo")
    assert (
        await press(world, fan, "No me lo recuerde más") == "Como usted prefiera: no volveré a recordárselo."
    )
    clock.advance(timedelta(days=1))
    await settle(world)
    assert len(reminders()) == 1


async def test_a_reminder_fired_too_late_stays_silent_and_the_next_evening_speaks(
    world: World, clock: FakeClock
) -> None:
    """A timer fired the morning after (the bot was down) reminds of nothing; that evening's does, once."""
    fan = Fan(world.server, ANA)
    await fan.command("/start")
    await world.bus.deliver_pending()
    module = world.container.modules().get(DailyGiftModule)
    await module.reminders.set_reminders(ANA, enabled=True)  # 13:00 in Madrid: due at 19:00 today

    def reminders() -> list[str]:
        return [text for text in world.server.messages(ANA) if text.startswith("Disculpe la intromisión")]

    clock.advance(timedelta(hours=20))  # 09:00 tomorrow: yesterday's evening went by unseen
    await settle(world)
    assert reminders() == []
    clock.advance(timedelta(hours=10))  # 19:00
    await settle(world)
    assert len(reminders()) == 1
