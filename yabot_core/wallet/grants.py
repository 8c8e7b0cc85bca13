"""Diana's grants: besitos to a fan by an operator, registering the fan if YABOT did not know them yet."""

from dataclasses import dataclass
from typing import Protocol

from yabot_core.kernel import Transactions, UserId, checked_user_id
from yabot_core.users import Registration, UserDirectory, UsersUnitOfWork
from yabot_core.wallet.models import ADMIN_GRANT, LedgerEntry
from yabot_core.wallet.ports import WalletUnitOfWork
from yabot_core.wallet.service import WalletService


class GrantUnitOfWork(UsersUnitOfWork, WalletUnitOfWork, Protocol):
    """A unit of work reaching users and wallets: a grant registers and credits in one commit."""


@dataclass(frozen=True, slots=True)
class Grant:
    """What a grant did: the (perhaps new) user and the ledger entry that credited them."""

    registration: Registration
    entry: LedgerEntry


class BesitosGrants:
    """Credits besitos from an operator; a refused credit (a reused key, a long note) registers nobody."""

    def __init__(
        self, transactions: Transactions[GrantUnitOfWork], users: UserDirectory, wallet: WalletService
    ) -> None:
        self._transactions = transactions
        self._users = users
        self._wallet = wallet

    async def grant(self, user_id: UserId, amount: int, *, note: str, idempotency_key: str) -> Grant:
        """Register the user if unknown and credit ``amount`` besitos as Diana's gift, in one unit of work.

        Raises what :meth:`WalletService.credit` raises; nothing changes then.
        """
        checked_user_id(user_id)  # a bad id is refused before a transaction is opened

        async def work(uow: GrantUnitOfWork) -> Grant:
            registration = await self._users.vouch_in(uow, user_id)
            entry = await self._wallet.credit_in(
                uow, user_id, amount, ADMIN_GRANT, idempotency_key=idempotency_key, note=note
            )
            return Grant(registration, entry)

        return await self._transactions.run(work)
