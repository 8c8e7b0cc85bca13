"""Events about users; the first one any module can react to (a welcome gift, say)."""

from typing import ClassVar

from yabot_core.kernel import Event, UserId
from yabot_core.users.models import UserSource


class UserRegistered(Event):
    """A user became known to YABOT for the first time."""

    event_type: ClassVar[str] = "user.registered"

    user_id: UserId
    source: UserSource
    first_name: str | None = None
    username: str | None = None
