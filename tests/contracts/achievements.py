"""Logros' storage on every backend: progress moved by version, events counted once, unlocks paid once.

A redelivered event never counts twice; a logro unlocks and pays once, however many of its events arrive
at once, and however often each is delivered.
"""

import asyncio

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, BoomError, recorded_events
from tests.contracts.inventory_catalog import ROSE, small_catalog
from tests.contracts.mission_fixtures import Clapped, clap
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.achievements import (
    ACHIEVEMENT_REWARD,
    AchievementCatalog,
    AchievementDefinition,
    Achievements,
    AchievementUnlocked,
    UserAchievement,
)
from yabot_core.inventory import Mochila
from yabot_core.kernel import ConcurrentUpdateError, EventId, FakeClock, SequentialIds, UserId
from yabot_core.wallet import WalletService

CLAPPER = "aplaudidor"
"""Five claps: 10 besitos and a rose."""
LOUD = "estruendo"
"""Two loud claps: 3 besitos."""
RACERS = 100


class Streaked(Clapped):
    """A clap carrying a running count (a test event for rules with ``campo``)."""

    event_type = "tests.streaked"  # type: ignore[assignment]  (a ClassVar redefined by a subclass)

    streak: int = 0


def logro(achievement_id: str, **fields: object) -> AchievementDefinition:
    return AchievementDefinition.model_validate(
        {
            "id": achievement_id,
            "titulo": achievement_id.title(),
            "descripcion": f"El logro {achievement_id}.",
            **fields,
        }
    )


def clap_achievements() -> AchievementCatalog:
    return AchievementCatalog(
        (
            logro(
                CLAPPER,
                regla={"evento": "tests.clapped", "cantidad": 5},
                recompensa={"besitos": 10, "objeto": ROSE},
            ),
            logro(
                LOUD,
                regla={"evento": "tests.clapped", "cantidad": 2, "filtro": {"loud": True}},
                recompensa={"besitos": 3},
            ),
            logro("racha", regla={"evento": "tests.streaked", "cantidad": 7, "campo": "streak"}),
        )
    )


def achievements_over(storage: StorageBackend, clock: FakeClock) -> Achievements:
    ids = SequentialIds("a")
    return Achievements(
        storage.transactions,
        storage.achievement_queries,
        WalletService(storage.transactions, storage.wallet_queries, clock, ids),
        Mochila(storage.transactions, storage.inventory_queries, small_catalog(), clock, ids),
        catalog=clap_achievements(),
        clock=clock,
        ids=ids,
    )


def streaked(clock: FakeClock, user: UserId, event_id: str, streak: int) -> Streaked:
    return Streaked(
        event_id=EventId(event_id), occurred_at=clock.now(), correlation_id="c", user_id=user, streak=streak
    )


async def rewards(storage: StorageBackend, user: UserId) -> list[int]:
    statement = await storage.wallet_queries.statement(user, limit=100, offset=0)
    return sorted(entry.amount for entry in statement.history.entries if entry.reason == ACHIEVEMENT_REWARD)


class AchievementsContract(ContractBase):
    """What every backend's achievements slice must do."""

    async def test_progress_moves_from_its_version_and_events_count_once(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Version 1 creates, later ones replace; a stale save or a second count is a concurrent update."""

        def record(version: int, progress: int) -> UserAchievement:
            return UserAchievement(user_id=ALICE, achievement_id=CLAPPER, progress=progress, version=version)

        async def run(*records: UserAchievement, event: str | None = None, fail: bool = False) -> None:
            async def work(uow: StorageUnitOfWork) -> None:
                for each in records:
                    await uow.achievements.save(each)
                if event is not None:
                    await uow.achievements.count(EventId(event), ALICE)
                if fail:
                    raise BoomError

            await storage.transactions.run(work)

        await run(record(1, 1), event="e1")
        await run(record(2, 2))
        for stale in (record(1, 1), record(4, 3)):
            with pytest.raises(ConcurrentUpdateError):
                await run(stale)
        with pytest.raises(ConcurrentUpdateError):
            await run(event="e1")
        with pytest.raises(BoomError):
            await run(record(3, 3), event="e2", fail=True)

        async def counted(uow: StorageUnitOfWork) -> tuple[bool, bool]:
            return await uow.achievements.counted(EventId("e1")), await uow.achievements.counted(
                EventId("e2")
            )

        assert await storage.transactions.run(counted) == (True, False)
        assert await storage.achievement_queries.for_user(ALICE) == (record(2, 2),)

    async def test_a_logro_unlocks_once_and_pays_once(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Five claps (each delivered twice) unlock «aplaudidor» once; later claps change nothing."""
        achievements = achievements_over(storage, clock)
        for n in range(7):
            event = clap(clock, ALICE, f"c{n}", loud=n < 2)
            await achievements.on_event(event)
            await achievements.on_event(event)
        assert await rewards(storage, ALICE) == [3, 10]
        assert await storage.inventory_queries.quantities(ALICE, [ROSE]) == {ROSE: 1}
        unlocked = [e for e in await recorded_events(storage) if isinstance(e, AchievementUnlocked)]
        assert sorted((e.achievement_id, e.besitos, e.item_id) for e in unlocked) == [
            (CLAPPER, 10, ROSE),
            (LOUD, 3, None),
        ]
        view = await achievements.view(ALICE)
        assert [s.definition.id for s in view.unlocked] == [CLAPPER, LOUD]
        assert [(s.definition.id, s.progress, s.target) for s in view.upcoming] == [("racha", 0, 7)]

    async def test_a_field_rule_follows_the_highest_value(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A streak of 3, then 1 (broken), then 7 unlocks «racha» at 7, not before."""
        achievements = achievements_over(storage, clock)
        for n, streak in enumerate((3, 1)):
            await achievements.on_event(streaked(clock, BOB, f"s{n}", streak))
        (upcoming,) = [s for s in (await achievements.view(BOB)).upcoming if s.definition.id == "racha"]
        assert upcoming.progress == 3
        await achievements.on_event(streaked(clock, BOB, "s9", 7))
        assert [s.definition.id for s in (await achievements.view(BOB)).unlocked] == ["racha"]
        assert await rewards(storage, BOB) == []  # the honour alone: no besitos, no item

    async def test_racing_events_unlock_and_pay_once(self, storage: StorageBackend, clock: FakeClock) -> None:
        """A hundred copies of a clap count once; a hundred claps at once (each twice) unlock and pay once."""
        achievements = achievements_over(storage, clock)
        same = clap(clock, BOB, "same", loud=True)
        await asyncio.gather(*(achievements.on_event(same) for _ in range(RACERS)))
        (record,) = [
            r for r in await storage.achievement_queries.for_user(BOB) if r.achievement_id == CLAPPER
        ]
        assert record.progress == 1
        claps = [clap(clock, BOB, f"r{n}", loud=True) for n in range(RACERS)]
        await asyncio.gather(*(achievements.on_event(c) for c in claps + claps))
        assert await rewards(storage, BOB) == [3, 10]
        unlocked = [e for e in await recorded_events(storage) if isinstance(e, AchievementUnlocked)]
        assert len(unlocked) == 2
