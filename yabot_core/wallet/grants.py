"""Diana's grants: besitos to a fan by an operator, registering the fan if YABOT did not know them yet.

With an audit log, each grant is written to it as its operator's, in the grant's own unit of work (a
replayed idempotency key credits nothing and writes nothing).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from yabot_core.audit import Actor, AuditLog, AuditUnitOfWork, user_target
from yabot_core.kernel import Transactions, UserId, checked_caller_key, checked_user_id
from yabot_core.users import Registration, UserDirectory, UsersUnitOfWork
from yabot_core.wallet.models import ADMIN_GRANT, LedgerEntry
from yabot_core.wallet.ports import WalletUnitOfWork
from yabot_core.wallet.service import WalletService

if TYPE_CHECKING:
    from pydantic import JsonValue

GRANT_ACTION = "wallet.grant"
"""The audit action of an operator's besitos grant."""


class GrantUnitOfWork(UsersUnitOfWork, WalletUnitOfWork, AuditUnitOfWork, Protocol):
    """A unit of work reaching users, wallets and the audit log: one grant, one commit."""


@dataclass(frozen=True, slots=True)
class Grant:
    """What a grant did: the (perhaps new) user and the ledger entry that credited them."""

    registration: Registration
    entry: LedgerEntry


class BesitosGrants:
    """Credits besitos from an operator; a refused credit (a reused key, a long note) registers nobody."""

    def __init__(
        self,
        transactions: Transactions[GrantUnitOfWork],
        users: UserDirectory,
        wallet: WalletService,
        *,
        audit: AuditLog | None = None,
    ) -> None:
        self._transactions = transactions
        self._users = users
        self._wallet = wallet
        self._audit = audit

    async def grant(
        self, user_id: UserId, amount: int, *, note: str, idempotency_key: str, actor: Actor | None = None
    ) -> Grant:
        """Register the user if unknown and credit ``amount`` besitos as Diana's gift, in one unit of work.

        ``actor`` (who granted) is written to the audit log with the credit, when the grants have one.

        Raises what :meth:`WalletService.credit` raises; nothing changes then.
        """
        checked_user_id(user_id)  # a bad id or key is refused before a transaction is opened
        key = checked_caller_key(idempotency_key)

        async def work(uow: GrantUnitOfWork) -> Grant:
            known = await uow.wallets.entry_by_key(key)
            registration = await self._users.vouch_in(uow, user_id)
            entry = await self._wallet.credit_in(
                uow, user_id, amount, ADMIN_GRANT, idempotency_key=idempotency_key, note=note
            )
            if known is None and actor is not None and self._audit is not None:
                detail: dict[str, JsonValue] = {
                    "amount": amount,
                    "balance_after": entry.balance_after,
                    "note": note,
                }
                await self._audit.record_in(uow, actor, GRANT_ACTION, user_target(user_id), detail=detail)
            return Grant(registration, entry)

        return await self._transactions.run(work)
