"""The broadcaster: sends each due broadcast to its audience within Telegram's limits, at most once each.

One process at a time sends a broadcast: it holds a lease on it (taken and renewed by compare-and-set in
storage; another process takes over only once it lapses). First the audience is written down as pending
recipients, page by page behind a cursor, so a crash there resumes where it stopped. Then each recipient:

1. a fan who opted out of the category is ``omitido``; one known to have blocked the bot ``bloqueado``;
2. when the message's turn in the outgoing limiter comes, right before Telegram is asked, the recipient is
   committed as ``enviando`` (the claim);
3. after Telegram answers it is committed as ``enviado`` (with :class:`NotificationSent`), ``bloqueado``
   (403: the fan is marked unreachable and skipped by every later broadcast), back to ``pendiente`` (Telegram
   refused for now: tried again, three times at most, then ``fallido``), or ``incierto`` (asked, never
   answered).

The at-most-once window is between the claim's commit and the answer's: a process that dies there leaves
the recipient ``enviando``; whoever takes the broadcast over turns it ``incierto`` and never sends it again.
So a crash costs at most one message per worker in flight (``concurrency``) an unknown fate, and nobody a
second copy. The rate is the outgoing limiter's (the process's one, ~29 msg/s overall, 1 s per chat); the
workers only keep it fed while each send waits for Telegram's answer.
"""

import asyncio
import contextlib
import html
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Final

from yabot_core.broadcasts.events import BroadcastFinished, NotificationSent
from yabot_core.broadcasts.models import (
    MAX_SEND_ATTEMPTS,
    Broadcast,
    BroadcastProgress,
    BroadcastState,
    Recipient,
    RecipientState,
)
from yabot_core.broadcasts.ports import AudienceSource, BroadcastQueries, BroadcastsUnitOfWork, Notifier
from yabot_core.broadcasts.service import progress_of
from yabot_core.kernel import Clock, EventStamper, IdGenerator, Transactions, UnavailableError, UserId
from yabot_core.lucien import DeliveryUncertainError, RecipientUnreachableError
from yabot_core.users import UserDirectory, UserNotFoundError

log = logging.getLogger(__name__)

LEASE: Final = timedelta(seconds=15)
"""How long a runner holds a broadcast without renewing; another process takes over after it lapses."""
PAGE: Final = 50
"""Recipients sent at a time (under 2 s at Telegram's pace): the lease is renewed, and a cancellation
seen, between pages. The audience is written down 500 fans per commit."""
AUDIENCE_PAGE: Final = 500
CONCURRENCY: Final = 40
"""Sends in flight at once: enough to keep ~30 msg/s flowing over a round trip of up to ~1 s."""
PROGRESS_EVERY: Final = 1.0
"""Seconds between progress reports while sending."""

ProgressCallback = Callable[[BroadcastProgress], Awaitable[None]]


class _TakenError(Exception):
    """The recipient left ``pendiente`` while waiting for its turn (cancelled broadcast, another runner)."""


class LeaseLostError(Exception):
    """Another runner holds the broadcast now (this one stalled past its lease): stop quietly."""


