"""Scheduled posts' storage on every backend: versions checked, listings in order, and publishing once.

Several ticks of the timers (as several processes would run them) and a redelivered timer event publish a
due post exactly once: the post's claim (``publicando``) is a versioned write storage decides.
"""

import asyncio
from datetime import timedelta

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import OPERATOR, BoomError, recorded_events
from yabot_adapters.memory.outgoing import InMemoryChannels
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.audit import AuditLog
from yabot_core.kernel import (
    ConcurrentUpdateError,
    CorrelationId,
    EventId,
    FakeClock,
    SequentialIds,
    TimerFired,
    UnavailableError,
)
from yabot_core.posts import (
    PUBLISH_TIMER,
    Post,
    PostChannel,
    PostFailed,
    PostPublished,
    PostScheduled,
    PostState,
    ScheduledPosts,
    post_content,
)


def a_post(clock: FakeClock, post_id: str = "p1", *, minutes: int = 10) -> Post:
    return Post(
        post_id=post_id,
        channel=PostChannel.FREE,
        content=post_content("Hola, queridos."),
        due_at=clock.now() + timedelta(minutes=minutes),
        protect=False,
        remove_after=timedelta(hours=2),
        created_by="operador:pruebas",
        created_at=clock.now(),
    )


async def save(storage: StorageBackend, *posts: Post, fail: bool = False) -> None:
    async def work(uow: StorageUnitOfWork) -> None:
        for post in posts:
            await uow.posts.save(post)
        if fail:
            raise BoomError

    await storage.transactions.run(work)


def service(storage: StorageBackend, clock: FakeClock, channels: InMemoryChannels) -> ScheduledPosts:
    ids = SequentialIds("post")
    audit = AuditLog(storage.audit_queries, clock, ids)
    return ScheduledPosts(storage.transactions, storage.post_queries, audit, clock, ids, channels)


async def fired(storage: StorageBackend, clock: FakeClock) -> list[TimerFired]:
    """Claim every due timer as a ticker would, and return their events (completing them)."""
    timers = await storage.timer_store.claim_due(clock.now(), "t", clock.now() + timedelta(minutes=1), 500)
    events = []
    for timer in timers:

        async def work(uow: StorageUnitOfWork, timer: object = timer) -> bool:
            return await uow.timers.complete(timer)  # type: ignore[arg-type]

        assert await storage.transactions.run(work)
        events.append(
            TimerFired(
                event_id=EventId(f"e-{timer.key}"),
                occurred_at=clock.now(),
                correlation_id=CorrelationId(f"c-{timer.key}"),
                key=timer.key,
                kind=timer.kind,
                due_at=timer.due_at,
                payload=timer.payload,
            )
        )
    return events


class PostsContract(ContractBase):
    """What every backend's posts slice must do."""

    async def test_a_post_is_stored_whole_and_read_back(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A saved post (content, removal rule) reads back equal, inside and outside a unit of work."""
        post = a_post(clock)
        await save(storage, post)

        async def read(uow: StorageUnitOfWork) -> Post | None:
            return await uow.posts.get("p1")

        assert await storage.transactions.run(read) == post
        assert await storage.post_queries.get("p1") == post
        assert await storage.post_queries.get("nope") is None

    async def test_a_stale_version_is_refused_and_a_failed_work_keeps_nothing(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Saving over a version other than the one read is refused; a failed work leaves no post."""
        post = a_post(clock)
        with pytest.raises(BoomError):
            await save(storage, a_post(clock, "p2"), fail=True)
        assert await storage.post_queries.get("p2") is None
        await save(storage, post)
        with pytest.raises(ConcurrentUpdateError):
            await save(storage, post)  # version 1 again: it exists
        moved = post.changed(state=PostState.CANCELLED)
        await save(storage, moved)
        with pytest.raises(ConcurrentUpdateError):
            await save(storage, post.changed(state=PostState.PUBLISHING))  # read before the cancel
        assert await storage.post_queries.get("p1") == moved

    async def test_listings_are_soonest_first_and_filter_by_state(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Posts list by due time then id; a state filter and the limit apply."""
        late, early, cancelled = (
            a_post(clock, "b", minutes=30),
            a_post(clock, "a", minutes=5),
            a_post(clock, "c"),
        )
        await save(storage, late, early, cancelled)
        await save(storage, cancelled.changed(state=PostState.CANCELLED))
        every = await storage.post_queries.listing(limit=10)
        assert [post.post_id for post in every] == ["a", "c", "b"]
        scheduled = await storage.post_queries.listing(states=[PostState.SCHEDULED], limit=10)
        assert [post.post_id for post in scheduled] == ["a", "b"]
        assert [post.post_id for post in await storage.post_queries.listing(limit=1)] == ["a"]

    async def test_one_key_schedules_one_post_however_often_it_is_sent_at_once(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Three schedules with one idempotency key, at once (a double tap on two processes): one post,
        one timer, one PostScheduled; each caller gets that post."""
        posts = service(storage, clock, InMemoryChannels())
        content = post_content("Una sola vez")
        at = clock.now() + timedelta(hours=1)
        results = await asyncio.gather(
            *(
                posts.schedule(PostChannel.FREE, content, at=at, actor=OPERATOR, idempotency_key="toque-1")
                for _ in range(3)
            )
        )
        assert len({post.post_id for post in results}) == 1
        assert len(await storage.post_queries.listing(limit=10)) == 1
        kinds = [type(event) for event in await recorded_events(storage)]
        assert kinds.count(PostScheduled) == 1

    async def test_a_due_post_is_published_once_however_often_its_timer_reaches_a_handler(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Ten posts due at once, each timer event handled three times concurrently: each published once.

        A handler that finds its post being sent by another asks to be retried later (``UnavailableError``,
        the bus's retry), and then finds it published.
        """
        channels = InMemoryChannels()
        posts = service(storage, clock, channels)
        scheduled = [
            await posts.schedule(PostChannel.VIP, post_content(f"Post {n}"), at=clock.now(), actor=OPERATOR)
            for n in range(10)
        ]
        events = await fired(storage, clock)
        assert sorted(event.payload["post_id"] for event in events if event.kind == PUBLISH_TIMER) == sorted(
            post.post_id for post in scheduled
        )
        outcomes = await asyncio.gather(
            *(posts.on_publish_due(event) for event in events for _ in range(3)), return_exceptions=True
        )
        assert all(outcome is None or isinstance(outcome, UnavailableError) for outcome in outcomes)
        for event in events:  # the bus's retries of those that were asked to wait
            await posts.on_publish_due(event)
        published = channels.posts(PostChannel.VIP)
        assert sorted(message.content.text for message in published) == sorted(f"Post {n}" for n in range(10))
        assert all(message.protect for message in published)  # VIP content is always protected
        kinds = [type(event) for event in await recorded_events(storage)]
        assert kinds.count(PostScheduled) == 10
        assert kinds.count(PostPublished) == 10
        assert {post.state for post in await storage.post_queries.listing(limit=20)} == {PostState.PUBLISHED}
        assert PostFailed not in kinds
