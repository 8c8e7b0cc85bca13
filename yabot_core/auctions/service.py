"""The auctions: bids held in escrow, the outbid refunded at once, one close at the end on a durable timer."""

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from yabot_core.auctions.errors import (
    AuctionAlreadySettledError,
    AuctionNotFoundError,
    AuctionNotOpenError,
    BidTooLowError,
)
from yabot_core.auctions.events import AuctionCancelled, AuctionClosed, AuctionCreated, BidPlaced
from yabot_core.auctions.models import (
    AUCTION,
    CLOSE_TIMER,
    MAX_ANTI_SNIPING_MINUTES,
    Auction,
    AuctionPhase,
    AuctionStatus,
    Bid,
    BidOutcome,
    close_timer_key,
)
from yabot_core.auctions.ports import AuctionQueries, AuctionsUnitOfWork
from yabot_core.audit import Actor, AuditLog
from yabot_core.inventory import ItemNotStackableError, MaxQuantityError, Mochila, UnknownItemError
from yabot_core.kernel import (
    MAX_KEY_LENGTH,
    Clock,
    EventStamper,
    IdGenerator,
    InvalidInputError,
    TimerFired,
    Transactions,
    UserId,
    checked_user_id,
    new_timer,
    system_key,
)
from yabot_core.wallet import MAX_AMOUNT, WalletService

MAX_LIST: Final = 100
MAX_REQUEST_KEY: Final = 64


