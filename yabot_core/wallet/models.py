"""Wallet, ledger entries and escrow holds: the besitos economy's records and the rules that post them."""

from enum import StrEnum
from typing import Any, ClassVar, Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import core_schema

from yabot_core.kernel import REASON_CODE, CorrelationId, IdempotencyKey, UserId, spanish_number
from yabot_core.wallet.errors import InsufficientBesitosError, InvalidAmountError

MAX_AMOUNT: Final = 1_000_000
"""The largest amount one operation may move; larger requests are refused as a likely typo."""

MAX_BALANCE: Final = 1_000_000_000_000
"""No balance grows past this, so sums stay far inside every backend's 64-bit integers."""


class LedgerReason(str):
    """Why besitos moved: a stable code (what is stored) with the Spanish label users read.

    Each module defines the reasons it pays or charges with (:meth:`define`), so adding a reward source
    never edits the wallet. An entry stored under a reason no module defines any more (a module removed)
    still loads, labelled with its code; only defined reasons may post new entries.
    """

    __slots__ = ()

    _labels: ClassVar[dict[str, str]] = {}
    _escrow: ClassVar[set[str]] = set()

    @classmethod
    def define(cls, code: str, label: str, *, escrow: bool = False) -> "LedgerReason":
        """Register ``code`` with its Spanish ``label`` and return the reason; defining it again is a no-op.

        Raises:
            ValueError: a malformed code, or a code already defined with another label or kind (escrow).
        """
        if not REASON_CODE.fullmatch(code):
            msg = f"a ledger reason code is lowercase letters, digits and underscores: {code!r}"
            raise ValueError(msg)
        known = cls._labels.get(code)
        if known is not None and (known != label or (code in cls._escrow) != escrow):
            kind = "an escrow reason" if code in cls._escrow else "a plain reason"
            msg = f"ledger reason {code!r} is already defined as {known!r} ({kind})"
            raise ValueError(msg)
        cls._labels[code] = label
        if escrow:
            cls._escrow.add(code)
        return cls(code)

    @property
    def label(self) -> str:
        """The reason as a user reads it in the ledger (its code, for a reason no module defines)."""
        return self._labels.get(self, str(self))

    @property
    def is_defined(self) -> bool:
        """Whether a module defined this reason (only those may post new entries)."""
        return str(self) in self._labels

    @property
    def is_escrow(self) -> bool:
        """Whether only hold and release may post entries with this reason."""
        return str(self) in self._escrow

    @classmethod
    def __get_pydantic_core_schema__(
        cls,
        source_type: Any,  # noqa: ANN401  (pydantic's hook signature)
        handler: GetCoreSchemaHandler,
    ) -> core_schema.CoreSchema:
        # pydantic searches a pattern anywhere in the string: anchored, "Mal Motivo" is no code
        code = core_schema.str_schema(pattern=f"^{REASON_CODE.pattern}$", max_length=40)
        return core_schema.no_info_after_validator_function(cls, code)


ADMIN_GRANT: Final = LedgerReason.define("admin_grant", "Regalo de Diana")
ADMIN_DEDUCTION: Final = LedgerReason.define("admin_deduction", "Ajuste de Diana")
ESCROW_HOLD: Final = LedgerReason.define("escrow_hold", "Besitos reservados", escrow=True)
ESCROW_RELEASE: Final = LedgerReason.define("escrow_release", "Reserva devuelta", escrow=True)


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
                f"El saldo no puede superar {spanish_number(MAX_BALANCE)} besitos.",
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


class WalletStatement(BaseModel):
    """A user's balance and one page of their ledger, read from one snapshot, so the two always agree."""

    model_config = ConfigDict(frozen=True)

    balance: WalletBalance
    history: LedgerPage


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


class LedgerMismatch(BaseModel):
    """A wallet whose stored ``balance`` is not ``ledger_sum`` (the sum of its entries), or is negative.

    ``sequence`` is the wallet's when it was read: a repair applies only if the wallet has not moved since.
    """

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    balance: int
    ledger_sum: int
    sequence: int
