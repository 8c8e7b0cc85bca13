"""Scheduled posts: schedule, edit or cancel before the time; publish once when a durable timer fires.

A post and its timer commit together. The ticker claims a due timer atomically, so however many processes
run, one :class:`TimerFired` reaches :meth:`ScheduledPosts.on_publish_due`. Before Telegram is asked, the
post is marked ``publicando`` in its own commit: a redelivery (a process died mid-send, a bus retry) finds
that mark and does not publish again. A channel post is seen by every fan, so a doubt is settled towards
"at most once": the post is marked ``incierta`` and the admins are told to look. A transient failure (Telegram
away, flood control) puts the post back on the timers with exponential backoff; a permanent one, or too
many transient ones, gives it up with :class:`PostFailed`, which alerts the admins.
"""

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from pydantic import ValidationError

from yabot_core.audit import Actor, AuditLog
from yabot_core.kernel import (
    Clock,
    EventStamper,
    IdempotencyKeyReusedError,
    IdGenerator,
    InvalidInputError,
    Timer,
    TimerFired,
    Transactions,
    UnavailableError,
    checked_caller_key,
    new_timer,
)
from yabot_core.lucien import DeliveryUncertainError
from yabot_core.posts.errors import (
    InvalidPostError,
    PostNotEditableError,
    PostNotFoundError,
    PublishRefusedError,
)
from yabot_core.posts.events import PostCancelled, PostFailed, PostPublished, PostRemoved, PostScheduled
from yabot_core.posts.models import (
    MAX_ATTEMPTS,
    MAX_REMOVE_AFTER,
    STALE_PUBLISHING,
    Post,
    PostChannel,
    PostContent,
    PostState,
    protected,
    removal_due,
    retry_delay,
)
from yabot_core.posts.ports import ChannelPublisher, PostQueries, PostsUnitOfWork

log = logging.getLogger(__name__)

PUBLISH_TIMER: Final = "posts.publish"
"""The kind of the timer that publishes a post at its time (and at each retry)."""
REMOVE_TIMER: Final = "posts.remove"
"""The kind of the timer that removes a published post after its ``remove_after``."""
_UNSET: Final = object()


def _publish_key(post_id: str) -> str:
    return f"post:{post_id}:publish"


def _remove_key(post_id: str) -> str:
    return f"post:{post_id}:remove"


def _post_id(event: TimerFired) -> str:
    return str(event.payload.get("post_id", ""))


