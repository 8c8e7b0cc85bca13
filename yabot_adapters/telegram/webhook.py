"""Updates pushed by Telegram's webhook: kept in the inbox before they are answered, handled from it.

Telegram retries an update until it gets a 200, and a process may die right after answering. So the webhook
route only stores the raw update (:meth:`WebhookUpdates.accept`: insert-if-new, which is also the dedupe of
Telegram's retries) and answers; a worker in each process claims stored updates with a lease, feeds them to
the dispatcher, and marks them done. One user's updates are handed out one at a time, in order (the inbox
sees to it, across processes); a claim left by a process that died is taken over when its lease ends.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from itertools import count
from typing import Any, Final

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from pydantic import ValidationError

from yabot_adapters.telegram.bot import prepare_bot
from yabot_adapters.telegram.commands import MenuEntry
from yabot_adapters.telegram.middlewares import track_updates
from yabot_adapters.telegram.updates import summary
from yabot_core.kernel import Clock, InboxUpdate, UnavailableError, UpdateInbox

log = logging.getLogger(__name__)

LEASE: Final = timedelta(seconds=60)
"""How long a claimed update is a worker's alone; past it (the process died) another takes it over."""

KEEP_DONE: Final = timedelta(hours=24)
"""How long a handled update's id is remembered; Telegram stops retrying an update well before."""

BATCH: Final = 32
"""The most updates one round claims (one per user at most: a user's next waits for the one before)."""

PRUNE_EVERY: Final = 100
"""Rounds between two prunings of handled updates."""


def order_key(update: Mapping[str, Any]) -> int:
    """Whose update this is: the sender's id, else the chat's, else 0 (one queue for the rest).

    A Bot API update has ``update_id`` and one object; a person is ``from`` (or ``user``) in it, a chat is
    ``chat`` (a channel post has no sender).
    """
    for name, value in update.items():
        if name == "update_id" or not isinstance(value, Mapping):
            continue
        for field in ("from", "user", "chat"):
            who = value.get(field)
            if isinstance(who, Mapping) and isinstance(who.get("id"), int):
                return int(who["id"])
    return 0


class WebhookUpdates:
    """The webhook's two halves: :meth:`accept` stores an update; a background worker handles stored ones.

    :meth:`accept` may be called whether or not the worker runs: what it stores is handled by whichever
    worker runs next (here after a restart, or in another process). The worker looks for work as soon as
    this process accepted some, and every ``poll_interval`` seconds for what other processes accepted.
    """

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        inbox: UpdateInbox,
        *,
        clock: Clock,
        menu: Sequence[MenuEntry] = (),
        poll_interval: float = 1.0,
        lease: timedelta = LEASE,
        keep_done: timedelta = KEEP_DONE,
        batch: int = BATCH,
    ) -> None:
        self._bot = bot
        self._dispatcher = dispatcher
        self._inbox = inbox
        self._clock = clock
        self._menu = tuple(menu)
        self._poll_interval = poll_interval
        self._lease = lease
        self._keep_done = keep_done
        self._batch = batch
        self._tracker = track_updates(dispatcher)
        self._name = uuid.uuid4().hex[:12]
        self._rounds = count(1)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def accept(self, update: Mapping[str, Any]) -> bool:
        """Store a raw update (its ``update_id`` an integer) unless stored already; return whether new.

        Raises:
            UnavailableError: storage did not answer (the caller answers 503, and Telegram retries).
        """
        stored = InboxUpdate(
            update_id=update["update_id"],
            order_key=order_key(update),
            payload=dict(update),
            received_at=self._clock.now(),
        )
        new = await self._inbox.receive(stored)
        if new:
            self._wake.set()
        return new

    async def start(self) -> None:
        """Make the optional start-up calls, then handle stored updates in the background (old ones first)."""
        await prepare_bot(self._bot, self._menu)
        self._stopping = False
        self._wake.set()  # look at once: updates stored before a restart are waiting
        self._task = asyncio.create_task(self._work(), name="yabot-telegram-webhook")

    async def stop(self, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109  (a bounded wait is the point)
        """Claim nothing more; give the updates in hand ``timeout`` seconds, then cut them off.

        An update cut off stays claimed, not done: another worker handles it again once the lease ends.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            log.warning("Telegram updates still being handled after %.1f s; shutting down anyway", timeout)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def check_ready(self) -> None:
        """Return if the worker runs; raise ``UnavailableError`` if not (a readiness check)."""
        if self._task is None or self._task.done():
            raise UnavailableError(
                "El bot de Telegram no está atendiendo el webhook: no se ha puesto en marcha.",
                detail={"telegram": "detenido"},
            )

    async def _work(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                handled = await self._round()
            except Exception:
                log.exception("could not claim Telegram updates; trying again")
                handled = 0
            if handled or self._stopping:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)

    async def _round(self) -> int:
        """Claim a batch, handle it (one user's update per batch, so they may run side by side)."""
        number = next(self._rounds)
        now = self._clock.now()
        claimed = await self._inbox.claim(now, f"{self._name}:{number}", now + self._lease, self._batch)
        await asyncio.gather(*(self._handle(update) for update in claimed))
        if number % PRUNE_EVERY == 1:
            await self._inbox.prune(self._clock.now() - self._keep_done)
        return len(claimed)

    async def _handle(self, update: InboxUpdate) -> None:
        """Feed one update to the dispatcher, as polling does; done, whatever the handlers made of it.

        A handler's failure is the errors router's to answer; one that escapes it, or an update aiogram
        cannot read, is logged and counted done all the same: retrying it would only hold up its user.
        """
        try:
            parsed = Update.model_validate(update.payload, context={"bot": self._bot})
        except ValidationError as exc:
            log.warning(
                "skipping Telegram update %d: aiogram cannot read it (%s)", update.update_id, summary(exc)
            )
        else:
            try:
                result = await self._dispatcher.feed_update(self._bot, parsed)
                if isinstance(result, TelegramMethod):  # an answer "into the webhook": sent, as polling does
                    await self._dispatcher.silent_call_request(self._bot, result)
            except Exception:
                log.exception("Telegram update %d failed", update.update_id)
        if not await self._inbox.complete(update, self._clock.now()):
            log.warning("Telegram update %d was handled after its lease ended", update.update_id)
