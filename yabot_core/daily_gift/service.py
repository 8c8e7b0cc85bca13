"""The daily gift: one claim per calendar day, a streak paying more each day, a surprise drawn by weight."""

from datetime import UTC, timedelta, tzinfo

from yabot_core.daily_gift.content import DailyGiftContent, SurpriseGift
from yabot_core.daily_gift.events import DailyGiftClaimed
from yabot_core.daily_gift.models import DAILY_GIFT, ClaimResult, DailyClaim, GiftStatus, day_of, start_of
from yabot_core.daily_gift.ports import DailyGiftQueries, DailyGiftUnitOfWork, RandomSource
from yabot_core.inventory import (
    ItemCatalog,
    ItemId,
    ItemNotStackableError,
    MaxQuantityError,
    Mochila,
    UnknownItemError,
)
from yabot_core.kernel import (
    Clock,
    EventStamper,
    IdGenerator,
    Transactions,
    UserId,
    checked_user_id,
    system_key,
)
from yabot_core.wallet import WalletService


class DailyGift:
    """Hands out the day's gift, at most once per fan and calendar day of ``zone``.

    Storage decides "once": the claim is stored under (user, day) in the same unit of work as the wallet's
    credit, the mochila's item and ``DailyGiftClaimed``, so fifty simultaneous ``/regalo`` make one claim
    and the other forty-nine find it (their retried work reads it and changes nothing). The credit and the
    item also carry the key ``yabot:daily_gift:<user>:<day>``: the wallet and the mochila refuse a second
    one on their own.

    A streak counts consecutive days: claiming on the day after the last claim adds one, skipping a day
    starts again at 1. The surprise is drawn inside the work from ``random``; a retried work draws again,
    and only the committed draw counts. A surprise item the mochila cannot take (a non-stackable one
    already held, a full stack, an item gone from the catalog) is left out and the besitos still paid.
    """

    def __init__(
        self,
        transactions: Transactions[DailyGiftUnitOfWork],
        queries: DailyGiftQueries,
        wallet: WalletService,
        mochila: Mochila,
        content: DailyGiftContent,
        *,
        clock: Clock,
        ids: IdGenerator,
        random: RandomSource,
        zone: tzinfo,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._wallet = wallet
        self._mochila = mochila
        self._clock = clock
        self._random = random
        self._stamper = EventStamper(clock, ids)
        self.content = content
        self.zone = zone

    @property
    def catalog(self) -> ItemCatalog:
        """The items catalog the surprises come from (to name them to the fan)."""
        return self._mochila.catalog

    async def claim(self, user_id: UserId) -> ClaimResult:
        """Claim today's gift; if the fan already did today, return that claim with ``fresh=False``.

        Raises:
            InvalidInputError: a bad user id (nothing is opened).
            What the wallet raises if the balance would pass its maximum; nothing changes then.
        """
        user = checked_user_id(user_id)
        return await self._transactions.run(lambda uow: self._claim(uow, user))

    async def last_claim(self, user_id: UserId) -> DailyClaim | None:
        """The fan's latest committed claim, or ``None``."""
        return await self._queries.last_claim(checked_user_id(user_id))

    async def status(self, user_id: UserId) -> GiftStatus:
        """Whether the fan claimed today, the streak still alive, and when they may claim next."""
        user = checked_user_id(user_id)
        now = self._clock.now()
        today = day_of(now, self.zone)
        last = await self._queries.last_claim(user)
        claimed = last is not None and last.day >= today
        alive = last is not None and last.day >= today - timedelta(days=1)
        tomorrow = start_of(today + timedelta(days=1), self.zone).astimezone(UTC)
        return GiftStatus(
            user_id=user,
            claimed_today=claimed,
            streak=last.streak if last is not None and alive else 0,
            last_claim=last,
            next_at=tomorrow if claimed else now,
        )

    async def _claim(self, uow: DailyGiftUnitOfWork, user: UserId) -> ClaimResult:
        now = self._clock.now()
        today = day_of(now, self.zone)
        next_at = start_of(today + timedelta(days=1), self.zone).astimezone(UTC)
        last = await uow.daily_gifts.last_claim(user)
        if last is not None and last.day >= today:
            return ClaimResult(claim=last, fresh=False, next_at=next_at, now=now)
        streak = last.streak + 1 if last is not None and last.day == today - timedelta(days=1) else 1
        streak_besitos = self.content.streak.besitos(streak)
        surprise = self.content.draw(self._random)
        key = system_key("daily_gift", user, today.isoformat())
        item_id, quantity = await self._give_item(uow, user, surprise, key)
        besitos = streak_besitos + (surprise.besitos if surprise is not None else 0)
        entry = await self._wallet.credit_in(uow, user, besitos, DAILY_GIFT, idempotency_key=key)
        claim = DailyClaim(
            user_id=user,
            day=today,
            streak=streak,
            besitos=besitos,
            streak_besitos=streak_besitos,
            gift_id=surprise.id if surprise is not None else None,
            item_id=item_id,
            quantity=quantity,
            entry_id=entry.entry_id,
            claimed_at=now,
        )
        await uow.daily_gifts.add_claim(claim)
        uow.record(
            DailyGiftClaimed(
                **self._stamper.stamp(),
                user_id=user,
                day=today,
                streak=streak,
                besitos=besitos,
                gift_id=claim.gift_id,
                item_id=item_id,
                quantity=quantity,
            )
        )
        return ClaimResult(claim=claim, fresh=True, next_at=next_at, now=now)

    async def _give_item(
        self, uow: DailyGiftUnitOfWork, user: UserId, surprise: SurpriseGift | None, key: str
    ) -> tuple[ItemId | None, int]:
        """Put the surprise's item in the mochila; ``(None, 0)`` when there is none or it does not fit.

        The mochila checks before it writes anything, so a refusal leaves this unit of work clean.
        """
        if surprise is None or surprise.item_id is None:
            return None, 0
        try:
            await self._mochila.add_in(
                uow, user, surprise.item_id, surprise.quantity, reason=DAILY_GIFT, idempotency_key=key
            )
        except (ItemNotStackableError, MaxQuantityError, UnknownItemError):
            return None, 0
        return surprise.item_id, surprise.quantity