class ScheduledPosts:
    """The creator's posts to her channels, at a time, once; edited or cancelled before they leave."""

    def __init__(  # noqa: PLR0917  (the ports it joins, each named at the call)
        self,
        transactions: Transactions[PostsUnitOfWork],
        queries: PostQueries,
        audit: AuditLog,
        clock: Clock,
        ids: IdGenerator,
        publisher: ChannelPublisher | None = None,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._audit = audit
        self._clock = clock
        self._ids = ids
        self._stamper = EventStamper(clock, ids)
        self._publisher = publisher

    # --- the creator's side -----------------------------------------------------------------------------

    async def schedule(
        self,
        channel: PostChannel,
        content: PostContent,
        *,
        at: datetime | None = None,
        protect: bool = False,
        remove_after: timedelta | None = None,
        actor: Actor,
        idempotency_key: str | None = None,
    ) -> Post:
        """Schedule ``content`` for ``channel`` at ``at`` (now, if not given); it survives restarts.

        VIP posts are always protected (``protect_content``); free ones when ``protect`` asks. With an
        ``idempotency_key`` (an admin's confirm tap), the key names the post: scheduling again with it
        returns the first post and schedules nothing (a double tap, a redelivered press).

        Raises:
            InvalidPostError: a time without a time zone, or a removal rule out of Telegram's 48 hours.
            IdempotencyKeyReusedError: the key scheduled another channel or content.
            InvalidInputError: a malformed key.
        """
        now = self._clock.now()
        due = _checked_time(at, now)
        _check_remove_after(remove_after)
        keyed = idempotency_key is not None
        post = Post(
            post_id=_keyed_id(idempotency_key) if idempotency_key is not None else self._ids.new_id(),
            channel=channel,
            content=content,
            due_at=due,
            protect=protected(channel, requested=protect),
            remove_after=remove_after,
            created_by=actor.label,
            created_at=now,
        )

        async def work(uow: PostsUnitOfWork) -> Post:
            first = await uow.posts.get(post.post_id) if keyed else None
            if first is not None:
                if (first.channel, first.content) != (channel, content):
                    raise IdempotencyKeyReusedError(detail={"post_id": first.post_id})
                return first
            await uow.posts.save(post)
            await self._arm(uow, post, actor, "posts.schedule")
            return post

        return await self._transactions.run(work)

    async def edit(
        self,
        post_id: str,
        *,
        content: PostContent | None = None,
        at: datetime | None = None,
        protect: bool | None = None,
        remove_after: object = _UNSET,
        actor: Actor,
    ) -> Post:
        """Change a post that has not left yet (its timer moves with its time).

        Raises:
            PostNotFoundError: no post has that id.
            PostNotEditableError: it left, is leaving, failed or was cancelled.
            InvalidPostError: a bad time or removal rule.
        """
        now = self._clock.now()
        changes: dict[str, object] = {}
        if content is not None:
            changes["content"] = content
        if at is not None:
            changes["due_at"] = _checked_time(at, now)
        if remove_after is not _UNSET:
            if remove_after is not None and not isinstance(remove_after, timedelta):
                raise InvalidPostError("La retirada se indica como una duración.")
            _check_remove_after(remove_after)
            changes["remove_after"] = remove_after

        async def work(uow: PostsUnitOfWork) -> Post:
            post = await self._editable(uow, post_id)
            channel = post.channel
            if protect is not None:
                changes["protect"] = protected(channel, requested=protect)
            edited = post.changed(**changes)
            await uow.posts.save(edited)
            await self._arm(uow, edited, actor, "posts.edit")
            return edited

        return await self._transactions.run(work)

    async def cancel(self, post_id: str, *, actor: Actor) -> Post:
        """Cancel a post before it leaves; its timer goes with it.

        Raises:
            PostNotFoundError: no post has that id.
            PostNotEditableError: it left, is leaving, failed or was cancelled already.
        """

        async def work(uow: PostsUnitOfWork) -> Post:
            post = await self._editable(uow, post_id)
            cancelled = post.changed(state=PostState.CANCELLED)
            await uow.posts.save(cancelled)
            await uow.timers.cancel(_publish_key(post_id))
            uow.record(PostCancelled(**self._stamper.stamp(), post_id=post_id))
            await self._audit.record_in(uow, actor, "posts.cancel", f"post:{post_id}")
            return cancelled

        return await self._transactions.run(work)

    async def get(self, post_id: str) -> Post:
        """The post with that id.

        Raises:
            PostNotFoundError: none has it.
        """
        post = await self._queries.get(post_id)
        if post is None:
            raise PostNotFoundError(post_id)
        return post

    async def listing(self, *, states: Sequence[PostState] = (), limit: int = 50) -> Sequence[Post]:
        """Posts soonest due first (in ``states``, if given): upcoming ones for an admin's screen."""
        if not 1 <= limit <= 1000:  # noqa: PLR2004  (a listing, not an export)
            raise InvalidInputError("El límite debe estar entre 1 y 1000.")
        return await self._queries.listing(states=states, limit=limit)

    # --- the timers' handlers ---------------------------------------------------------------------------

    async def on_publish_due(self, event: TimerFired) -> None:
        """Publish the post whose time came: once, or not at all when its fate is unknown."""
        post_id = _post_id(event)
        version = event.payload.get("version")
        now = self._clock.now()

        async def claim(uow: PostsUnitOfWork) -> Post | None:
            post = await uow.posts.get(post_id)
            if post is None:
                return None
            if post.state is PostState.PUBLISHING:
                since = post.publishing_since or post.created_at
                if now - since < STALE_PUBLISHING:  # another handler is sending it now: ask again later
                    raise UnavailableError("La publicación se está enviando en este momento.")
                await self._give_up(uow, post, PostState.UNCERTAIN, "no se sabe si llegó al canal")
                return None
            if post.state is not PostState.SCHEDULED or post.version != version:
                return None  # cancelled, edited (its new timer speaks), or done already
            publishing = post.changed(state=PostState.PUBLISHING, publishing_since=now)
            await uow.posts.save(publishing)
            return publishing

        post = await self._transactions.run(claim)
        if post is None:
            return
        try:
            message_ids = await self._needs_publisher().publish(
                post.channel, post.content, protect=post.protect
            )
        except DeliveryUncertainError as exc:
            await self._finish_failed(post, PostState.UNCERTAIN, exc.message)
        except PublishRefusedError as exc:
            await self._finish_failed(post, PostState.FAILED, exc.message)
        except UnavailableError as exc:
            await self._retry_or_fail(post, exc.message)
        except Exception as exc:
            log.exception("post %s could not be published", post_id)
            await self._finish_failed(post, PostState.FAILED, f"error inesperado: {type(exc).__name__}")
        else:
            await self._finish_published(post, message_ids)

    async def on_remove_due(self, event: TimerFired) -> None:
        """Remove a published post from its channel (its timed rule); Telegram away: the bus retries."""
        post_id = _post_id(event)
        post = await self._queries.get(post_id)
        if post is None or post.state is not PostState.PUBLISHED:
            return
        await self._needs_publisher().delete(post.channel, post.message_ids)

        async def work(uow: PostsUnitOfWork) -> None:
            current = await uow.posts.get(post_id)
            if current is None or current.state is not PostState.PUBLISHED:
                return
            await uow.posts.save(current.changed(state=PostState.REMOVED))
            uow.record(PostRemoved(**self._stamper.stamp(), post_id=post_id, message_ids=current.message_ids))

        await self._transactions.run(work)

    # --- inside -----------------------------------------------------------------------------------------

    async def _editable(self, uow: PostsUnitOfWork, post_id: str) -> Post:
        post = await uow.posts.get(post_id)
        if post is None:
            raise PostNotFoundError(post_id)
        if not post.editable:
            raise PostNotEditableError(post_id, str(post.state))
        return post

    async def _arm(self, uow: PostsUnitOfWork, post: Post, actor: Actor, action: str) -> None:
        """Set the post's publish timer for its current version; record the event and the audit entry."""
        await uow.timers.schedule(self._publish_timer(post, post.due_at))
        uow.record(
            PostScheduled(
                **self._stamper.stamp(),
                post_id=post.post_id,
                channel=str(post.channel),
                due_at=post.due_at,
                protect=post.protect,
            )
        )
        detail: dict[str, str | bool] = {
            "canal": str(post.channel),
            "hora": post.due_at.isoformat(),
            "tipo": post.content.kind,
            "protegida": post.protect,
        }
        await self._audit.record_in(uow, actor, action, f"post:{post.post_id}", detail=dict(detail))

    def _publish_timer(self, post: Post, due: datetime) -> Timer:
        return new_timer(
            _publish_key(post.post_id),
            PUBLISH_TIMER,
            due,
            now=self._clock.now(),
            payload={"post_id": post.post_id, "version": post.version},
        )

    async def _finish_published(self, post: Post, message_ids: Sequence[int]) -> None:
        now = self._clock.now()

        async def work(uow: PostsUnitOfWork) -> None:
            current = await uow.posts.get(post.post_id)
            if current is None:
                return
            published = current.changed(
                state=PostState.PUBLISHED,
                message_ids=tuple(message_ids),
                published_at=now,
                publishing_since=None,
                error=None,
            )
            await uow.posts.save(published)
            uow.record(
                PostPublished(
                    **self._stamper.stamp(),
                    post_id=post.post_id,
                    channel=str(post.channel),
                    message_ids=tuple(message_ids),
                    protect=post.protect,
                )
            )
            due = removal_due(published, now)
            if due is not None:
                timer = new_timer(
                    _remove_key(post.post_id), REMOVE_TIMER, due, now=now, payload={"post_id": post.post_id}
                )
                await uow.timers.schedule(timer)

        await self._transactions.run(work)

    async def _retry_or_fail(self, post: Post, error: str) -> None:
        attempts = post.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            await self._finish_failed(post, PostState.FAILED, f"{error} ({attempts} intentos)")
            return
        now = self._clock.now()

        async def work(uow: PostsUnitOfWork) -> None:
            current = await uow.posts.get(post.post_id)
            if current is None or current.state is not PostState.PUBLISHING:
                return
            again = current.changed(
                state=PostState.SCHEDULED, attempts=attempts, error=error, publishing_since=None
            )
            await uow.posts.save(again)
            await uow.timers.schedule(self._publish_timer(again, now + retry_delay(attempts)))

        log.warning("post %s not published (%s): attempt %s, retrying later", post.post_id, error, attempts)
        await self._transactions.run(work)

    async def _finish_failed(self, post: Post, state: PostState, error: str) -> None:
        async def work(uow: PostsUnitOfWork) -> None:
            current = await uow.posts.get(post.post_id)
            if current is None or current.state is not PostState.PUBLISHING:
                return
            await self._give_up(uow, current, state, error)

        await self._transactions.run(work)

    async def _give_up(self, uow: PostsUnitOfWork, post: Post, state: PostState, error: str) -> None:
        await uow.posts.save(post.changed(state=state, error=error, attempts=post.attempts + 1))
        uow.record(PostFailed(**self._stamper.stamp(), post_id=post.post_id, state=str(state), error=error))

    def _needs_publisher(self) -> ChannelPublisher:
        if self._publisher is None:
            raise UnavailableError("Publicar en los canales necesita el bot de Telegram.")
        return self._publisher


def _keyed_id(key: str) -> str:
    """The id of the post an idempotency key schedules (the same key, the same post)."""
    return "k" + hashlib.sha256(checked_caller_key(key).encode()).hexdigest()[:32]


def _checked_time(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None:
        raise InvalidPostError("La hora de la publicación debe llevar zona horaria.")
    return max(at, now)


def _check_remove_after(remove_after: timedelta | None) -> None:
    if remove_after is None:
        return
    if not timedelta(minutes=1) <= remove_after <= MAX_REMOVE_AFTER:
        hours = int(MAX_REMOVE_AFTER.total_seconds() // 3600)
        raise InvalidPostError(
            f"Una publicación se puede retirar entre 1 minuto y {hours} horas después de publicarse "
            "(Telegram no deja borrar publicaciones más antiguas)."
        )


def post_content(text: str = "", media: Sequence[tuple[str, str]] = ()) -> PostContent:
    """Build a post's content from plain values, with a Spanish error when it is not publishable.

    ``media`` holds ``(kind, file)`` pairs: ``foto`` or ``video``, and a Telegram file id or an URL.

    Raises:
        InvalidPostError: no text and no media, too long a text or caption, more than 10 media, a bad kind.
    """
    try:
        return PostContent.model_validate(
            {"text": text, "media": [{"kind": kind, "file": file} for kind, file in media]}
        )
    except ValidationError as exc:
        problems = "; ".join(str(error["msg"]).removeprefix("Value error, ") for error in exc.errors())
        raise InvalidPostError(f"La publicación no es válida: {problems}.") from exc
