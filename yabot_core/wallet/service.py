"""The wallet service: every besitos movement, validated, idempotent and committed with its event."""

from typing import Final

from yabot_core.kernel import (
    Clock,
    EventStamper,
    IdempotencyKey,
    IdGenerator,
    InvalidInputError,
    Transactions,
    UserId,
    checked_user_id,
    system_key,
)
from yabot_core.wallet.errors import (
    HoldAlreadySettledError,
    HoldNotFoundError,
)
from yabot_core.wallet.events import BesitosAwarded, BesitosHeld, BesitosReleased, BesitosSpent
from yabot_core.wallet.models import (
    ESCROW_HOLD,
    ESCROW_RELEASE,
    Hold,
    HoldStatus,
    LedgerEntry,
    LedgerReason,
    WalletBalance,
    WalletStatement,
)
from yabot_core.wallet.ports import WalletQueries, WalletUnitOfWork
from yabot_core.wallet.validation import Posting, checked_posting, ensure_same

MAX_PAGE_SIZE: Final = 100

MAX_HISTORY_OFFSET: Final = 2**53 - 1
"""The deepest a history page may start. No ledger gets that long (a million entries a second would take
285 years), and the bound keeps offsets exact in JSON and far inside every backend's 64-bit integers, which a
larger offset overflows (SQLite raises ``OverflowError``)."""


