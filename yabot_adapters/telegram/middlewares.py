"""Update middlewares: the updates in flight, the correlation id every caused event bears, the user upsert."""

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Final, Protocol, TypeVar

from aiogram import BaseMiddleware, Dispatcher
from aiogram.enums import ChatType
from aiogram.types import TelegramObject, Update, User

from yabot_core.kernel import CorrelationId, UserId, correlation_scope
from yabot_core.users import Registration, UserDirectory, UserProfile

REGISTRATION_KEY: Final = "registration"
"""Handler data key of the :class:`~yabot_core.users.Registration` of the user behind the update."""

UPDATE_TRACKER_KEY: Final = "update_tracker"
"""Workflow data key of the dispatcher's :class:`UpdateTracker` (get it with :func:`track_updates`)."""

_Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

M = TypeVar("M")


class Middlewares(Protocol[M]):
    """aiogram's middleware managers: a dispatcher's update middlewares, a bot session's request ones."""

    def __iter__(self) -> Iterator[M]: ...
    def register(self, middleware: M, /) -> M: ...
    def unregister(self, middleware: M, /) -> None: ...


def move_last_to_front(middlewares: Middlewares[M]) -> None:
    """Put the middleware registered last before the others, so it runs outside them all.

    aiogram only appends middlewares: each of the others is taken out and appended again, in order.
    """
    for middleware in list(middlewares)[:-1]:
        middlewares.unregister(middleware)
        middlewares.register(middleware)


class UpdateTracker(BaseMiddleware):
    """Counts the updates being handled, so a shutdown can wait for them before closing what they use.

    aiogram handles each polled update in a task of its own and does not wait for those tasks when polling
    stops; they were already confirmed to Telegram, so one cut short is lost half-done. Install it with
    :func:`track_updates`, which puts it outside every other middleware: the count then covers the error
    handler's apology too.
    """

    def __init__(self) -> None:
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def in_flight(self) -> int:
        """How many updates are being handled right now."""
        return self._in_flight

    async def __call__(self, handler: _Handler, event: TelegramObject, data: dict[str, Any]) -> Any:  # noqa: ANN401  (aiogram's middleware signature)
        self._in_flight += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def wait_idle(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109  (a bounded wait is the point)
        """Wait until no update is being handled, for at most ``timeout`` seconds (``None``: no limit).

        Returns:
            Whether none is being handled now (``False``: the deadline came first; see :attr:`in_flight`).
        """
        try:
            async with asyncio.timeout(timeout):
                while self._in_flight:
                    await self._idle.wait()
        except TimeoutError:
            return False
        return True


def track_updates(dispatcher: Dispatcher) -> UpdateTracker:
    """The dispatcher's :class:`UpdateTracker`, installed on first use as its outermost update middleware.

    Outermost, before aiogram's own error and user-context middlewares, so an update counts from its first
    step to its last, the error handler's reply included. Kept in the workflow data under
    :data:`UPDATE_TRACKER_KEY`, so later calls return the same tracker.
    """
    tracker = dispatcher.get(UPDATE_TRACKER_KEY)
    if isinstance(tracker, UpdateTracker):
        return tracker
    tracker = UpdateTracker()
    dispatcher.update.outer_middleware.register(tracker)
    move_last_to_front(dispatcher.update.outer_middleware)
    dispatcher[UPDATE_TRACKER_KEY] = tracker
    return tracker


def correlation_id_for(update: Update) -> CorrelationId:
    """The correlation id of everything an update causes: ``tg-<update_id>``.

    Derived from the update, so a redelivered update keeps its id and logs of one update line up.
    """
    return CorrelationId(f"tg-{update.update_id}")


class CorrelationMiddleware(BaseMiddleware):
    """Runs the handling of each update inside a correlation scope named after the update."""

    async def __call__(self, handler: _Handler, event: TelegramObject, data: dict[str, Any]) -> Any:  # noqa: ANN401  (aiogram's middleware signature)
        if not isinstance(event, Update):
            return await handler(event, data)
        with correlation_scope(correlation_id_for(event)):
            return await handler(event, data)


class UserUpsertMiddleware(BaseMiddleware):
    """Registers (or refreshes) the person talking to the bot and hands the registration to handlers.

    Only a real interaction makes a user (and pays the welcome gift): see :func:`interacting_user`. Other
    updates (chatter in a group, reactions, poll answers, someone blocking the bot) reach the routers
    without a registration. Cheap when nothing changed: the directory reads the stored user once and
    writes nothing.
    """

    def __init__(self, users: UserDirectory) -> None:
        self._users = users

    async def __call__(self, handler: _Handler, event: TelegramObject, data: dict[str, Any]) -> Any:  # noqa: ANN401  (aiogram's middleware signature)
        user = interacting_user(event) if isinstance(event, Update) else None
        if user is not None:
            data[REGISTRATION_KEY] = await self._users.register(profile_of(user))
        return await handler(event, data)


async def registered(_: TelegramObject, registration: Registration | None = None) -> bool:
    """Router filter: the update comes from someone :class:`UserUpsertMiddleware` registered.

    Handlers that take a ``registration`` need it: without the filter, a ``/start`` from a bot account would
    reach them without one and fail.
    """
    return registration is not None


def interacting_user(update: Update) -> User | None:
    """The person an update shows talking to the bot, or ``None`` when it shows no such interaction.

    Two kinds count: a message in the user's private chat with the bot (a command, text, a photo...), and
    a press on one of the bot's inline buttons, wherever the message is. Nothing else does: a message in a
    group is talk among members; reactions, poll answers, inline queries, join requests and membership
    changes (blocking or unblocking the bot) are not conversations with Lucien. Senders that are no
    person never count: bot accounts, and chats speaking as themselves (a channel posting into a group,
    an anonymous admin), which Telegram marks with ``sender_chat``.
    """
    if update.message is not None:
        message = update.message
        user = message.from_user
        if message.chat.type != ChatType.PRIVATE or message.sender_chat is not None:
            return None
    elif update.callback_query is not None:
        user = update.callback_query.from_user
    else:
        return None
    return None if user is None or user.is_bot else user


def profile_of(user: User) -> UserProfile:
    """The core's view of a Telegram user."""
    return UserProfile(
        user_id=UserId(user.id),
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )
