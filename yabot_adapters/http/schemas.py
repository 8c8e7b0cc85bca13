"""What the HTTP API reads and writes: the JSON bodies of its responses, errors included."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal, Self

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.pagination import OffsetPagination

from yabot_core.wallet import LedgerEntry, WalletStatement


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """Every error the API answers: a stable ``code``, a Spanish ``message`` and a ``detail`` object."""

    code: str
    message: str
    detail: dict[str, Any]


def error_response(description: str, example: ErrorBody, *more: ErrorBody) -> ResponseSpec:
    """Document an error status with the one error schema and real examples (not generated ones)."""
    return ResponseSpec(
        ErrorBody,
        description=description,
        generate_examples=False,
        examples=[Example(summary=each.code, value=asdict(each)) for each in (example, *more)],
    )


@dataclass(frozen=True, slots=True)
class LedgerItem:
    """One movement of besitos as a client sees it (the idempotency key and correlation id stay inside)."""

    entry_id: str
    sequence: int
    amount: int
    reason: str
    reason_label: str
    note: str | None
    balance_after: int
    created_at: datetime

    @classmethod
    def of(cls, entry: LedgerEntry) -> Self:
        """Project a ledger entry onto what the API publishes."""
        return cls(
            entry_id=entry.entry_id,
            sequence=entry.sequence,
            amount=entry.amount,
            reason=str(entry.reason),
            reason_label=entry.reason.label,
            note=entry.note,
            balance_after=entry.balance_after,
            created_at=entry.created_at,
        )


@dataclass(frozen=True, slots=True)
class BesitosView:
    """A user's spendable and escrowed besitos with one page of their ledger, newest first."""

    user_id: int
    balance: int
    held: int
    history: OffsetPagination[LedgerItem]

    @classmethod
    def of(cls, statement: WalletStatement) -> Self:
        """Project a statement (balance and one ledger page) onto the response."""
        balance, page = statement.balance, statement.history
        history = OffsetPagination(
            items=[LedgerItem.of(entry) for entry in page.entries],
            limit=page.limit,
            offset=page.offset,
            total=page.total,
        )
        return cls(user_id=balance.user_id, balance=balance.balance, held=balance.held, history=history)


@dataclass(frozen=True, slots=True)
class LivenessStatus:
    """The process answers."""

    status: Literal["ok"] = "ok"


@dataclass(frozen=True, slots=True)
class ReadinessStatus:
    """Every dependency answered; ``checks`` names each one with ``"ok"``."""

    status: Literal["ok"]
    checks: dict[str, str]