class WalletService:
    """Credits, debits, escrow holds and balance queries over any storage adapter.

    Every movement takes an idempotency key: the same key applied again changes nothing and returns the first
    result, which turns at-least-once delivery (retried updates, redelivered events) into exactly-once
    effects.
    The balance change, its ledger entry and its event commit in one transaction.
    """

    def __init__(
        self,
        transactions: Transactions[WalletUnitOfWork],
        queries: WalletQueries,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._clock = clock
        self._ids = ids
        self._stamper = EventStamper(clock, ids)

    # --- movements --------------------------------------------------------------------------------------

    async def credit(
        self,
        user_id: UserId,
        amount: int,
        reason: LedgerReason,
        *,
        idempotency_key: str,
        note: str | None = None,
    ) -> LedgerEntry:
        """Add ``amount`` besitos and publish ``BesitosAwarded``.

        Raises:
            InvalidInputError: a bad user id, key, note or reason (an escrow reason is reserved).
            InvalidAmountError: ``amount`` is not a whole number from 1 to ``MAX_AMOUNT``.
            IdempotencyKeyReusedError: the key was used for a different movement.
        """
        posting = checked_posting(user_id, amount, reason, idempotency_key, note)
        return await self._transactions.run(lambda uow: self._post(uow, posting))

    async def credit_in(
        self,
        uow: WalletUnitOfWork,
        user_id: UserId,
        amount: int,
        reason: LedgerReason,
        *,
        idempotency_key: str,
        note: str | None = None,
    ) -> LedgerEntry:
        """:meth:`credit` inside the caller's unit of work, to commit it with other modules' changes.

        Raises what :meth:`credit` raises; raising undoes the caller's whole unit of work.
        """
        return await self._post(uow, checked_posting(user_id, amount, reason, idempotency_key, note))

    async def debit(
        self,
        user_id: UserId,
        amount: int,
        reason: LedgerReason,
        *,
        idempotency_key: str,
        note: str | None = None,
    ) -> LedgerEntry:
        """Take ``amount`` besitos and publish ``BesitosSpent``.

        Raises:
            InsufficientBesitosError: the balance is smaller than ``amount``; nothing changes.
            InvalidInputError, InvalidAmountError, IdempotencyKeyReusedError: as for :meth:`credit`.
        """
        posting = checked_posting(user_id, amount, reason, idempotency_key, note, sign=-1)
        return await self._transactions.run(lambda uow: self._post(uow, posting))

    async def debit_in(
        self,
        uow: WalletUnitOfWork,
        user_id: UserId,
        amount: int,
        reason: LedgerReason,
        *,
        idempotency_key: str,
        note: str | None = None,
    ) -> LedgerEntry:
        """:meth:`debit` inside the caller's unit of work (a purchase debits and fills the mochila at once).

        Raises what :meth:`debit` raises; raising undoes the caller's whole unit of work.
        """
        return await self._post(uow, checked_posting(user_id, amount, reason, idempotency_key, note, sign=-1))

    async def hold(
        self,
        user_id: UserId,
        amount: int,
        *,
        purpose: LedgerReason,
        idempotency_key: str,
        reference: str | None = None,
    ) -> Hold:
        """Set ``amount`` besitos aside in escrow, to be released or captured later.

        ``purpose`` is what the besitos pay for if captured; ``reference`` says what they are held for
        (``"subasta:42"``). Raises what :meth:`debit` raises, and ``InvalidInputError`` for a ``purpose``
        no module defines (capturing spends the besitos for it).
        """
        posting = _hold_posting(user_id, amount, purpose, idempotency_key, reference)
        return await self._transactions.run(lambda uow: self._hold(uow, posting, purpose))

    async def release(self, hold_id: str) -> Hold:
        """Give a hold's besitos back and publish ``BesitosReleased``; releasing twice changes nothing.

        Raises:
            HoldNotFoundError: no such hold.
            HoldAlreadySettledError: the hold was captured.
        """
        return await self._transactions.run(lambda uow: self._release(uow, hold_id))

    async def capture(self, hold_id: str) -> Hold:
        """Spend a hold's besitos for its purpose and publish ``BesitosSpent``; capturing again is a no-op.

        Raises:
            HoldNotFoundError: no such hold.
            HoldAlreadySettledError: the hold was released.
        """
        return await self._transactions.run(lambda uow: self._capture(uow, hold_id))

    async def hold_in(
        self,
        uow: WalletUnitOfWork,
        user_id: UserId,
        amount: int,
        *,
        purpose: LedgerReason,
        idempotency_key: str,
        reference: str | None = None,
    ) -> Hold:
        """:meth:`hold` inside the caller's unit of work (a bid holds and moves its auction at once).

        Raises what :meth:`hold` raises; raising undoes the caller's whole unit of work.
        """
        return await self._hold(
            uow, _hold_posting(user_id, amount, purpose, idempotency_key, reference), purpose
        )

    async def release_in(self, uow: WalletUnitOfWork, hold_id: str) -> Hold:
        """:meth:`release` inside the caller's unit of work."""
        return await self._release(uow, hold_id)

    async def capture_in(self, uow: WalletUnitOfWork, hold_id: str) -> Hold:
        """:meth:`capture` inside the caller's unit of work."""
        return await self._capture(uow, hold_id)

    # --- queries ----------------------------------------------------------------------------------------

    async def balance(self, user_id: UserId) -> WalletBalance:
        """Return the user's spendable and escrowed besitos (zeros for a user who never had any)."""
        return await self._queries.balance(checked_user_id(user_id))

    async def statement(self, user_id: UserId, *, limit: int = 20, offset: int = 0) -> WalletStatement:
        """Return the balance and a page of the user's ledger, newest first, from one snapshot.

        Raises:
            InvalidInputError: ``limit`` outside 1..100, or ``offset`` outside 0..``MAX_HISTORY_OFFSET``.
        """
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInputError(f"El tamaño de página debe estar entre 1 y {MAX_PAGE_SIZE}.")
        if offset < 0:
            raise InvalidInputError("El desplazamiento no puede ser negativo.")
        if offset > MAX_HISTORY_OFFSET:
            raise InvalidInputError(f"El desplazamiento no puede superar {MAX_HISTORY_OFFSET}.")
        return await self._queries.statement(checked_user_id(user_id), limit=limit, offset=offset)

    # --- inside the transaction -------------------------------------------------------------------------

    async def _post(self, uow: WalletUnitOfWork, posting: Posting) -> LedgerEntry:
        existing = await uow.wallets.entry_by_key(posting.key)
        if existing is not None:
            ensure_same(existing, posting)
            return existing
        entry = await self._append(uow, posting)
        event_type = BesitosAwarded if entry.amount > 0 else BesitosSpent
        uow.record(
            event_type(
                **self._stamper.stamp(),
                user_id=entry.user_id,
                amount=abs(entry.amount),
                balance_after=entry.balance_after,
                reason=entry.reason,
                entry_id=entry.entry_id,
                note=entry.note,
            )
        )
        return entry

    async def _hold(self, uow: WalletUnitOfWork, posting: Posting, purpose: LedgerReason) -> Hold:
        existing = await uow.wallets.entry_by_key(posting.key)
        if existing is not None:
            ensure_same(existing, posting)
            return await self._existing_hold(uow, existing.entry_id)
        entry = await self._append(uow, posting)
        hold = Hold(
            hold_id=entry.entry_id,
            user_id=entry.user_id,
            amount=-entry.amount,
            purpose=purpose,
            reference=entry.note,
            created_at=entry.created_at,
        )
        await uow.wallets.save_hold(hold)
        uow.record(
            BesitosHeld(
                **self._stamper.stamp(),
                user_id=hold.user_id,
                amount=hold.amount,
                balance_after=entry.balance_after,
                hold_id=hold.hold_id,
                reference=hold.reference,
            )
        )
        return hold

    async def _release(self, uow: WalletUnitOfWork, hold_id: str) -> Hold:
        hold = await self._existing_hold(uow, hold_id)
        if hold.status is HoldStatus.RELEASED:
            return hold
        if hold.status is HoldStatus.CAPTURED:
            raise HoldAlreadySettledError(hold_id, hold.status)
        posting = Posting(
            user_id=hold.user_id,
            amount=hold.amount,
            reason=ESCROW_RELEASE,
            key=IdempotencyKey(system_key("release", hold_id)),
            note=hold.reference,
            hold_id=hold_id,
        )
        entry = await self._append(uow, posting)
        released = hold.model_copy(update={"status": HoldStatus.RELEASED, "settled_at": entry.created_at})
        await uow.wallets.save_hold(released)
        uow.record(
            BesitosReleased(
                **self._stamper.stamp(),
                user_id=hold.user_id,
                amount=hold.amount,
                balance_after=entry.balance_after,
                hold_id=hold_id,
                entry_id=entry.entry_id,
            )
        )
        return released

    async def _capture(self, uow: WalletUnitOfWork, hold_id: str) -> Hold:
        hold = await self._existing_hold(uow, hold_id)
        if hold.status is HoldStatus.CAPTURED:
            return hold
        if hold.status is HoldStatus.RELEASED:
            raise HoldAlreadySettledError(hold_id, hold.status)
        captured = hold.model_copy(update={"status": HoldStatus.CAPTURED, "settled_at": self._clock.now()})
        await uow.wallets.save_hold(captured)
        wallet = await uow.wallets.get(hold.user_id)
        uow.record(
            BesitosSpent(
                **self._stamper.stamp(),
                user_id=hold.user_id,
                amount=hold.amount,
                balance_after=wallet.balance,
                reason=hold.purpose,
                entry_id=hold.hold_id,
                note=hold.reference,
            )
        )
        return captured

    async def _append(self, uow: WalletUnitOfWork, posting: Posting) -> LedgerEntry:
        wallet = await uow.wallets.get(posting.user_id)
        stamp = self._stamper.stamp()
        entry = wallet.post(
            posting.amount,
            entry_id=self._ids.new_id(),
            reason=posting.reason,
            idempotency_key=posting.key,
            correlation_id=stamp["correlation_id"],
            created_at=stamp["occurred_at"],
            note=posting.note,
            hold_id=posting.hold_id,
        )
        await uow.wallets.append(entry)
        return entry

    @staticmethod
    async def _existing_hold(uow: WalletUnitOfWork, hold_id: str) -> Hold:
        hold = await uow.wallets.get_hold(hold_id)
        if hold is None:
            raise HoldNotFoundError(hold_id)
        return hold


def _hold_posting(
    user_id: UserId, amount: int, purpose: LedgerReason, key: str, reference: str | None
) -> Posting:
    """The escrow entry a hold posts, checked: a ``purpose`` some module defines, not an escrow one."""
    if not isinstance(purpose, LedgerReason) or not purpose.is_defined:
        raise InvalidInputError(
            "El propósito de la reserva no es válido.", detail={"purpose": repr(purpose)[:50]}
        )
    if purpose.is_escrow:
        raise InvalidInputError("El propósito de una reserva no puede ser otra reserva.")
    return checked_posting(user_id, amount, ESCROW_HOLD, key, reference, sign=-1, escrow=True)
