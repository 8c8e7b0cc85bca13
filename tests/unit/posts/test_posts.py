"""Scheduled posts: validation in Spanish, edits and cancels before the time, retries, give-ups, removal."""

from datetime import timedelta

import pytest

from tests.contracts.common import OPERATOR, recorded_events
from tests.contracts.posts import fired
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.memory.outgoing import InMemoryChannels
from yabot_core.audit import AuditLog
from yabot_core.kernel import FakeClock, IdempotencyKeyReusedError, SequentialIds
from yabot_core.posts import (
    MAX_ATTEMPTS,
    PUBLISH_TIMER,
    REMOVE_TIMER,
    InvalidPostError,
    PostCancelled,
    PostChannel,
    PostFailed,
    PostNotEditableError,
    PostNotFoundError,
    PostPublished,
    PostRemoved,
    PostState,
    ScheduledPosts,
    post_content,
    retry_delay,
)


@pytest.fixture(name="channels")
def channels_fixture() -> InMemoryChannels:
    return InMemoryChannels()


@pytest.fixture(name="posts")
def posts_fixture(storage: InMemoryStorage, clock: FakeClock, channels: InMemoryChannels) -> ScheduledPosts:
    ids = SequentialIds("p")
    audit = AuditLog(storage.audit_queries, clock, ids)
    return ScheduledPosts(storage.transactions, storage.post_queries, audit, clock, ids, channels)


async def publish_due(posts: ScheduledPosts, storage: InMemoryStorage, clock: FakeClock) -> None:
    for event in await fired(storage, clock):
        if event.kind == PUBLISH_TIMER:
            await posts.on_publish_due(event)
        elif event.kind == REMOVE_TIMER:
            await posts.on_remove_due(event)


class TestScheduling:
    async def test_bad_posts_are_refused_in_spanish_and_nothing_is_stored(
        self, posts: ScheduledPosts, storage: InMemoryStorage
    ) -> None:
        """Empty, too long a caption, 11 photos, a removal past 47 h: each a clear error, no post kept."""
        with pytest.raises(InvalidPostError, match="necesita texto"):
            post_content("   ")
        with pytest.raises(InvalidPostError, match="1024"):
            post_content("x" * 1025, [("foto", "AgAD")])
        with pytest.raises(InvalidPostError, match="10"):
            post_content("", [("foto", f"f{n}") for n in range(11)])
        content = post_content("Hola")
        with pytest.raises(InvalidPostError, match="47 horas"):
            await posts.schedule(PostChannel.FREE, content, remove_after=timedelta(hours=48), actor=OPERATOR)
        assert await storage.post_queries.listing(limit=10) == []

    async def test_a_key_schedules_one_post_however_often_it_is_sent(
        self, posts: ScheduledPosts, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """The same idempotency key returns the first post; with another content it is refused."""
        content = post_content("Esta noche", [("foto", "AgAD")])
        at = clock.now() + timedelta(hours=1)
        first = await posts.schedule(PostChannel.VIP, content, at=at, actor=OPERATOR, idempotency_key="tap-1")
        again = await posts.schedule(PostChannel.VIP, content, at=at, actor=OPERATOR, idempotency_key="tap-1")
        assert again == first
        assert len(await storage.post_queries.listing(limit=10)) == 1
        with pytest.raises(IdempotencyKeyReusedError):
            await posts.schedule(
                PostChannel.VIP, post_content("Otra"), at=at, actor=OPERATOR, idempotency_key="tap-1"
            )
        other = await posts.schedule(PostChannel.VIP, content, at=at, actor=OPERATOR, idempotency_key="tap-2")
        assert other.post_id != first.post_id

    async def test_an_edit_moves_the_time_and_a_cancel_stops_it(
        self, posts: ScheduledPosts, storage: InMemoryStorage, clock: FakeClock, channels: InMemoryChannels
    ) -> None:
        """The old time fires nothing; the new one publishes the edited text; a cancelled post stays."""
        first = await posts.schedule(
            PostChannel.FREE, post_content("Antes"), at=clock.now() + timedelta(minutes=5), actor=OPERATOR
        )
        later = await posts.schedule(
            PostChannel.FREE, post_content("Nunca"), at=clock.now() + timedelta(minutes=5), actor=OPERATOR
        )
        await posts.edit(
            first.post_id,
            content=post_content("Después"),
            at=clock.now() + timedelta(minutes=20),
            actor=OPERATOR,
        )
        await posts.cancel(later.post_id, actor=OPERATOR)
        clock.advance(timedelta(minutes=6))
        await publish_due(posts, storage, clock)
        assert channels.posts(PostChannel.FREE) == []
        clock.advance(timedelta(minutes=15))
        await publish_due(posts, storage, clock)
        assert [message.content.text for message in channels.posts(PostChannel.FREE)] == ["Después"]
        with pytest.raises(PostNotEditableError):
            await posts.cancel(first.post_id, actor=OPERATOR)
        with pytest.raises(PostNotEditableError):
            await posts.edit(later.post_id, content=post_content("¿Y ahora?"), actor=OPERATOR)
        with pytest.raises(PostNotFoundError):
            await posts.cancel("no-existe", actor=OPERATOR)
        assert PostCancelled in {type(event) for event in await recorded_events(storage)}

    async def test_protection_is_kept_on_request_and_always_for_vip(
        self, posts: ScheduledPosts, storage: InMemoryStorage, clock: FakeClock, channels: InMemoryChannels
    ) -> None:
        """A free post is protected when asked; a VIP post always, even asked not to be."""
        await posts.schedule(PostChannel.FREE, post_content("Libre"), actor=OPERATOR)
        await posts.schedule(PostChannel.FREE, post_content("Libre protegida"), protect=True, actor=OPERATOR)
        await posts.schedule(PostChannel.VIP, post_content("VIP"), protect=False, actor=OPERATOR)
        await publish_due(posts, storage, clock)
        free = {message.content.text: message.protect for message in channels.posts(PostChannel.FREE)}
        assert free == {"Libre": False, "Libre protegida": True}
        assert [message.protect for message in channels.posts(PostChannel.VIP)] == [True]


class TestPublishing:
    async def test_transient_failures_back_off_exponentially_then_publish(
        self, posts: ScheduledPosts, storage: InMemoryStorage, clock: FakeClock, channels: InMemoryChannels
    ) -> None:
        """Telegram away twice: retried after 30 s, then 60 s; published on the third attempt, once."""
        post = await posts.schedule(PostChannel.FREE, post_content("Paciencia"), actor=OPERATOR)
        channels.away = 2
        await publish_due(posts, storage, clock)
        assert (await posts.get(post.post_id)).attempts == 1
        clock.advance(retry_delay(1) - timedelta(seconds=1))
        await publish_due(posts, storage, clock)
        assert channels.away == 1  # not due yet
        clock.advance(timedelta(seconds=1))
        await publish_due(posts, storage, clock)
        clock.advance(retry_delay(2))
        await publish_due(posts, storage, clock)
        published = await posts.get(post.post_id)
        assert published.state is PostState.PUBLISHED
        assert len(channels.posts(PostChannel.FREE)) == 1
        assert published.message_ids == (channels.posts(PostChannel.FREE)[0].message_id,)

    async def test_a_post_out_of_retries_or_refused_is_given_up_with_an_alert(
        self, posts: ScheduledPosts, storage: InMemoryStorage, clock: FakeClock, channels: InMemoryChannels
    ) -> None:
        """Five transient failures, or one refusal: ``fallida``, and PostFailed for the admins' alert."""
        tired = await posts.schedule(PostChannel.FREE, post_content("Insistente"), actor=OPERATOR)
        channels.away = MAX_ATTEMPTS
        for attempt in range(1, MAX_ATTEMPTS + 1):
            await publish_due(posts, storage, clock)
            clock.advance(retry_delay(attempt))
        assert (await posts.get(tired.post_id)).state is PostState.FAILED
        channels.refuse = "Bad Request: wrong file identifier"
        refused = await posts.schedule(PostChannel.FREE, post_content("Mala foto"), actor=OPERATOR)
        await publish_due(posts, storage, clock)
        gave_up = await posts.get(refused.post_id)
        assert gave_up.state is PostState.FAILED
        assert "wrong file identifier" in (gave_up.error or "")
        failed = [event for event in await recorded_events(storage) if isinstance(event, PostFailed)]
        assert [event.post_id for event in failed] == [tired.post_id, refused.post_id]
        assert channels.posts(PostChannel.FREE) == []

    async def test_an_unanswered_publication_is_never_sent_again(
        self, posts: ScheduledPosts, storage: InMemoryStorage, clock: FakeClock, channels: InMemoryChannels
    ) -> None:
        """Telegram never answered: the post is ``incierta`` (admins told), not retried into a duplicate."""
        post = await posts.schedule(PostChannel.VIP, post_content("¿Llegó?"), actor=OPERATOR)
        channels.unanswered = 1
        await publish_due(posts, storage, clock)
        clock.advance(timedelta(hours=1))
        await publish_due(posts, storage, clock)
        assert (await posts.get(post.post_id)).state is PostState.UNCERTAIN
        assert len(channels.posts(PostChannel.VIP)) == 1

    async def test_a_process_that_died_mid_send_leaves_an_uncertain_post(
        self, posts: ScheduledPosts, storage: InMemoryStorage, clock: FakeClock, channels: InMemoryChannels
    ) -> None:
        """A redelivered timer event finds the post ``publicando`` long after: it is not published twice."""
        await posts.schedule(PostChannel.FREE, post_content("Una vez"), actor=OPERATOR)
        events = await fired(storage, clock)
        await posts.on_publish_due(events[0])
        post = (await storage.post_queries.listing(limit=1))[0]

        async def stuck(uow: object) -> None:  # as if the first handler died after its claim
            await uow.posts.save(  # type: ignore[attr-defined]
                post.changed(state=PostState.PUBLISHING, publishing_since=clock.now())
            )

        await storage.transactions.run(stuck)
        clock.advance(timedelta(minutes=3))
        await posts.on_publish_due(events[0].model_copy(update={"payload": {**events[0].payload}}))
        assert (await posts.get(post.post_id)).state is PostState.UNCERTAIN
        assert len(channels.posts(PostChannel.FREE)) == 1

    async def test_a_timed_rule_removes_the_post_from_its_channel(
        self, posts: ScheduledPosts, storage: InMemoryStorage, clock: FakeClock, channels: InMemoryChannels
    ) -> None:
        """An album removed 2 h after it was published: every one of its messages goes; PostRemoved."""
        media = [("foto", "AgAD1"), ("video", "BAAD2"), ("foto", "https://example.com/3.jpg")]
        post = await posts.schedule(
            PostChannel.VIP, post_content("Solo hoy", media), remove_after=timedelta(hours=2), actor=OPERATOR
        )
        await publish_due(posts, storage, clock)
        assert len(channels.posts(PostChannel.VIP)) == 3
        clock.advance(timedelta(hours=2))
        await publish_due(posts, storage, clock)
        assert channels.posts(PostChannel.VIP) == []
        assert (await posts.get(post.post_id)).state is PostState.REMOVED
        kinds = [type(event) for event in await recorded_events(storage)]
        assert kinds.count(PostPublished) == 1
        assert kinds.count(PostRemoved) == 1
