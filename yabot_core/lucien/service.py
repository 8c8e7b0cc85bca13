"""Lucien speaks: now, from the handlers of every module, or later, on a durable timer."""

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Final

from pydantic import JsonValue

from yabot_core.kernel import (
    Clock,
    EventStamper,
    IdGenerator,
    InvalidInputError,
    Phrasebook,
    Timer,
    TimerFired,
    Transactions,
    UnavailableError,
    UserId,
    YabotError,
    new_timer,
)
from yabot_core.lucien.errors import (
    DeliveryUncertainError,
    InvalidMessageTextError,
    LucienMessageNotFoundError,
    MessageAlreadySentError,
    RecipientUnreachableError,
)
from yabot_core.lucien.events import LucienMessageSent
from yabot_core.lucien.models import MAX_TEXT, LucienMessage, MessageState
from yabot_core.lucien.ports import LucienQueries, LucienUnitOfWork, Messenger, ProtectionRule, UserContext
from yabot_core.users import UserDirectory, UserNotFoundError

log = logging.getLogger(__name__)

MESSAGE_TIMER: Final = "lucien.message"
"""The kind of the timers that carry Lucien's scheduled messages."""

NAME: Final = "nombre"
"""The one variable every text may use: how Lucien addresses the reader."""


class Lucien:
    """The bot's voice: every text a user receives outside a direct reply goes through here.

    A user who blocked the bot (or never started it) is marked unreachable and skipped from then on,
    without a retry or a dead letter: nothing will make Telegram deliver to them.
    """

    def __init__(
        self,
        *,
        transactions: Transactions[LucienUnitOfWork],
        queries: LucienQueries,
        users: UserDirectory,
        messenger: Messenger,
        phrasebook: Phrasebook,
        context: UserContext,
        clock: Clock,
        ids: IdGenerator,
        admin_ids: Sequence[UserId] = (),
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._users = users
        self._messenger = messenger
        self._phrasebook = phrasebook
        self._context = context
        self._clock = clock
        self._ids = ids
        self._stamper = EventStamper(clock, ids)
        self._admin_ids = tuple(admin_ids)
        self._protection: list[ProtectionRule] = []

    def protect_for(self, rule: ProtectionRule) -> None:
        """Protect (``protect_content``) what Lucien sends to users for whom ``rule`` holds (VIPs...).

        Messages to admins are always protected: they speak of the house's affairs.
        """
        self._protection.append(rule)

    # --- now --------------------------------------------------------------------------------------------

    async def say(self, user_id: UserId, message_id: str, /, **args: object) -> bool:
        """Send the catalog's ``message_id`` to a user now, with their context; return whether it went.

        For handlers (at-least-once: after a crash or a send Telegram never answered, a user may rarely hear
        the same thing twice). Returns ``False`` for an unreachable user. Raises ``UnavailableError`` when
        Telegram is away or did not answer (the bus retries later).
        """
        return await self._say(user_id, message_id, args, protect=False)

    async def _say(
        self, user_id: UserId, message_id: str, args: Mapping[str, object], *, protect: bool
    ) -> bool:
        context, reachable = await self._context_of(user_id)
        if not reachable:
            log.info("user %s blocked the bot; %s not sent", user_id, message_id)
            return False
        variables = {**context, **args}  # what the caller says wins over the context
        text = self._phrasebook.render(message_id, **variables)  # texts: the callers' ids are checked
        try:
            return await self._deliver(user_id, text, protect=protect)
        except DeliveryUncertainError as exc:
            raise UnavailableError(exc.message, detail=exc.detail) from exc  # at least once: try again

    async def tell_admins(self, message_id: str, /, **args: object) -> None:
        """Send the catalog's ``message_id`` to every admin who can be reached."""
        for admin_id in self._admin_ids:  # admin-only content: always protected
            await self._say(admin_id, message_id, args, protect=True)

    # --- later ------------------------------------------------------------------------------------------

    async def schedule_text(self, user_id: UserId, text: str, *, at: datetime | None = None) -> LucienMessage:
        """Schedule an operator's own ``text`` for a user, now or ``at`` a time; it survives restarts.

        ``text`` is plain text (it is escaped) and may use the variables Lucien knows (``{ $nombre }``...),
        filled in when it is sent.

        Raises:
            UserNotFoundError: nobody is registered with that id.
            InvalidMessageTextError: an empty or too long text, or one that cannot be rendered.
            InvalidInputError: a time without a time zone.
        """
        problems = self.text_problems(text)
        if problems:
            raise InvalidMessageTextError(" ".join(problems))
        return await self._schedule(user_id, at, text=text.strip())

    def text_problems(self, text: str) -> list[str]:
        """Say in Spanish what keeps ``text`` from being one of Lucien's scheduled texts (empty: nothing).

        For modules that schedule their creator's texts: they check them once, when their content loads.
        """
        stripped = text.strip()
        if not stripped or len(stripped) > MAX_TEXT:
            return [f"El mensaje debe tener entre 1 y {MAX_TEXT} caracteres."]
        return list(self._phrasebook.text_problems(stripped, {NAME, *self._context.names()}))

    async def schedule_text_in(
        self,
        uow: LucienUnitOfWork,
        user_id: UserId,
        text: str,
        *,
        at: datetime | None = None,
        key: str,
    ) -> LucienMessage:
        """:meth:`schedule_text` inside the caller's unit of work (the story schedules with a decision).

        ``key`` makes scheduling it again a no-op (the first message is returned). Raises what
        :meth:`schedule_text` raises; raising undoes the caller's whole unit of work.
        """
        problems = self.text_problems(text)
        if problems:
            raise InvalidMessageTextError(" ".join(problems))
        if await uow.users.get(user_id) is None:
            raise UserNotFoundError(user_id)
        message, timer = self._message_and_timer(user_id, at, text=text.strip(), key=key)
        return await self._store(uow, message, timer)

    async def schedule(
        self,
        user_id: UserId,
        message_id: str,
        *,
        at: datetime | None = None,
        args: Mapping[str, JsonValue] | None = None,
        key: str | None = None,
    ) -> LucienMessage:
        """Schedule the catalog's ``message_id`` for a user (``key`` makes scheduling it again a no-op)."""
        return await self._schedule(user_id, at, message_id=message_id, args=dict(args or {}), key=key)

    async def cancel(self, key: str) -> LucienMessage:
        """Cancel a scheduled message before it leaves.

        Raises:
            LucienMessageNotFoundError: no message has that id.
            MessageAlreadySentError: it was sent, skipped or cancelled already.
        """
        now = self._clock.now()

        async def work(uow: LucienUnitOfWork) -> LucienMessage:
            message = await uow.lucien.get(key)
            if message is None:
                raise LucienMessageNotFoundError(key)
            if message.state is not MessageState.SCHEDULED:
                raise MessageAlreadySentError(key, message.state)
            await uow.timers.cancel(_timer_key(key))
            cancelled = message.model_copy(update={"state": MessageState.CANCELLED, "finished_at": now})
            await uow.lucien.save(cancelled)
            return cancelled

        return await self._transactions.run(work)

    async def recent(self, *, user_id: UserId | None = None, limit: int = 50) -> Sequence[LucienMessage]:
        """Messages newest due first, for operators."""
        if not 1 <= limit <= 1000:  # noqa: PLR2004  (a listing, not a bulk export)
            raise InvalidInputError("El límite debe estar entre 1 y 1000.")
        return await self._queries.recent(user_id=user_id, limit=limit)

    # --- the timer's handler ----------------------------------------------------------------------------

    async def on_message_due(self, event: TimerFired) -> None:
        """Send a scheduled message whose time came: once, or not at all if its fate is unknown.

        The message is marked as being sent when its turn in Telegram's limits comes, right before Telegram
        is asked (messages still waiting in line are untouched by a crash). A delivery that finds it so
        marked (the process died mid-send) cannot know whether it arrived, and does not send it again: a
        fan never reads the same scheduled message twice. So does a send Telegram never answered (a timeout).
        If Telegram refuses it for now (flood control, an outage), it is scheduled again and the bus retries.
        """
        key = str(event.payload.get("key", ""))
        message = await self._queries.get(key)
        if message is None or message.state is not MessageState.SCHEDULED:
            if message is not None and message.state is MessageState.SENDING:
                log.warning("message %s was being sent when a process died; not sending it twice", key)
            return
        variables, reachable = await self._context_of(message.user_id)
        if not reachable:
            await self._transactions.run(lambda uow: self._finish(uow, message, MessageState.SKIPPED))
            return
        variables.update(message.args)
        if message.text is not None:
            text = self._phrasebook.render_text(message.text, **variables)
        else:
            text = self._phrasebook.render(message.message_id or "", **variables)  # texts: as scheduled
        claimed = False

        async def claim(uow: LucienUnitOfWork) -> None:
            current = await uow.lucien.get(key)
            if current is None or current.state is not MessageState.SCHEDULED:
                raise _TakenError
            await uow.lucien.save(current.model_copy(update={"state": MessageState.SENDING}))

        async def on_turn() -> None:
            nonlocal claimed
            await self._transactions.run(claim)
            claimed = True

        try:
            delivered = await self._deliver(message.user_id, text, on_turn=on_turn)
        except _TakenError:
            return  # cancelled, or sent by a replay, while it waited for its turn
        except DeliveryUncertainError as exc:
            log.warning("message %s: %s It stays as being sent; not sending it twice.", key, exc.message)
            return  # as after a crash mid-send: at most once
        except YabotError as exc:
            if claimed and exc.transient:  # Telegram said not now: it was not sent
                await self._transactions.run(lambda uow: self._finish(uow, message, MessageState.SCHEDULED))
            raise  # the bus retries (a message never claimed is still scheduled)
        except BaseException:
            if claimed:
                log.warning("message %s: the send was interrupted; its fate is unknown, so it stays", key)
            raise
        state = MessageState.SENT if delivered else MessageState.SKIPPED
        await self._transactions.run(lambda uow: self._finish(uow, message, state))

    # --- inside ---------------------------------------------------------------------------------------------

    async def _schedule(
        self,
        user_id: UserId,
        at: datetime | None,
        *,
        text: str | None = None,
        message_id: str | None = None,
        args: dict[str, JsonValue] | None = None,
        key: str | None = None,
    ) -> LucienMessage:
        await self._users.get(user_id)  # refuses unknown users, in Spanish
        message, timer = self._message_and_timer(
            user_id, at, text=text, message_id=message_id, args=args, key=key
        )
        return await self._transactions.run(lambda uow: self._store(uow, message, timer))

    def _message_and_timer(
        self,
        user_id: UserId,
        at: datetime | None,
        *,
        text: str | None = None,
        message_id: str | None = None,
        args: dict[str, JsonValue] | None = None,
        key: str | None = None,
    ) -> tuple[LucienMessage, Timer]:
        now = self._clock.now()
        due = at or now
        if due.tzinfo is None:
            raise InvalidInputError("La hora del mensaje debe llevar zona horaria.")
        message = LucienMessage(
            key=key or self._ids.new_id(),
            user_id=user_id,
            message_id=message_id,
            text=text,
            args=args or {},
            due_at=due,
            created_at=now,
        )
        timer = new_timer(
            _timer_key(message.key),
            MESSAGE_TIMER,
            due,
            now=now,
            payload={"key": message.key},
            user_id=user_id,
        )
        return message, timer

    @staticmethod
    async def _store(uow: LucienUnitOfWork, message: LucienMessage, timer: Timer) -> LucienMessage:
        known = await uow.lucien.get(message.key)
        if known is not None:
            return known
        await uow.lucien.save(message)
        await uow.timers.schedule(timer)
        return message

    async def _finish(self, uow: LucienUnitOfWork, message: LucienMessage, state: MessageState) -> None:
        finished = None if state is MessageState.SCHEDULED else self._clock.now()
        await uow.lucien.save(message.model_copy(update={"state": state, "finished_at": finished}))
        if state is MessageState.SENT:
            uow.record(LucienMessageSent(**self._stamper.stamp(), user_id=message.user_id, key=message.key))

    async def _context_of(self, user_id: UserId) -> tuple[dict[str, object], bool]:
        """The variables Lucien may use for a user, and whether the user can be written to.

        A user known to be unreachable gets no variables: nothing will be said to them, so the modules'
        lookups (a balance, VIP days...) are not worth their queries.
        """
        try:
            user = await self._users.get(user_id)
        except UserNotFoundError:
            variables = dict(await self._context.variables(user_id))
            variables.setdefault(NAME, "")
            return variables, True  # nobody we know of blocked us; Telegram will say if it refuses
        if not user.reachable:
            return {}, False
        variables = dict(await self._context.variables(user_id))
        variables[NAME] = user.display_name
        return variables, True

    async def _deliver(
        self,
        user_id: UserId,
        text: str,
        *,
        on_turn: Callable[[], Awaitable[None]] | None = None,
        protect: bool = False,
    ) -> bool:
        protect = protect or await self._protects(user_id)
        try:
            await self._messenger.send(user_id, text, on_turn=on_turn, protect=protect)
        except RecipientUnreachableError as exc:
            log.info("user %s is unreachable, message skipped: %s", user_id, exc.message)
            await self._users.mark_unreachable(user_id)
            return False
        return True

    async def _protects(self, user_id: UserId) -> bool:
        for rule in self._protection:
            if await rule(user_id):
                return True
        return False


class _TakenError(Exception):
    """The message left the scheduled state while it waited for its turn (cancelled, or sent by a replay)."""


def _timer_key(key: str) -> str:
    return f"lucien:{key}"
