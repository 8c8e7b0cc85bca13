"""The figures of the admin's statistics screen, each read through its module's public queries."""

from collections.abc import Sequence
from dataclasses import dataclass

from yabot_core.admin.dead_letters import DeadLetterDesk
from yabot_core.kernel import Timer, TimerStore
from yabot_core.subscriptions import VipStatistics
from yabot_core.users import UserQueries
from yabot_core.wallet import WalletQueries


@dataclass(frozen=True, slots=True)
class Statistics:
    """The community at a glance."""

    fans: int
    """Registered users."""
    vips: int
    stars: int
    """Stars of standing (unrefunded) payments, at the plans' catalog prices."""
    payments: int
    besitos: int
    """Besitos in circulation: every balance plus what auctions hold."""
    dead_letters: int
    dead_letters_floor: bool
    """``dead_letters`` is only a floor (there are at least that many)."""


class Dashboard:
    """Statistics and what is coming up, for the admin menu (and anything else that wants them)."""

    def __init__(
        self,
        users: UserQueries,
        wallet: WalletQueries,
        vip: VipStatistics,
        desk: DeadLetterDesk,
        timers: TimerStore,
    ) -> None:
        self._users = users
        self._wallet = wallet
        self._vip = vip
        self._desk = desk
        self._timers = timers

    async def statistics(self) -> Statistics:
        """Every figure, read now (each from its own module; they are not one snapshot)."""
        vip = await self._vip.figures()
        dead, floor = await self._desk.count()
        return Statistics(
            fans=await self._users.count(),
            vips=vip.vips,
            stars=vip.stars,
            payments=vip.payments,
            besitos=await self._wallet.circulation(),
            dead_letters=dead,
            dead_letters_floor=floor,
        )

    async def upcoming(self, *, limit: int = 10) -> Sequence[Timer]:
        """The next durable timers to fire (expiries, reminders, Lucien's messages...), soonest first."""
        return await self._timers.pending(limit=limit)
