"""Wallet, ledger entries and escrow holds: the besitos economy's records and the rules that post them."""

from enum import StrEnum
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict

from yabot_core.gamification.wallet.errors import InsufficientBesitosError, InvalidAmountError
from yabot_core.kernel import CorrelationId, IdempotencyKey, UserId

MAX_AMOUNT: Final = 1_000_000
"""The largest amount one operation may move; larger requests are refused as a likely typo."""

MAX_BALANCE: Final = 1_000_000_000_000
"""No balance grows past this, so sums stay far inside every backend's 64-bit integers."""


class LedgerReason(StrEnum):
    """Why besitos moved. The value is stored; ``label`` is the Spanish name users read."""

    ADMIN_GRANT = "admin_grant"
    ADMIN_DEDUCTION = "admin_deduction"
    WELCOME_GIFT = "welcome_gift"
    REACTION_REWARD = "reaction_reward"
    MISSION_REWARD = "mission_reward"
    DAILY_GIFT = "daily_gift"
    TRIVIA_REWARD = "trivia_reward"
    ACHIEVEMENT_REWARD = "achievement_reward"
    STORY_REWARD = "story_reward"
    PURCHASE = "purchase"
    AUCTION_WIN = "auction_win"
    ESCROW_HOLD = "escrow_hold"
    ESCROW_RELEASE = "escrow_release"

    @property
    def label(self) -> str:
        """The reason as a user reads it in the ledger."""
        return _LABELS[self]

    @property
    def is_escrow(self) -> bool:
        """Whether only hold and release may post entries with this reason."""
        return self in (LedgerReason.ESCROW_HOLD, LedgerReason.ESCROW_RELEASE)


_LABELS: Final = {
    LedgerReason.ADMIN_GRANT: "Regalo de Diana",
    LedgerReason.ADMIN_DEDUCTION: "Ajuste de Diana",
    LedgerReason.WELCOME_GIFT: "Regalo de bienvenida",
    LedgerReason.REACTION_REWARD: "Reacción a una publicación",
    LedgerReason.MISSION_REWARD: "Misión cumplida",
    LedgerReason.DAILY_GIFT: "Regalo diario",
    LedgerReason.TRIVIA_REWARD: "Trivia acertada",
    LedgerReason.ACHIEVEMENT_REWARD: "Logro desbloqueado",
    LedgerReason.STORY_REWARD: "Recompensa de la historia",
    LedgerReason.PURCHASE: "Compra en la tienda",
    LedgerReason.AUCTION_WIN: "Subasta ganada",
    LedgerReason.ESCROW_HOLD: "Besitos reservados",
    LedgerReason.ESCROW_RELEASE: "Reserva devuelta",
}


class LedgerEntry(BaseModel):
    """One balance change.

    A user's entries, summed, equal their balance; ``sequence`` numbers them 1, 2, ... per user.
    """

    model_config = ConfigDict(frozen=True)

    entry_id: str
    user_id: UserId
    sequence: int
    amount: int
    reason: LedgerReason
    note: str | None = None
    idempotency_key: IdempotencyKey
    correlation_id: CorrelationId
    created_at: AwareDatetime
    balance_after: int
    hold_id: str | None = None


class Wallet(BaseModel):
    """A user's spendable balance and the sequence number of their last ledger entry."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    balance: int = 0
    sequence: int = 0

    def post(
        self,
        amount: int,
        *,
        entry_id: str,
        reason: LedgerReason,
        idempotency_key: IdempotencyKey,
        correlation_id: CorrelationId,
        created_at: AwareDatetime,
        note: str | None = None,
        hold_id: str | None = None,
    ) -> LedgerEntry:
        """Return the entry that moves ``amount`` (signed) into or out of this wallet.

        Raises:
            InsufficientBesitosError: a debit larger than the balance.
            InvalidAmountError: the balance would exceed :data:`MAX_BALANCE`.
        """
        after = self.balance + amount
        if after < 0:
            raise InsufficientBesitosError(balance=self.balance, requested=-amount)
        if after > MAX_BALANCE:
            raise InvalidAmountError(
                f"El saldo no puede superar {MAX_BALANCE:,} besitos.".replace(",", "."),
                detail={"balance": self.balance, "amount": amount},
            )
        return LedgerEntry(
            entry_id=entry_id,
            user_id=self.user_id,
            sequence=self.sequence + 1,
            amount=amount,
            reason=reason,
            note=note,
            idempotency_key=idempotency_key,
            correlation_id=correlation_id,
            created_at=created_at,
            balance_after=after,
            hold_id=hold_id,
        )


class WalletBalance(BaseModel):
    """What a user owns: ``balance`` is spendable, ``held`` sits in escrow (already out of ``balance``)."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    balance: int
    held: int


class LedgerPage(BaseModel):
    """A page of a user's ledger, newest entry first, with the total number of entries."""

    model_config = ConfigDict(frozen=True)

    entries: tuple[LedgerEntry, ...]
    total: int
    limit: int
    offset: int


class HoldStatus(StrEnum):
    """Where escrowed besitos are: still held, given back, or spent for good."""

    HELD = "held"
    RELEASED = "released"
    CAPTURED = "captured"


class Hold(BaseModel):
    """Besitos set aside (an auction bid, say). The hold's ledger entry already took them out of the balance.

    ``hold_id`` is the id of that entry. Releasing posts a refund entry; capturing spends them for
    ``purpose`` and posts nothing, since the balance already reflects it.
    """

    model_config = ConfigDict(frozen=True)

    hold_id: str
    user_id: UserId
    amount: int
    purpose: LedgerReason
    reference: str | None = None
    status: HoldStatus = HoldStatus.HELD
    created_at: AwareDatetime
    settled_at: AwareDatetime | None = None
