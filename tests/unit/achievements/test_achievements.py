"""Logros on the in-memory backend: unlocked and paid once under duplicates and concurrency; the catalog."""

import asyncio
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.contracts.achievements import CLAPPER, LOUD, achievements_over, logro
from tests.contracts.mission_fixtures import clap
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import opened
from yabot_core.achievements import (
    ACHIEVEMENT_REWARD,
    AchievementCatalog,
    InvalidAchievementCatalogError,
    check_achievements,
)
from yabot_core.kernel import FakeClock, UserId

FANS = (UserId(1), UserId(2))
REWARDS = {CLAPPER: 10, LOUD: 3}

claps = st.lists(st.tuples(st.sampled_from(FANS), st.booleans()), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None)
@given(claps=claps, copies=st.integers(1, 3), batch=st.integers(1, 6))
async def test_a_logro_unlocks_and_pays_once_however_events_repeat_and_race(
    claps: list[tuple[UserId, bool]], copies: int, batch: int
) -> None:
    """Each clap delivered ``copies`` times, ``batch`` deliveries at once: each logro pays once, when due."""
    clock = FakeClock(datetime(2026, 1, 31, 12, tzinfo=UTC))
    async with opened(InMemoryStorage(clock)) as storage:
        achievements = achievements_over(storage, clock)
        events = [clap(clock, user, f"c{n}", loud=loud) for n, (user, loud) in enumerate(claps)]
        deliveries = [event for event in events for _ in range(copies)]
        for start in range(0, len(deliveries), batch):
            await asyncio.gather(*(achievements.on_event(e) for e in deliveries[start : start + batch]))
        for fan in FANS:
            mine = [loud for user, loud in claps if user == fan]
            due = {CLAPPER: len(mine) >= 5, LOUD: sum(mine) >= 2}
            statement = await storage.wallet_queries.statement(fan, limit=100, offset=0)
            paid = sorted(e.amount for e in statement.history.entries if e.reason == ACHIEVEMENT_REWARD)
            assert paid == sorted(REWARDS[a] for a, ok in due.items() if ok)
            view = await achievements.view(fan)
            progress = {s.definition.id: s.progress for s in (*view.unlocked, *view.upcoming)}
            assert progress[CLAPPER] == min(len(mine), 5)
            assert progress[LOUD] == min(sum(mine), 2)


class TestCatalog:
    def test_a_repeated_id_is_refused_in_spanish(self) -> None:
        """The catalog checks itself whole."""
        one = logro("uno", regla={"evento": "tests.clapped"})
        with pytest.raises(InvalidAchievementCatalogError) as caught:
            AchievementCatalog((one, one))
        assert [str(p) for p in caught.value.problems] == [
            "logro «uno»: el id «uno» ya lo usa el logro n.º 1."
        ]

    def test_rules_must_name_events_that_exist(self) -> None:
        """An unknown event type is named, with the closest known one."""
        typo = logro("dos", regla={"evento": "tests.claped"})
        problems = check_achievements([typo], events=lambda _name: None, known_types=["tests.clapped"])
        assert [str(p) for p in problems] == [
            "logro «dos»: no hay eventos «tests.claped» (¿quiso decir «tests.clapped»?)."
        ]