class Auctions:
    """Creates, takes bids on, closes and cancels auctions over any storage adapter.

    A bid, the release of the hold it beats, the bidder's new hold, the auction's new leader (and end, with
    anti-sniping) and ``BidPlaced`` commit in one unit of work; storage refuses a stale auction (its
    version), so of two bids at once one is retried and then must beat the other. The close runs on a
    durable timer scheduled with the auction (and moved with its end): N processes close it once, after any
    restart, and closing twice changes nothing.
    """

    def __init__(
        self,
        transactions: Transactions[AuctionsUnitOfWork],
        queries: AuctionQueries,
        wallet: WalletService,
        mochila: Mochila,
        *,
        clock: Clock,
        ids: IdGenerator,
        audit: AuditLog | None = None,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._wallet = wallet
        self._mochila = mochila
        self._audit = audit
        self._clock = clock
        self._ids = ids
        self._stamper = EventStamper(clock, ids)

    @property
    def mochila(self) -> Mochila:
        """The mochila the won items go to (and whose catalog names them)."""
        return self._mochila

    def now(self) -> datetime:
        """The auctions' clock (phases are read against it)."""
        return self._clock.now()

    # --- admin ------------------------------------------------------------------------------------------

    async def create(
        self,
        item_id: str,
        *,
        starts_at: datetime | None = None,
        ends_at: datetime,
        minimum_bid: int,
        increment: int = 1,
        anti_sniping_minutes: int = 0,
        actor: Actor | None = None,
    ) -> Auction:
        """Put a catalog item up for auction (now, or from ``starts_at``) and schedule its close.

        ``actor`` (an admin, an operator, an API key) is written to the audit log in the same commit.

        Raises:
            InvalidInputError: an item not in the catalog, naive or inverted times, an end already past,
                amounts outside 1..``MAX_AMOUNT``, anti-sniping outside 0..1440 minutes.
        """
        now = self._clock.now()
        start = now if starts_at is None else starts_at
        if start.tzinfo is None or ends_at.tzinfo is None:
            raise InvalidInputError("Las horas de la subasta deben llevar zona horaria.")
        if ends_at <= start or ends_at <= now:
            raise InvalidInputError(
                "La subasta debe terminar después de empezar, y en el futuro.",
                detail={"starts_at": start.isoformat(), "ends_at": ends_at.isoformat()},
            )
        if item_id not in self._mochila.catalog:
            raise InvalidInputError(
                f"El objeto «{item_id}» no está en el catálogo.", detail={"item_id": item_id}
            )
        for name, value in (("puja mínima", minimum_bid), ("incremento", increment)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_AMOUNT:
                raise InvalidInputError(
                    f"La {name} debe ser un número entero entre 1 y {MAX_AMOUNT}.", detail={name: value}
                )
        if not 0 <= anti_sniping_minutes <= MAX_ANTI_SNIPING_MINUTES:
            raise InvalidInputError(
                f"Los minutos antifrancotirador deben estar entre 0 y {MAX_ANTI_SNIPING_MINUTES}.",
                detail={"anti_sniping_minutes": anti_sniping_minutes},
            )
        auction = Auction(
            auction_id=self._ids.new_id(),
            item_id=self._mochila.catalog.item(item_id).id,
            starts_at=start,
            ends_at=ends_at,
            minimum_bid=minimum_bid,
            increment=increment,
            anti_sniping_minutes=anti_sniping_minutes,
            created_at=now,
        )

        async def work(uow: AuctionsUnitOfWork) -> Auction:
            await uow.auctions.save(auction)
            await self._schedule_close(uow, auction)
            await self._audited(uow, actor, "auctions.create", auction, item_id=auction.item_id)
            uow.record(
                AuctionCreated(
                    **self._stamper.stamp(),
                    auction_id=auction.auction_id,
                    item_id=auction.item_id,
                    starts_at=auction.starts_at,
                    ends_at=auction.ends_at,
                    minimum_bid=auction.minimum_bid,
                )
            )
            return auction

        return await self._transactions.run(work)

    async def cancel(self, auction_id: str, *, actor: Actor | None = None) -> Auction:
        """Cancel an auction: the leader's besitos go back, the close timer goes; cancelling twice is a no-op.

        ``actor`` is written to the audit log in the same commit.

        Raises:
            AuctionNotFoundError: no such auction.
            AuctionAlreadySettledError: it closed already (the winner paid and got the item).
        """

        async def work(uow: AuctionsUnitOfWork) -> Auction:
            auction = await self._existing(uow, auction_id)
            if auction.status is AuctionStatus.CANCELLED:
                return auction
            if auction.status is AuctionStatus.CLOSED:
                raise AuctionAlreadySettledError(auction_id, auction.status)
            if auction.leading_hold is not None:
                await self._wallet.release_in(uow, auction.leading_hold)
            cancelled = auction.model_copy(
                update={
                    "status": AuctionStatus.CANCELLED,
                    "settled_at": self._clock.now(),
                    "version": auction.version + 1,
                }
            )
            await uow.auctions.save(cancelled)
            await uow.timers.cancel(close_timer_key(auction_id))
            refunded = auction.leading_bid if auction.leader_id is not None else 0
            await self._audited(uow, actor, "auctions.cancel", auction, refunded=refunded)
            uow.record(
                AuctionCancelled(
                    **self._stamper.stamp(),
                    auction_id=auction_id,
                    item_id=auction.item_id,
                    refunded_user=auction.leader_id,
                    refunded_amount=auction.leading_bid if auction.leader_id is not None else 0,
                )
            )
            return cancelled

        return await self._transactions.run(work)

    # --- fans -------------------------------------------------------------------------------------------

    async def bid(self, auction_id: str, user_id: UserId, amount: int, *, request_key: str) -> BidOutcome:
        """Bid ``amount`` besitos: they are held, and the fan leads; the outbid leader is refunded at once.

        ``request_key`` names the tap or request (a Telegram callback id): the same one bids once, so a
        redelivered update changes nothing. A leader may raise their own bid (their old hold is released).

        Raises:
            InvalidInputError: a bad user id, amount or request key.
            AuctionNotFoundError, AuctionNotOpenError: no such auction, or it takes no bids now.
            BidTooLowError: below the next minimum.
            InsufficientBesitosError: the fan has fewer spendable besitos; nothing changes.
        """
        user = checked_user_id(user_id)
        if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_AMOUNT:
            raise InvalidInputError(
                f"La puja debe ser un número entero de besitos entre 1 y {MAX_AMOUNT}.",
                detail={"amount": amount},
            )
        if not request_key or len(request_key) > MAX_REQUEST_KEY:
            raise InvalidInputError(f"La clave de la puja debe tener entre 1 y {MAX_REQUEST_KEY} caracteres.")
        key = f"{user}:{request_key}"
        if len(system_key("auction_bid", auction_id, key)) > MAX_KEY_LENGTH:
            raise AuctionNotFoundError(auction_id[:50])
        return await self._transactions.run(lambda uow: self._bid(uow, auction_id, user, amount, key))

    async def _bid(
        self, uow: AuctionsUnitOfWork, auction_id: str, user: UserId, amount: int, key: str
    ) -> BidOutcome:
        existing = await uow.auctions.bid_by_key(auction_id, key)
        if existing is not None:
            auction = await self._existing(uow, auction_id)
            return BidOutcome(bid=existing, auction=auction, fresh=False)
        auction = await self._existing(uow, auction_id)
        now = self._clock.now()
        phase = auction.phase(now)
        if phase is not AuctionPhase.OPEN:
            raise AuctionNotOpenError(auction_id, phase)
        if amount < auction.next_minimum:
            raise BidTooLowError(amount=amount, minimum=auction.next_minimum)
        if auction.leading_hold is not None:
            await self._wallet.release_in(uow, auction.leading_hold)
        hold = await self._wallet.hold_in(
            uow,
            user,
            amount,
            purpose=AUCTION,
            idempotency_key=system_key("auction_bid", auction_id, key),
            reference=f"subasta:{auction_id}",
        )
        ends_at = auction.ends_at
        extended = auction.anti_sniping_minutes > 0 and ends_at - now <= auction.anti_sniping
        if extended:
            ends_at += auction.anti_sniping
        moved = auction.model_copy(
            update={
                "leader_id": user,
                "leading_bid": amount,
                "leading_hold": hold.hold_id,
                "bids": auction.bids + 1,
                "ends_at": ends_at,
                "version": auction.version + 1,
            }
        )
        bid = Bid(
            auction_id=auction_id,
            request_key=key,
            user_id=user,
            amount=amount,
            hold_id=hold.hold_id,
            placed_at=now,
            previous_leader=auction.leader_id,
            previous_amount=auction.leading_bid if auction.leader_id is not None else 0,
            ends_at=ends_at,
        )
        await uow.auctions.save(moved)
        await uow.auctions.add_bid(bid)
        if extended:
            await self._schedule_close(uow, moved)
        uow.record(
            BidPlaced(
                **self._stamper.stamp(),
                auction_id=auction_id,
                item_id=auction.item_id,
                user_id=user,
                amount=amount,
                next_minimum=moved.next_minimum,
                previous_leader=bid.previous_leader,
                previous_amount=bid.previous_amount,
                ends_at=ends_at,
                extended=extended,
            )
        )
        return BidOutcome(bid=bid, auction=moved, fresh=True)

    # --- the close --------------------------------------------------------------------------------------

    async def on_close_due(self, event: TimerFired) -> None:
        """The close timer fired: close the auction it names."""
        auction_id = event.payload.get("auction_id")
        if isinstance(auction_id, str):
            await self.close(auction_id)

    async def close(self, auction_id: str) -> Auction:
        """Close an auction past its end: capture the leader's hold and put the item in their mochila.

        Closing a closed or cancelled auction changes nothing; one not yet at its end has its timer
        scheduled again for it. If the mochila cannot take the item (a non-stackable one already held), the
        leader's besitos are released instead and the auction closes without a winner.

        Raises:
            AuctionNotFoundError: no such auction.
        """
        return await self._transactions.run(lambda uow: self._close(uow, auction_id))

    async def _close(self, uow: AuctionsUnitOfWork, auction_id: str) -> Auction:
        auction = await self._existing(uow, auction_id)
        if auction.status is not AuctionStatus.OPEN:
            return auction
        now = self._clock.now()
        if now < auction.ends_at:
            await self._schedule_close(uow, auction)
            return auction
        winner: UserId | None = None
        if auction.leader_id is not None and auction.leading_hold is not None:
            try:
                await self._mochila.add_in(
                    uow,
                    auction.leader_id,
                    auction.item_id,
                    1,
                    reason=AUCTION,
                    idempotency_key=system_key("auction_win", auction_id),
                )
            except (ItemNotStackableError, MaxQuantityError, UnknownItemError):
                await self._wallet.release_in(uow, auction.leading_hold)
            else:
                await self._wallet.capture_in(uow, auction.leading_hold)
                winner = auction.leader_id
        closed = auction.model_copy(
            update={
                "status": AuctionStatus.CLOSED,
                "winner_id": winner,
                "settled_at": now,
                "version": auction.version + 1,
            }
        )
        await uow.auctions.save(closed)
        uow.record(
            AuctionClosed(
                **self._stamper.stamp(),
                auction_id=auction_id,
                item_id=auction.item_id,
                winner_id=winner,
                amount=auction.leading_bid if winner is not None else 0,
            )
        )
        return closed

    # --- queries ----------------------------------------------------------------------------------------

    async def get(self, auction_id: str) -> Auction:
        """Return the committed auction.

        Raises:
            AuctionNotFoundError: no such auction.
        """
        auction = await self._queries.get(auction_id)
        if auction is None:
            raise AuctionNotFoundError(auction_id[:50])
        return auction

    async def list(self, *, status: AuctionStatus | None = None, limit: int = 50) -> Sequence[Auction]:
        """Return up to ``limit`` auctions (of ``status``, if given), soonest end first.

        Raises:
            InvalidInputError: ``limit`` outside 1..100.
        """
        if not 1 <= limit <= MAX_LIST:
            raise InvalidInputError(f"El tamaño de página debe estar entre 1 y {MAX_LIST}.")
        return await self._queries.list(status=status, limit=limit)

    async def open_now(self, *, limit: int = 50) -> Sequence[Auction]:
        """The auctions taking bids now (started, not ended), soonest end first."""
        now = self._clock.now()
        listed = await self.list(status=AuctionStatus.OPEN, limit=limit)
        return [auction for auction in listed if auction.phase(now) is AuctionPhase.OPEN]

    async def bids(self, auction_id: str, *, limit: int = 50) -> Sequence[Bid]:
        """The auction's last bids, highest first."""
        if not 1 <= limit <= MAX_LIST:
            raise InvalidInputError(f"El tamaño de página debe estar entre 1 y {MAX_LIST}.")
        return await self._queries.bids(auction_id, limit=limit)

    # --- helpers ----------------------------------------------------------------------------------------

    async def _schedule_close(self, uow: AuctionsUnitOfWork, auction: Auction) -> None:
        timer = new_timer(
            close_timer_key(auction.auction_id),
            CLOSE_TIMER,
            auction.ends_at,
            now=self._clock.now(),
            payload={"auction_id": auction.auction_id},
        )
        await uow.timers.schedule(timer)

    async def _audited(
        self, uow: AuctionsUnitOfWork, actor: Actor | None, action: str, auction: Auction, **detail: str | int
    ) -> None:
        if actor is not None and self._audit is not None:
            await self._audit.record_in(uow, actor, action, f"subasta:{auction.auction_id}", detail=detail)

    @staticmethod
    async def _existing(uow: AuctionsUnitOfWork, auction_id: str) -> Auction:
        auction = await uow.auctions.get(auction_id)
        if auction is None:
            raise AuctionNotFoundError(auction_id[:50])
        return auction
