"""Admin alerts for dead letters: one per handler while its dead letters wait, a reminder, one "resuelto"."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest

from tests.integration.telegram_world import World
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import DeadLetter, FakeClock, UserId
from yabot_core.operations import REMIND_EVERY
from yabot_core.wallet import ADMIN_GRANT, BesitosAwarded

DIANA, ADMIN_WHO_BLOCKED = 1001, 1002
COUNTER, RANKING = "missions.count_awards", "ranking.tally"


def told_about(server: FakeTelegramServer, handler: str) -> list[str]:
    """What Diana was told about ``handler``'s dead letters, in order."""
    return [text for text in server.messages(DIANA) if f"El encargo {handler} " in text]


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

    world.bus.subscribe(BesitosAwarded, broken, name=COUNTER)
    server.block(ADMIN_WHO_BLOCKED)
    try:
        await world.wallet.credit(UserId(5), 10, ADMIN_GRANT, idempotency_key="k")
        await world.bus.deliver_pending()
    finally:
        await world.close()

    (letter,) = await world.storage.dead_letter_queries.list()
    (alert,) = server.messages(DIANA)
    assert alert.startswith("Lamento interrumpirle")
    assert f"El encargo {COUNTER} no ha podido atender el evento besitos.awarded tras 3 intentos." in alert
    assert "el servicio &lt;externo&gt; no responde" in alert
    assert f"yabot events replay {letter.dead_letter_id}" in alert
    assert server.messages(ADMIN_WHO_BLOCKED) == []
    assert await world.storage.outbox.backlog() == {}


async def test_a_handlers_dead_letters_are_one_problem_until_all_are_replayed(
    server: FakeTelegramServer, clock: FakeClock
) -> None:
    """Three dead letters of one handler: one alert, a reminder counting them; all replayed: one "resuelto".

    A second handler's dead letter is its own problem, told on its own and still open afterwards.
    """
    world = World(clock, server, admin_ids=[DIANA])
    monitor = world.container.monitor()
    ticker = world.container.ticker()
    broken = {COUNTER: True, RANKING: False}

    def handler(name: str) -> Callable[[BesitosAwarded], Awaitable[None]]:
        async def handle(_event: BesitosAwarded) -> None:
            if broken[name]:
                raise RuntimeError(f"{name} no puede")

        return handle

    world.bus.subscribe(BesitosAwarded, handler(COUNTER), name=COUNTER)
    world.bus.subscribe(BesitosAwarded, handler(RANKING), name=RANKING)

    def told(handler: str) -> list[str]:
        return told_about(server, handler)

    try:
        for n in range(3):
            clock.advance(timedelta(seconds=1))
            await world.wallet.credit(UserId(5), 1, ADMIN_GRANT, idempotency_key=f"a{n}")
            await world.bus.deliver_pending()
            await monitor.check()  # the letters wait: nothing is closed
            await world.bus.deliver_pending()
        letters = await world.storage.dead_letter_queries.list()
        assert [letter.handler for letter in letters] == [COUNTER] * 3
        (alert,) = told(COUNTER)
        first = min(letters, key=lambda letter: letter.failed_at).dead_letter_id
        assert f"yabot events replay {first}" in alert

        broken[RANKING] = True
        await world.wallet.credit(UserId(5), 1, ADMIN_GRANT, idempotency_key="b")
        await world.bus.deliver_pending()
        assert len(told(COUNTER)) == 1  # its fourth dead letter says nothing new
        (ranking_alert,) = told(RANKING)
        assert ranking_alert.startswith("Lamento interrumpirle")

        clock.advance(REMIND_EVERY + timedelta(seconds=1))
        assert await ticker.fire_due() == 2  # one reminder per open problem
        await world.bus.deliver_pending()
        (reminder,) = [text for text in told(COUNTER) if text.startswith("Me permito recordarle")]
        assert "Quedan 4 eventos fallidos de este encargo por reenviar." in reminder
        (ranking_reminder,) = [text for text in told(RANKING) if text.startswith("Me permito recordarle")]
        assert "Queda 1 evento fallido de este encargo por reenviar." in ranking_reminder

        broken[COUNTER] = False
        counter_letters = [
            letter for letter in await world.storage.dead_letter_queries.list() if letter.handler == COUNTER
        ]
        for letter in counter_letters[:-1]:
            await world.bus.replay(letter.dead_letter_id)
        await monitor.check()  # one still waits: still open
        await world.bus.deliver_pending()
        assert not [text for text in server.messages(DIANA) if "resuelto" in text]

        await world.bus.replay(counter_letters[-1].dead_letter_id)
        clock.advance(timedelta(seconds=15))
        await monitor.check()
        await monitor.check()  # a second look closes nothing twice
        await world.bus.deliver_pending()
    finally:
        await world.close()

    (resolved,) = [text for text in server.messages(DIANA) if "resuelto" in text]
    assert f"El encargo {COUNTER} " in resolved
    assert len(told(COUNTER)) == 3  # opened, reminded, resolved
    assert len(told(RANKING)) == 2  # opened, reminded: its dead letter still waits
    assert {opened.problem.key for opened in await monitor.alerts.open_problems()} == {f"manejador:{RANKING}"}


async def test_a_dead_letter_arriving_while_the_monitor_closes_reopens_its_problem(
    server: FakeTelegramServer, clock: FakeClock
) -> None:
    """A look read no waiting letter, then one came (its alert found the problem open): closing reopens."""
    world = World(clock, server, admin_ids=[DIANA])
    monitor = world.container.monitor()

    async def broken(_event: BesitosAwarded) -> None:
        raise RuntimeError("no puede")

    world.bus.subscribe(BesitosAwarded, broken, name=COUNTER)
    try:
        await world.wallet.credit(UserId(5), 1, ADMIN_GRANT, idempotency_key="late")
        await world.bus.deliver_pending()
        key = f"manejador:{COUNTER}"
        stale: dict[str, DeadLetter] = {}  # what a look read just before the dead letter was written
        assert await monitor._close_dead_letters({key}, stale) == set()  # the race, pinned
        await world.bus.deliver_pending()
    finally:
        await world.close()

    texts = told_about(server, COUNTER)  # the resolution and the new alert go by two relays: any order
    assert sorted(text.split(":")[0] for text in texts) == [
        "Lamento interrumpirle",
        "Lamento interrumpirle",
        "Todo vuelve a su orden",
    ]
    assert [opened.problem.key for opened in await monitor.alerts.open_problems()] == [key]
