"""/misiones end to end: the shipped missions, given on registration, advanced by /regalo, celebrated.

The product's own composition on memory storage, aiogram polling a fake Bot API; events are delivered by
``world.bus.deliver_pending()`` (every handler, rounds until quiet).
"""

from tests.integration.telegram_world import ANA, WELCOME, World
from yabot_adapters.telegram.routers.missions import progress_bar


async def test_registration_gives_missions_and_the_first_gift_completes_one(world: World) -> None:
    """/start gives the shipped missions; /regalo completes «Su primer regalo»: celebrated, paid once."""
    await world.say("/start")
    await world.bus.deliver_pending()

    listing = await world.say("/misiones")
    assert listing.startswith("Permítame repasar sus encargos, <b>Ana</b>.")
    assert (
        "<b>Su primer regalo</b>\n<i>Recoja su primer regalo diario con /regalo.</i>\n▱▱▱▱▱▱▱▱▱▱ 0/1"
        in listing
    )
    assert "<b>Constancia</b> · <i>de esta semana</i>" in listing
    assert "Cumplidas" not in listing

    gift = await world.say("/regalo")
    assert "Primer día de su racha" in gift
    before = len(world.server.messages(ANA))
    await world.bus.deliver_pending()
    await world.bus.deliver_pending()  # a redelivery finds nothing owed: nothing is counted twice
    celebration = world.server.messages(ANA)[before:]
    assert celebration == [
        "¡Bravo, Ana! Ha cumplido la misión <b>Su primer regalo</b>. Le abono <b>10 besitos</b> en su"
        " cuenta.",
        # the first mission done unlocks the shipped logro «primera-mision» (logros count missions.completed)
        "¡Enhorabuena, Ana! Ha desbloqueado el logro <b>Al servicio de Diana</b>. Le abono <b>10 besitos</b>"
        " en su cuenta.",
    ]

    listing = await world.say("/misiones")
    assert "<b>Cumplidas</b>\n✓ Su primer regalo" in listing
    assert "▰▰▰▱▱▱▱▱▱▱ 1/3" in listing
    statement = await world.wallet.statement(ANA, limit=10)
    reasons = sorted(entry.reason for entry in statement.history.entries)
    assert reasons == ["achievement_reward", "daily_gift", "mission_reward", "welcome_gift"]
    assert statement.balance.balance == sum(e.amount for e in statement.history.entries)
    assert statement.balance.balance > WELCOME + 10


def test_the_bar_is_full_only_when_done() -> None:
    """Nine of ten shows nine blocks, never ten; ten of ten is full; zero targets do not divide by zero."""
    assert progress_bar(9, 10) == "▰" * 9 + "▱"
    assert progress_bar(99, 100) == "▰" * 9 + "▱"
    assert progress_bar(3, 3) == "▰" * 10
    assert progress_bar(0, 0) == "▰" * 10
