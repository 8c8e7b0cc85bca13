"""Logros: counters of events per fan, unlocked once with their reward."""

from yabot_core.achievements.content import AchievementCatalog, AchievementDefinition
from yabot_core.achievements.events import AchievementUnlocked
from yabot_core.achievements.models import (
    ACHIEVEMENT_REWARD,
    AchievementStatus,
    AchievementsView,
    UserAchievement,
)
from yabot_core.achievements.ports import AchievementQueries, AchievementsUnitOfWork
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
    Event,
    EventStamper,
    IdGenerator,
    Transactions,
    UserId,
    checked_user_id,
    system_key,
)
from yabot_core.wallet import WalletService


class Achievements:
    """Every fan's logros over any storage adapter and one catalog.

    Counters move with events (:meth:`on_event`, a bus handler): each event counts at most once per fan,
    its id stored with the counters in one unit of work, so a redelivered event never counts twice and
    copies racing each other serialize on that id. Reaching a rule's target unlocks the logro and pays its
    reward in the same unit of work under ``yabot:achievement:<user>:<logro>``, so the wallet and the
    mochila refuse a second payment on their own. An unlocked logro never moves again.
    """

    def __init__(
        self,
        transactions: Transactions[AchievementsUnitOfWork],
        queries: AchievementQueries,
        wallet: WalletService,
        mochila: Mochila,
        *,
        catalog: AchievementCatalog,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._wallet = wallet
        self._mochila = mochila
        self._clock = clock
        self._stamper = EventStamper(clock, ids)
        self.catalog = catalog

    @property
    def items(self) -> ItemCatalog:
        """The items catalog reward items come from (to name them to the fan)."""
        return self._mochila.catalog

    async def on_event(self, event: Event) -> None:
        """Count ``event`` for its fan towards every logro whose rule it matches."""
        user = event.user_id
        if user is None:
            return
        matching = [a for a in self.catalog if a.rule.matches(event)]
        if not matching:
            return

        async def work(uow: AchievementsUnitOfWork) -> None:
            if await uow.achievements.counted(event.event_id):
                return
            await uow.achievements.count(event.event_id, user)
            for definition in matching:
                await self._advance(uow, user, definition, event)

        await self._transactions.run(work)

    async def view(self, user_id: UserId) -> AchievementsView:
        """The fan's logros: unlocked ones, then the rest with their progress (catalog order)."""
        user = checked_user_id(user_id)
        records = {record.achievement_id: record for record in await self._queries.for_user(user)}
        unlocked: list[AchievementStatus] = []
        upcoming: list[AchievementStatus] = []
        for definition in self.catalog:
            record = records.get(definition.id)
            status = AchievementStatus(
                definition=definition,
                progress=record.progress if record else 0,
                target=definition.rule.count,
                unlocked_at=record.unlocked_at if record else None,
            )
            (unlocked if status.unlocked else upcoming).append(status)
        return AchievementsView(user_id=user, unlocked=tuple(unlocked), upcoming=tuple(upcoming))

    # --- inside the transaction -------------------------------------------------------------------------

    async def _advance(
        self, uow: AchievementsUnitOfWork, user: UserId, definition: AchievementDefinition, event: Event
    ) -> None:
        record = await uow.achievements.get(user, definition.id)
        if record is not None and record.unlocked_at is not None:
            return
        current = record.progress if record else 0
        progress = definition.rule.progress(current, event)
        if progress == current and record is not None:
            return
        reached = progress >= definition.rule.count
        await uow.achievements.save(
            UserAchievement(
                user_id=user,
                achievement_id=definition.id,
                progress=progress,
                unlocked_at=self._clock.now() if reached else None,
                version=record.version + 1 if record else 1,
            )
        )
        if reached:
            await self._pay(uow, user, definition)

    async def _pay(
        self, uow: AchievementsUnitOfWork, user: UserId, definition: AchievementDefinition
    ) -> None:
        reward = definition.reward
        key = system_key("achievement", user, definition.id)
        item_id: ItemId | None = None
        quantity = 0
        if reward.item_id is not None:
            try:
                await self._mochila.add_in(
                    uow, user, reward.item_id, reward.quantity, reason=ACHIEVEMENT_REWARD, idempotency_key=key
                )
                item_id, quantity = ItemId(reward.item_id), reward.quantity
            except (ItemNotStackableError, MaxQuantityError, UnknownItemError):
                pass  # the mochila checks before it writes: this unit of work stays clean
        if reward.besitos:
            await self._wallet.credit_in(uow, user, reward.besitos, ACHIEVEMENT_REWARD, idempotency_key=key)
        uow.record(
            AchievementUnlocked(
                **self._stamper.stamp(),
                user_id=user,
                achievement_id=definition.id,
                besitos=reward.besitos,
                item_id=item_id,
                quantity=quantity,
            )
        )
