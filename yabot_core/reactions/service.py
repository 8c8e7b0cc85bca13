"""Reactions: a fan's first reaction to a message pays once, within the day's cap; changes pay nothing."""

from collections.abc import Mapping, Sequence
from datetime import tzinfo

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
from yabot_core.reactions.content import ReactionRules
from yabot_core.reactions.events import ReactionDetected
from yabot_core.reactions.models import (
    REACTION_REWARD,
    PostReaction,
    ReactionDay,
    ReactionOutcome,
    ReactionSource,
)
from yabot_core.reactions.ports import PostPublisher, ReactionQueries, ReactionsUnitOfWork
from yabot_core.wallet import WalletService


class Reactions:
    """Every fan's reactions over any storage adapter and the creator's reaction rules.

    A fan's first reaction to a message (a group's ``message_reaction`` or a button under a channel post)
    is stored with what it paid, in the unit of work that pays it (key ``yabot:reaction:<user>:<chat>:
    <message>``) and records :class:`ReactionDetected`. The record is never deleted: changing, removing
    and re-adding a reaction, or Telegram delivering the update twice, finds it and pays nothing more.
    Reactions past the day's cap (``tope_diario``) are recorded and published with 0 besitos. A reaction
    registers nobody (it is no conversation with Lucien): the besitos wait in the fan's wallet.
    """

    def __init__(
        self,
        transactions: Transactions[ReactionsUnitOfWork],
        queries: ReactionQueries,
        wallet: WalletService,
        mochila: Mochila,
        *,
        rules: ReactionRules,
        clock: Clock,
        ids: IdGenerator,
        zone: tzinfo,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._wallet = wallet
        self._mochila = mochila
        self._clock = clock
        self._stamper = EventStamper(clock, ids)
        self.rules = rules
        self.zone = zone

    @property
    def items(self) -> ItemCatalog:
        """The items catalog special reactions' items come from (to name them to the fan)."""
        return self._mochila.catalog

    async def react(
        self, user_id: UserId, chat_id: int, message_id: int, emoji: str | None, source: ReactionSource
    ) -> ReactionOutcome:
        """The fan's reaction to the message is now ``emoji`` (``None``: they removed it).

        Raises:
            InvalidInputError: a bad user id.
        """
        user = checked_user_id(user_id)

        async def work(uow: ReactionsUnitOfWork) -> ReactionOutcome:
            existing = await uow.reactions.get(user, chat_id, message_id)
            return await self._apply(uow, user, chat_id, message_id, emoji, source, existing)

        return await self._transactions.run(work)

    async def toggle(
        self, user_id: UserId, chat_id: int, message_id: int, emoji: str, *, press: str | None = None
    ) -> ReactionOutcome:
        """A press on a post's button: the fan's reaction becomes ``emoji``, or goes if it was ``emoji``.

        ``press`` names the press (the callback query id): delivered again, it finds itself applied and
        changes nothing, where a second toggle would take the reaction back.

        Raises:
            InvalidInputError: a bad user id.
        """
        user = checked_user_id(user_id)

        async def work(uow: ReactionsUnitOfWork) -> ReactionOutcome:
            existing = await uow.reactions.get(user, chat_id, message_id)
            if existing is not None and press is not None and existing.press == press:
                return ReactionOutcome(first=False, emoji=existing.emoji)  # this press, delivered again
            chosen = None if existing is not None and existing.emoji == emoji else emoji
            channel = ReactionSource.CHANNEL
            return await self._apply(uow, user, chat_id, message_id, chosen, channel, existing, press=press)

        return await self._transactions.run(work)

    async def tally(self, chat_id: int, message_id: int) -> Mapping[str, int]:
        """How many fans react to the message with each emoji now."""
        return await self._queries.tally(chat_id, message_id)

    # --- inside the transaction -------------------------------------------------------------------------

    async def _apply(  # noqa: PLR0917  (private; the reaction's coordinates, one call site each)
        self,
        uow: ReactionsUnitOfWork,
        user: UserId,
        chat_id: int,
        message_id: int,
        emoji: str | None,
        source: ReactionSource,
        existing: PostReaction | None,
        *,
        press: str | None = None,
    ) -> ReactionOutcome:
        if existing is not None:
            if existing.emoji != emoji:
                moved = {"emoji": emoji, "version": existing.version + 1}
                await uow.reactions.save(
                    existing.model_copy(update=moved | {"press": press or existing.press})
                )
            return ReactionOutcome(first=False, emoji=emoji)
        if emoji is None:  # the removal of a reaction never seen: nothing to undo, nothing to pay
            return ReactionOutcome(first=False, emoji=None)
        now = self._clock.now()
        today = now.astimezone(self.zone).date()
        day = await uow.reactions.day(user, today)
        paid_today = day.paid if day is not None else 0
        capped = paid_today >= self.rules.daily_cap
        besitos = 0 if capped else self.rules.besitos
        key = system_key("reaction", user, chat_id, message_id)
        # The record first: racing copies of this reaction collide on its key before anything is paid.
        await uow.reactions.save(
            PostReaction(
                user_id=user,
                chat_id=chat_id,
                message_id=message_id,
                emoji=emoji,
                source=source,
                first_at=now,
                besitos=besitos,
                version=1,
                press=press,
            )
        )
        if besitos:
            await self._wallet.credit_in(uow, user, besitos, REACTION_REWARD, idempotency_key=key)
        if not capped:
            version = day.version + 1 if day is not None else 1
            await uow.reactions.save_day(
                ReactionDay(user_id=user, day=today, paid=paid_today + 1, version=version)
            )
        item_id, quantity = await self._special_in(uow, user, emoji, key)
        uow.record(
            ReactionDetected(
                **self._stamper.stamp(),
                user_id=user,
                chat_id=chat_id,
                message_id=message_id,
                emoji=emoji,
                source=source.value,
                besitos=besitos,
                item_id=item_id,
                quantity=quantity,
            )
        )
        return ReactionOutcome(
            first=True, emoji=emoji, besitos=besitos, item_id=item_id, quantity=quantity, capped=capped
        )

    async def _special_in(
        self, uow: ReactionsUnitOfWork, user: UserId, emoji: str, key: str
    ) -> tuple[ItemId | None, int]:
        special = self.rules.special(emoji)
        if special is None:
            return None, 0
        try:
            await self._mochila.add_in(
                uow, user, special.item_id, special.quantity, reason=REACTION_REWARD, idempotency_key=key
            )
        except (ItemNotStackableError, MaxQuantityError, UnknownItemError):
            return None, 0  # the mochila checks before it writes: this unit of work stays clean
        return ItemId(special.item_id), special.quantity


class ReactionPosts:
    """Publishes posts with the reaction buttons under them (``yabot post now``, scheduled posts)."""

    def __init__(self, publisher: PostPublisher, rules: ReactionRules) -> None:
        self._publisher = publisher
        self._rules = rules

    @property
    def buttons(self) -> Sequence[str]:
        """The emojis each post carries as buttons, in order."""
        return self._rules.buttons

    async def publish(self, chat_id: int, text: str, *, protect_content: bool = False) -> int:
        """Publish ``text`` in ``chat_id`` with the reaction buttons; return the message id.

        Raises:
            UnavailableError: Telegram could not be reached or refused for now.
            InvalidInputError: Telegram refused the chat or the text.
        """
        return await self._publisher.publish(
            chat_id, text, self._rules.buttons, protect_content=protect_content
        )
