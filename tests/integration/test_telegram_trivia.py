"""Trivia end to end: quiz polls through a fake Bot API server, answers back as ``poll_answer`` updates.

The product's own composition on memory storage, aiogram polling the fake server: fans opt in with /trivia,
the admin's question goes out as non-anonymous quiz polls, and only right answers in time are rewarded, once.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, Final

import pytest

from tests.integration.telegram_world import GUARD, WELCOME, World
from yabot_adapters.telegram.middlewares import track_updates
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.trivia import TriviaModule
from yabot_core.kernel import FakeClock, UserId
from yabot_core.trivia import NewQuestion, Trivia

ANA: Final = UserId(4242)
BEA: Final = UserId(4343)
CIRO: Final = UserId(4444)
DORA: Final = UserId(4545)


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    world = World(clock, server)
    await world.start_polling()
    yield world
    await world.close()


async def handled(world: World, update: dict[str, Any]) -> None:
    """Wait until ``update`` and every update before it were handled (the server confirmed them, and the
    dispatcher has none in flight)."""
    await world.server.wait_for_confirmation(update["update_id"], timeout=GUARD)
    for _ in range(3):  # the confirmed update's task starts on the loop's next turns
        await asyncio.sleep(0)
    assert await track_updates(world.dp).wait_idle(GUARD)


async def test_only_right_answers_in_time_are_rewarded_once(
    world: World, server: FakeTelegramServer, clock: FakeClock
) -> None:
    """Polls to opted-in fans only; wrong, late and repeated answers earn nothing; the right one pays once."""
    assert "poll_answer" in world.dp.resolve_used_update_types()
    for fan, name in ((ANA, "Ana"), (BEA, "Bea"), (CIRO, "Ciro")):
        await world.say("/start", user_id=fan, first_name=name)
        assert "preguntas de trivia" in await world.say("/trivia", user_id=fan, first_name=name)
    await world.say("/start", user_id=DORA, first_name="Dora")  # never opts in
    await world.bus.deliver_pending()
    trivia: Trivia = world.container.modules().get(TriviaModule).trivia
    question = await trivia.create(
        NewQuestion(
            text="¿Qué flor prefiere Diana?",
            options=("La rosa", "El lirio", "La orquídea"),
            correct_option=0,
            explanation="La rosa, siempre roja.",
            reward=7,
            closes_at=clock.now() + timedelta(minutes=10),
        )
    )
    await world.bus.deliver_pending()

    polls = {poll.chat_id: poll for poll in server.polls.sent.values()}
    assert sorted(polls) == [ANA, BEA, CIRO]
    for poll in polls.values():
        assert (poll.poll_type, poll.is_anonymous, poll.correct_option_ids) == ("quiz", False, [0])
        assert poll.options == ["La rosa", "El lirio", "La orquídea"]
    assert "poll_answer" in server.calls("getUpdates")[-1].params["allowed_updates"]

    server.feed(server.poll_answer_update(polls[ANA].poll_id, ANA, [0], first_name="Ana"))
    server.feed(server.poll_answer_update(polls[BEA].poll_id, BEA, [2], first_name="Bea"))
    await handled(
        world, server.feed(server.poll_answer_update(polls[ANA].poll_id, ANA, [0], first_name="Ana"))
    )
    assert (await trivia.results(question.question_id)).answers == 2
    clock.advance(timedelta(minutes=10))
    await handled(
        world, server.feed(server.poll_answer_update(polls[CIRO].poll_id, CIRO, [0], first_name="Ciro"))
    )
    await world.bus.deliver_pending()

    results = await trivia.results(question.question_id)
    assert (results.polls, results.rewarded, results.late, results.wrong, results.besitos) == (3, 1, 1, 1, 7)
    balances = [(await world.wallet.balance(fan)).balance for fan in (ANA, BEA, CIRO, DORA)]
    assert balances == [WELCOME + 7, WELCOME, WELCOME, WELCOME]
    assert [t for t in server.messages(ANA) if t.startswith("¡Respuesta correcta!")] == [
        "¡Respuesta correcta! Diana le premia con 7 besitos."
    ]
    for fan in (BEA, CIRO):
        assert not [t for t in server.messages(fan) if t.startswith("¡Respuesta correcta!")]
