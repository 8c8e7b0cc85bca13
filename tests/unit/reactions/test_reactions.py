"""Reactions on the in-memory backend: the pay property, the content's rules, and missions counting them."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yabot_app.modules  # noqa: F401  (declares every module's events, as at start-up)
from tests.contracts.common import record_everything, recorded_events
from tests.contracts.inventory_catalog import LEFT, small_catalog
from tests.contracts.mission_fixtures import mission, missions_over
from tests.contracts.reactions import CHANNEL, reactions_over
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import opened
from yabot_core.kernel import FakeClock, UserId, event_class
from yabot_core.missions import MissionCatalog, check_missions
from yabot_core.reactions import (
    REACTION_REWARD,
    InvalidReactionContentError,
    ReactionDetected,
    ReactionRules,
    ReactionSource,
    checked_rules,
)

FANS = (UserId(1), UserId(2), UserId(3))
EMOJIS = ("❤️", "🔥", "💋", None)

reaction_steps = st.lists(
    st.tuples(st.sampled_from(FANS), st.integers(1, 6), st.sampled_from(EMOJIS), st.booleans()),
    min_size=1,
    max_size=30,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=reaction_steps)
async def test_each_fan_is_paid_once_per_message_within_the_day_s_cap(
    steps: list[tuple[UserId, int, str | None, bool]],
) -> None:
    """Reactions, changes, removals and copies at once pay each fan once per message, at most 3 a day."""
    clock = FakeClock(datetime(2026, 1, 31, 12, tzinfo=UTC))
    async with opened(InMemoryStorage(clock)) as storage:
        reactions = reactions_over(storage, clock)
        for user, message, emoji, twice in steps:
            copies = 2 if twice else 1
            await asyncio.gather(
                *(reactions.react(user, CHANNEL, message, emoji, ReactionSource.GROUP) for _ in range(copies))
            )
        for user in FANS:
            reacted = {m for u, m, emoji, _ in steps if u == user and emoji is not None}
            statement = await storage.wallet_queries.statement(user, limit=100, offset=0)
            paid = [e.amount for e in statement.history.entries if e.reason == REACTION_REWARD]
            assert paid == [2] * min(len(reacted), 3)
            assert sum(e.amount for e in statement.history.entries) == statement.balance.balance


class TestContent:
    def test_repeated_buttons_and_specials_are_refused_in_spanish(self) -> None:
        """Every broken rule is listed at once."""
        rules = ReactionRules.model_validate(
            {
                "botones": ["❤️", "❤️"],
                "especiales": [{"emoji": "💋", "objeto": LEFT}, {"emoji": "💋", "objeto": "nada"}],
            }
        )
        with pytest.raises(InvalidReactionContentError) as caught:
            checked_rules(rules, small_catalog())
        assert [str(p) for p in caught.value.problems] == [
            "el botón «❤️» está repetido.",
            "la reacción especial «💋» está repetida.",
            "el objeto «nada» no está en el catálogo.",
        ]

    def test_buttons_are_found_by_index_only_while_they_exist(self) -> None:
        """A press of a button the creator removed finds nothing."""
        rules = ReactionRules.model_validate({"botones": ["❤️", "🔥"]})
        assert [rules.button(i) for i in (-1, 0, 1, 2)] == [None, "❤️", "🔥", None]


@pytest.fixture(name="storage")
async def storage_fixture(clock: FakeClock) -> AsyncIterator[InMemoryStorage]:
    async with opened(InMemoryStorage(clock)) as storage:
        yield storage


async def test_missions_count_reactions_with_a_filter_on_their_source(
    storage: InMemoryStorage, clock: FakeClock
) -> None:
    """A mission of three reactions to channel posts checks clean and counts only the channel's reactions."""
    channel_fan = mission(
        "fan-del-canal",
        asignar="reactions.detected",
        objetivo={"evento": "reactions.detected", "cantidad": 3, "filtro": {"source": "canal"}},
        recompensa={"besitos": 4},
    )

    def lookup(name: str) -> type | None:
        try:
            return event_class(name)
        except KeyError:
            return None

    assert check_missions([channel_fan], events=lookup) == ()
    missions = missions_over(storage, clock, MissionCatalog((channel_fan,)))
    reactions = reactions_over(storage, clock)
    fan = FANS[0]
    record_everything(storage)
    for message, source in enumerate([ReactionSource.GROUP, *[ReactionSource.CHANNEL] * 3]):
        await reactions.react(fan, CHANNEL, message, "❤️", source)
    detected = [e for e in await recorded_events(storage) if isinstance(e, ReactionDetected)]
    assert [e.source for e in detected] == ["grupo", "canal", "canal", "canal"]
    for event in detected:
        await missions.on_event(event)
        await missions.on_event(event)  # a redelivery counts nothing
    view = await missions.view(fan)
    assert [(s.definition.id, s.progress) for s in view.completed] == [("fan-del-canal", 3)]