class Broadcaster:
    """Runs due broadcasts: one at a time per process, each under a lease, at most once per fan."""

    def __init__(  # noqa: PLR0917  (the ports it joins, each named at the call)
        self,
        transactions: Transactions[BroadcastsUnitOfWork],
        queries: BroadcastQueries,
        audience: AudienceSource,
        notifier: Notifier,
        users: UserDirectory,
        clock: Clock,
        ids: IdGenerator,
        *,
        concurrency: int = CONCURRENCY,
        lease: timedelta = LEASE,
        progress_every: float = PROGRESS_EVERY,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._audience = audience
        self._notifier = notifier
        self._users = users
        self._clock = clock
        self._stamper = EventStamper(clock, ids)
        self.owner = ids.new_id()
        """This runner's name on its leases."""
        self._concurrency = concurrency
        self._lease = lease
        self._progress_every = progress_every

    async def run_due(self, on_progress: ProgressCallback | None = None) -> int:
        """Send every broadcast due now that no other runner holds; return how many this one finished."""
        finished = 0
        for broadcast in await self._queries.runnable(self._clock.now(), limit=10):
            with contextlib.suppress(LeaseLostError):
                finished += await self.run(broadcast.broadcast_id, on_progress) is not None
        return finished

    async def run(
        self, broadcast_id: str, on_progress: ProgressCallback | None = None
    ) -> BroadcastProgress | None:
        """Send one broadcast to the end, if due and free to take; return its final progress (or ``None``).

        Raises:
            LeaseLostError: another runner took it over meanwhile (this one stalled).
        """
        broadcast = await self._take(broadcast_id)
        if broadcast is None:
            return None
        broadcast = await self._prepare(broadcast)
        await self._settle_claimed(broadcast)
        reporter = _Reporter(self, broadcast_id, on_progress, self._progress_every)
        async with reporter:
            broadcast = await self._send_all(broadcast)
        return await self._finish(broadcast, on_progress)

    async def progress(self, broadcast_id: str) -> BroadcastProgress | None:
        """The committed progress of a broadcast, or ``None`` if there is none."""
        broadcast = await self._queries.get(broadcast_id)
        if broadcast is None:
            return None
        return progress_of(broadcast, await self._queries.counts(broadcast_id))

    # --- the lease --------------------------------------------------------------------------------------

    async def _take(self, broadcast_id: str) -> Broadcast | None:
        now = self._clock.now()

        async def work(uow: BroadcastsUnitOfWork) -> Broadcast | None:
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is None or not broadcast.state.active or broadcast.start_at > now:
                return None
            if _held_by_another(broadcast, self.owner, now):
                return None
            taken = broadcast.changed(
                state=BroadcastState.SENDING, lease_owner=self.owner, lease_until=now + self._lease
            )
            await uow.broadcasts.save(taken)
            return taken

        return await self._transactions.run(work)

    async def _renew(self, broadcast_id: str, **changes: object) -> Broadcast:
        """Extend the lease (applying ``changes``); stop if the broadcast was cancelled or taken over."""
        now = self._clock.now()

        async def work(uow: BroadcastsUnitOfWork) -> Broadcast:
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is None or broadcast.lease_owner != self.owner:
                raise LeaseLostError(broadcast_id)
            if not broadcast.state.active:
                return broadcast
            renewed = broadcast.changed(lease_until=now + self._lease, **changes)
            await uow.broadcasts.save(renewed)
            return renewed

        return await self._transactions.run(work)

    # --- the audience -----------------------------------------------------------------------------------

    async def _prepare(self, broadcast: Broadcast) -> Broadcast:
        """Write the audience down as recipients, after the cursor, one page per commit."""
        if broadcast.prepared:
            return broadcast
        members = await self._audience.members(broadcast.audience, self._clock.now())
        cursor = broadcast.cursor
        todo = [user for user in members if cursor is None or user > cursor]
        for start in range(0, len(todo), AUDIENCE_PAGE):
            page = todo[start : start + AUDIENCE_PAGE]
            last = page[-1]

            async def work(uow: BroadcastsUnitOfWork, page: list[UserId] = page, last: UserId = last) -> None:
                current = await uow.broadcasts.get(broadcast.broadcast_id)
                if current is None or current.lease_owner != self.owner:
                    raise LeaseLostError(broadcast.broadcast_id)
                await uow.broadcasts.add_recipients(broadcast.broadcast_id, page)
                await uow.broadcasts.save(
                    current.changed(cursor=last, lease_until=self._clock.now() + self._lease)
                )

            await self._transactions.run(work)
        return await self._renew(broadcast.broadcast_id, prepared=True)

    async def _settle_claimed(self, broadcast: Broadcast) -> None:
        """Recipients claimed by a runner that never settled them may have got it: ``incierto``."""
        while claimed := await self._queries.recipients(
            broadcast.broadcast_id, RecipientState.CLAIMED, after=None, limit=PAGE
        ):
            for recipient in claimed:
                await self._settle(recipient, RecipientState.UNCERTAIN, only_from=RecipientState.CLAIMED)

    # --- sending ----------------------------------------------------------------------------------------

    async def _send_all(self, broadcast: Broadcast) -> Broadcast:
        """Feed the pending recipients, page after page, to workers that send without pause between pages."""
        text = html.escape(broadcast.text, quote=False)
        queue: asyncio.Queue[Recipient | None] = asyncio.Queue(maxsize=2 * PAGE)
        async with asyncio.TaskGroup() as group:
            workers = [
                group.create_task(self._work(queue, broadcast, text)) for _ in range(self._concurrency)
            ]
            try:
                broadcast = await self._feed(queue, broadcast)
            except BaseException:
                for worker in workers:  # nobody may wait on the queue for them
                    worker.cancel()
                raise
            for _ in workers:
                await queue.put(None)
        return broadcast

    async def _feed(self, queue: "asyncio.Queue[Recipient | None]", broadcast: Broadcast) -> Broadcast:
        """Pass over the pending recipients (renewing the lease each page) until a pass finds none."""
        while True:
            after: UserId | None = None
            went_through = 0
            while page := await self._queries.recipients(
                broadcast.broadcast_id, RecipientState.PENDING, after=after, limit=PAGE
            ):
                broadcast = await self._renew(broadcast.broadcast_id)
                if not broadcast.state.active:
                    return broadcast
                for recipient in page:
                    await queue.put(recipient)
                went_through += len(page)
                after = page[-1].user_id
            await queue.join()  # those Telegram refused for now are pending again: another pass
            if not went_through:
                return await self._renew(broadcast.broadcast_id)

    async def _work(self, queue: "asyncio.Queue[Recipient | None]", broadcast: Broadcast, text: str) -> None:
        while (recipient := await queue.get()) is not None:
            try:
                await self._send_one(broadcast, text, recipient)
            finally:
                queue.task_done()
        queue.task_done()

    async def _send_one(self, broadcast: Broadcast, text: str, recipient: Recipient) -> None:
        user_id = recipient.user_id
        if not (await self._queries.preferences(user_id)).wants(broadcast.category):
            await self._settle(recipient, RecipientState.SKIPPED)
            return
        if not await self._reachable(user_id):
            await self._settle(recipient, RecipientState.BLOCKED)
            return
        claimed = False

        async def claim() -> None:
            nonlocal claimed

            async def work(uow: BroadcastsUnitOfWork) -> None:
                current = await uow.broadcasts.recipient(recipient.broadcast_id, user_id)
                if current is None or current.state is not RecipientState.PENDING:
                    raise _TakenError
                owner = await uow.broadcasts.get(recipient.broadcast_id)
                if owner is None or owner.lease_owner != self.owner or not owner.state.active:
                    raise _TakenError
                await uow.broadcasts.save_recipient(
                    current.model_copy(update={"state": RecipientState.CLAIMED})
                )

            await self._transactions.run(work)
            claimed = True

        try:
            await self._notifier.send(user_id, text, on_turn=claim, protect=broadcast.protect)
        except _TakenError:
            return
        except RecipientUnreachableError:
            await self._users.mark_unreachable(user_id)
            await self._settle(recipient, RecipientState.BLOCKED)
        except DeliveryUncertainError:
            await self._settle(recipient, RecipientState.UNCERTAIN)
        except UnavailableError as exc:
            if claimed:  # Telegram answered "not now": it was not sent
                await self._retry_later(recipient, str(exc))
            else:  # flood control longer than waited in place: still pending, nothing claimed
                await asyncio.sleep(1)
        except Exception:
            log.exception("broadcast %s: sending to %s failed", broadcast.broadcast_id, user_id)
            await self._settle(recipient, RecipientState.FAILED)
        else:
            await self._settle(recipient, RecipientState.SENT, category=broadcast.category)

    async def _reachable(self, user_id: UserId) -> bool:
        try:
            return (await self._users.get(user_id)).reachable
        except UserNotFoundError:
            return True  # nobody we know of blocked us; Telegram will say if it refuses

    async def _retry_later(self, recipient: Recipient, error: str) -> None:
        attempts = recipient.attempts + 1
        state = RecipientState.FAILED if attempts >= MAX_SEND_ATTEMPTS else RecipientState.PENDING
        log.warning("broadcast %s: %s not sent (%s)", recipient.broadcast_id, recipient.user_id, error)
        await self._settle(recipient, state, attempts=attempts, only_from=RecipientState.CLAIMED)

    async def _settle(
        self,
        recipient: Recipient,
        state: RecipientState,
        *,
        attempts: int | None = None,
        only_from: RecipientState | None = None,
        category: str | None = None,
    ) -> None:
        async def work(uow: BroadcastsUnitOfWork) -> None:
            current = await uow.broadcasts.recipient(recipient.broadcast_id, recipient.user_id)
            if current is None or (only_from is not None and current.state is not only_from):
                return
            update: dict[str, object] = {"state": state}
            if attempts is not None:
                update["attempts"] = attempts
            await uow.broadcasts.save_recipient(current.model_copy(update=update))
            if state is RecipientState.SENT and category is not None:
                uow.record(
                    NotificationSent(
                        **self._stamper.stamp(),
                        broadcast_id=recipient.broadcast_id,
                        user_id=recipient.user_id,
                        category=category,
                    )
                )

        await self._transactions.run(work)

    # --- the end ----------------------------------------------------------------------------------------

    async def _finish(self, broadcast: Broadcast, on_progress: ProgressCallback | None) -> BroadcastProgress:
        now = self._clock.now()
        counts = await self._queries.counts(broadcast.broadcast_id)

        async def work(uow: BroadcastsUnitOfWork) -> Broadcast:
            current = await uow.broadcasts.get(broadcast.broadcast_id)
            if current is None or current.lease_owner != self.owner:
                raise LeaseLostError(broadcast.broadcast_id)
            state = current.state if current.state is BroadcastState.CANCELLED else BroadcastState.FINISHED
            done = current.changed(
                state=state, lease_owner=None, lease_until=None, finished_at=current.finished_at or now
            )
            await uow.broadcasts.save(done)
            final = progress_of(done, counts)
            uow.record(
                BroadcastFinished(
                    **self._stamper.stamp(),
                    broadcast_id=done.broadcast_id,
                    state=str(state),
                    total=final.total,
                    sent=final.sent,
                    blocked=final.blocked,
                    skipped=final.skipped,
                    failed=final.failed,
                    uncertain=final.uncertain,
                )
            )
            return done

        done = await self._transactions.run(work)
        final = progress_of(done, counts)
        log.info("broadcast %s %s: %s", done.broadcast_id, done.state, final.bar())
        if on_progress is not None:
            await on_progress(final)
        return final


class _Reporter:
    """Reports a broadcast's progress every second while it is sent (a live progress bar)."""

    def __init__(
        self, runner: Broadcaster, broadcast_id: str, callback: ProgressCallback | None, every: float
    ) -> None:
        self._runner = runner
        self._every = every
        self._broadcast_id = broadcast_id
        self._callback = callback
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> None:
        if self._callback is not None:
            self._task = asyncio.create_task(self._report(), name=f"broadcast-progress-{self._broadcast_id}")

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _report(self) -> None:
        assert self._callback is not None  # noqa: S101  (started only with one)
        while True:
            await asyncio.sleep(self._every)
            progress = await self._runner.progress(self._broadcast_id)
            if progress is not None:
                try:
                    await self._callback(progress)
                except Exception:  # a progress screen that fails must not stop the broadcast
                    log.exception("broadcast %s: the progress callback failed", self._broadcast_id)


def _held_by_another(broadcast: Broadcast, owner: str, now: datetime) -> bool:
    return (
        broadcast.lease_owner is not None
        and broadcast.lease_owner != owner
        and broadcast.lease_until is not None
        and broadcast.lease_until > now
    )
