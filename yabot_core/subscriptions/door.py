"""The VIP channel's door and Lucien's words about it: invite links, join requests, reminders, removals.

Handlers of the module's events and timers. Each is safe to run twice (delivery is at least once): a fan is
shown out only if they are not VIP by then, Lucien's reminders and farewells are scheduled under keys that
make a second scheduling a no-op (so each is said at most once), and a stale timer does nothing.
"""

import logging
import re
from datetime import timedelta
from typing import Final

from yabot_core.kernel import Clock, TimerFired, UserId
from yabot_core.lucien import Lucien
from yabot_core.subscriptions.events import (
    SubscriptionEvent,
    SubscriptionExpired,
    SubscriptionExtended,
    SubscriptionRefunded,
    SubscriptionStarted,
)
from yabot_core.subscriptions.ports import VipChannel
from yabot_core.subscriptions.service import SubscriptionService
from yabot_core.subscriptions.timers import current_for, timer_user

log = logging.getLogger(__name__)

REMINDER: Final = "vip-recordatorio"
EXPIRED: Final = "vip-caducado"
INVITE: Final = "vip-invitacion"
JOIN_DECLINED: Final = "vip-solicitud-rechazada"
DEFAULT_LINK_TTL: Final = timedelta(days=1)
"""How long a personal invite link works (never beyond the VIP's end)."""

_LINK_NAME: Final = re.compile(r"^vip-(\d{1,19})$")


def link_name(user_id: UserId) -> str:
    """The name a personal invite link carries (Telegram allows 32 characters): ``vip-<id>``."""
    return f"vip-{user_id}"


def link_owner(name: str | None) -> UserId | None:
    """The fan a personal invite link was made for, from its name; ``None`` for any other link."""
    match = _LINK_NAME.fullmatch(name or "")
    return UserId(int(match.group(1))) if match else None


class VipNotices:
    """Lucien reminds a fan 72 h and 24 h before their VIP ends, and says goodbye when it does."""

    def __init__(self, *, service: SubscriptionService, lucien: Lucien, clock: Clock) -> None:
        self._service = service
        self._lucien = lucien
        self._clock = clock

    async def on_reminder_due(self, event: TimerFired) -> None:
        """Schedule the reminder now, once, if the VIP still ends when the timer was set for."""
        user = timer_user(event)
        subscription = await self._service.status(user)
        if subscription is None or not current_for(subscription, event):
            return  # renewed, revoked or ended meanwhile: this reminder is stale
        if not subscription.is_vip(self._clock.now()):
            return
        hours = event.payload.get("hours", 0)
        args = {"horas": hours if isinstance(hours, int) else 0}
        await self._lucien.schedule(user, REMINDER, args=args, key=f"sub-{event.key}")

    async def on_expired(self, event: SubscriptionExpired) -> None:
        """Lucien's goodbye (at most once per period: its key is the expiry's entry)."""
        await self._lucien.schedule(event.user_id, EXPIRED, key=f"sub-expired-{event.entry_id}")


class VipDoor:
    """Opens the VIP channel to VIPs and shows out those whose VIP ended (never an admin of the channel)."""

    def __init__(
        self,
        *,
        service: SubscriptionService,
        channel: VipChannel,
        lucien: Lucien,
        clock: Clock,
        join_requests: bool = False,
        link_ttl: timedelta = DEFAULT_LINK_TTL,
    ) -> None:
        self._service = service
        self._channel = channel
        self._lucien = lucien
        self._clock = clock
        self._join_requests = join_requests
        self._link_ttl = link_ttl

    @property
    def channel(self) -> VipChannel:
        """The channel this door guards."""
        return self._channel

    @property
    def join_requests(self) -> bool:
        """Whether the channel runs on join requests (else on single-use links)."""
        return self._join_requests

    async def is_vip(self, user_id: UserId) -> bool:
        """Whether the fan is VIP now, read from committed storage (the door must not lag)."""
        subscription = await self._service.status(user_id)
        return subscription is not None and subscription.is_vip(self._clock.now())

    async def on_started(self, event: SubscriptionStarted) -> None:
        """Send a new VIP their personal invite link (if they are still VIP)."""
        await self._invite(event.user_id)

    async def _invite(self, user: UserId) -> None:
        subscription = await self._service.status(user)
        now = self._clock.now()
        if subscription is None or not subscription.is_vip(now):
            return
        expires = min(now + self._link_ttl, subscription.vip_until)
        link = await self._channel.invite(user, expires_at=expires, join_request=self._join_requests)
        await self._lucien.say(user, INVITE, enlace=link)

    async def on_extended(self, event: SubscriptionExtended) -> None:
        """Send a renewing VIP a new link if they are not in the channel (their first one may have lapsed)."""
        if await self._channel.is_inside(event.user_id):
            return
        await self._invite(event.user_id)

    async def on_access_ended(self, event: SubscriptionEvent) -> None:
        """Show the fan out of the channel (ban, then unban) unless they are VIP again or an admin."""
        if isinstance(event, SubscriptionRefunded) and not event.access_ended:
            return
        await self.show_out(event.user_id)

    async def show_out(self, user_id: UserId) -> bool:
        """Remove ``user_id`` from the channel unless VIP or an admin of it; return whether it was done."""
        if await self.is_vip(user_id):
            log.info("user %s is VIP again; not removed from the VIP channel", user_id)
            return False
        if await self._channel.is_admin(user_id):
            log.info("user %s is an admin of the VIP channel; not removed", user_id)
            return False
        await self._channel.remove(user_id)
        return True

    async def on_join_request(self, user_id: UserId) -> bool:
        """Approve a VIP's join request; decline anyone else's, telling them why and how to buy."""
        if await self.is_vip(user_id):
            await self._channel.approve(user_id)
            return True
        await self._channel.decline(user_id)
        await self._lucien.say(user_id, JOIN_DECLINED)
        return False

    async def on_joined(self, user_id: UserId, *, link: str | None, name: str | None) -> bool:
        """Check a join through a personal link: used by someone else, it is revoked and they shown out.

        Returns whether the join was refused. A VIP who came in through another's link is left in (they
        are entitled to the channel), but the link is revoked all the same.
        """
        owner = link_owner(name)
        if owner is None or owner == user_id or link is None:
            return False
        log.warning("invite link made for %s was used by %s; revoking it", owner, user_id)
        await self._channel.revoke_invite(link)
        return await self.show_out(user_id)
