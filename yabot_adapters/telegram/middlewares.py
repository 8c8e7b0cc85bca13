"""Update middlewares: the correlation id every caused event carries, and the user upsert."""

from collections.abc import Awaitable, Callable
from typing import Any, Final

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from yabot_core.kernel import CorrelationId, UserId, correlation_scope
from yabot_core.users import UserDirectory, UserProfile

REGISTRATION_KEY: Final = "registration"
"""Handler data key of the :class:`~yabot_core.users.Registration` of the user behind the update."""

_Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


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
    """Registers (or refreshes) the human behind each update and hands the registration to handlers.

    Cheap when nothing changed: the directory reads the stored user once and writes nothing.
    """

    def __init__(self, users: UserDirectory) -> None:
        self._users = users

    async def __call__(self, handler: _Handler, event: TelegramObject, data: dict[str, Any]) -> Any:  # noqa: ANN401  (aiogram's middleware signature)
        user = data.get("event_from_user")
        if isinstance(user, User) and not user.is_bot:
            data[REGISTRATION_KEY] = await self._users.register(profile_of(user))
        return await handler(event, data)


def profile_of(user: User) -> UserProfile:
    """The core's view of a Telegram user."""
    return UserProfile(
        user_id=UserId(user.id),
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )
