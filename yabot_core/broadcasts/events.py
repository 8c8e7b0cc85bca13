"""Events the broadcasts publish."""

from typing import ClassVar

from pydantic import AwareDatetime

from yabot_core.kernel import Event, UserId


class BroadcastCreated(Event):
    """A broadcast was created, to start at ``start_at``."""

    event_type: ClassVar[str] = "broadcast.created"

    broadcast_id: str
    audience: str
    category: str
    start_at: AwareDatetime


class NotificationSent(Event):
    """Telegram accepted a broadcast's message to one fan."""

    event_type: ClassVar[str] = "notification.sent"

    broadcast_id: str
    user_id: UserId
    category: str


class BroadcastFinished(Event):
    """A broadcast reached everyone it could, or was cancelled: its final counts."""

    event_type: ClassVar[str] = "broadcast.finished"

    broadcast_id: str
    state: str
    total: int
    sent: int
    blocked: int
    skipped: int
    failed: int
    uncertain: int
