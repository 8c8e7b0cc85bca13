"""Story progress on every backend: records moved by revision, listed per fan, and a decision's effects
committed with it in one transaction."""

import asyncio
from datetime import timedelta

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, BoomError, recorded_events
from tests.contracts.story_fixtures import STORY, story_bench
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.inventory import ItemAdded, ItemId
from yabot_core.kernel import ConcurrentUpdateError, FakeClock, UserId
from yabot_core.story import (
    ChoiceId,
    DecisionMade,
    DecisionRecord,
    FlagName,
    FragmentId,
    FragmentUnlocked,
    HintUnlocked,
    StaleChoiceError,
    StoryId,
    StoryProgress,
)
from yabot_core.wallet import BesitosAwarded


def progress(clock: FakeClock, revision: int, *, user: UserId = ALICE, story: str = STORY) -> StoryProgress:
    decisions = tuple(
        DecisionRecord(
            fragment_id=FragmentId("umbral"),
            choice_id=ChoiceId("entrar"),
            target=FragmentId("vestibulo"),
            decided_at=clock.now(),
        )
        for _ in range(revision - 1)
    )
    return StoryProgress(
        user_id=user,
        story_id=StoryId(story),
        story_version=1,
        current=FragmentId("vestibulo" if decisions else "umbral"),
        visited=(FragmentId("umbral"), FragmentId("vestibulo")) if decisions else (FragmentId("umbral"),),
        decisions=decisions,
        flags=(FlagName("curiosidad"),),
        revision=revision,
        started_at=clock.now(),
        updated_at=clock.now() + timedelta(microseconds=revision),
    )


async def save(storage: StorageBackend, record: StoryProgress) -> None:
    async def work(uow: StorageUnitOfWork) -> None:
        await uow.story.save(record)

    await storage.transactions.run(work)


async def read(storage: StorageBackend, user: UserId = ALICE, story: str = STORY) -> StoryProgress | None:
    async def work(uow: StorageUnitOfWork) -> StoryProgress | None:
        return await uow.story.get(user, StoryId(story))

    return await storage.transactions.run(work)


class StoryContract(ContractBase):
    async def test_progress_is_created_moved_by_revision_and_read_back(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A record is created at revision 1, moves one revision at a time, and reads back equal."""
        assert await read(storage) is None
        await save(storage, progress(clock, 1))
        await save(storage, progress(clock, 2))
        assert await read(storage) == progress(clock, 2)
        assert await storage.story_queries.get(ALICE, StoryId(STORY)) == progress(clock, 2)
        assert await storage.story_queries.get(BOB, StoryId(STORY)) is None

    async def test_a_stale_revision_or_a_second_creation_is_a_transient_conflict(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Saving over another revision than the one read, or creating twice, is refused and retried."""
        await save(storage, progress(clock, 1))
        with pytest.raises(ConcurrentUpdateError):
            await save(storage, progress(clock, 1))
        with pytest.raises(ConcurrentUpdateError):
            await save(storage, progress(clock, 3))
        assert await read(storage) == progress(clock, 1)

    async def test_a_failed_unit_of_work_keeps_no_progress(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Progress saved by work that then fails is not kept."""

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.story.save(progress(clock, 1))
            raise BoomError

        with pytest.raises(BoomError):
            await storage.transactions.run(work)
        assert await read(storage) is None

    async def test_a_fans_stories_are_listed_newest_first_and_only_theirs(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """``of_user`` lists the fan's records, the most recently moved first; nobody else's."""
        await save(storage, progress(clock, 1, story="primera"))
        clock.advance(timedelta(minutes=1))
        await save(storage, progress(clock, 1, story="segunda"))
        await save(storage, progress(clock, 1, user=BOB))
        listed = await storage.story_queries.of_user(ALICE)
        assert [record.story_id for record in listed] == ["segunda", "primera"]
        assert await storage.story_queries.of_user(UserId(7)) == []

    async def test_fans_are_counted_by_the_fragment_they_stand_at(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """``fans_by_fragment`` counts one story's records by current fragment; other stories stay out."""
        await save(storage, progress(clock, 1))
        for user in (BOB, UserId(7)):
            await save(storage, progress(clock, 1, user=user))
            await save(storage, progress(clock, 2, user=user))
        await save(storage, progress(clock, 1, story="otra"))
        counts = await storage.story_queries.fans_by_fragment(StoryId(STORY))
        assert dict(counts) == {"umbral": 1, "vestibulo": 2}
        assert dict(await storage.story_queries.fans_by_fragment(StoryId("ninguna"))) == {}

    async def test_a_decision_commits_progress_besitos_pistas_and_events_together(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Moving to a fragment that gives a pista: progress, wallet, mochila and events in one commit."""
        bench = story_bench(storage, clock)
        await bench.register(ALICE)
        await bench.narrative.scene(ALICE, STORY)
        for fragment, choice in [("umbral", "entrar"), ("vestibulo", "musica"), ("salon-de-musica", "reloj")]:
            scene = await bench.narrative.decide(ALICE, STORY, fragment, choice)
        assert scene.fragment.id == "reloj-de-pared"
        assert [given.item_id for given in scene.outcome.given] == ["pista-reloj"]
        stored = await storage.story_queries.get(ALICE, StoryId(STORY))
        assert stored is not None
        assert stored.current == "reloj-de-pared"
        assert stored.step == 3
        assert (await bench.wallet.balance(ALICE)).balance == 5
        assert (await bench.mochila.item(ALICE, "pista-reloj")).quantity == 1
        kinds = [type(event) for event in await recorded_events(storage)]
        assert kinds.count(DecisionMade) == 3
        assert kinds.count(FragmentUnlocked) == 4
        assert {HintUnlocked, ItemAdded, BesitosAwarded} <= set(kinds)

    async def test_racing_presses_of_one_button_move_the_fan_once(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """The same button pressed five times at once: one decision, four stale answers."""
        bench = story_bench(storage, clock)
        await bench.register(ALICE)
        await bench.narrative.scene(ALICE, STORY)
        results = await asyncio.gather(
            *(bench.narrative.decide(ALICE, STORY, "umbral", "preguntar", step=0) for _ in range(5)),
            return_exceptions=True,
        )
        assert sum(not isinstance(result, BaseException) for result in results) == 1
        assert all(
            isinstance(result, StaleChoiceError) for result in results if isinstance(result, BaseException)
        )
        stored = await storage.story_queries.get(ALICE, StoryId(STORY))
        assert stored is not None
        assert stored.step == 1
        assert stored.flags == ("curiosidad",)
        held = await bench.mochila.item(ALICE, ItemId("pista-reloj"))
        assert held.quantity == 0
