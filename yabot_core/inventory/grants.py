"""Diana's gifts: an item to a fan by an operator, registering the fan if YABOT did not know them yet."""

from dataclasses import dataclass
from typing import Protocol

from yabot_core.inventory.models import ADMIN_GRANT, InventoryOperation
from yabot_core.inventory.ports import InventoryUnitOfWork
from yabot_core.inventory.service import Mochila
from yabot_core.kernel import Transactions, UserId, checked_user_id
from yabot_core.users import Registration, UserDirectory, UsersUnitOfWork


class ItemGrantUnitOfWork(UsersUnitOfWork, InventoryUnitOfWork, Protocol):
    """A unit of work reaching users and mochilas: a gift registers and fills the mochila in one commit."""


@dataclass(frozen=True, slots=True)
class ItemGrant:
    """What a gift did: the (perhaps new) user and the operation that put the item in their mochila."""

    registration: Registration
    operation: InventoryOperation


class ItemGrants:
    """Gives items from an operator; a refused gift (an unknown item, a full mochila) registers nobody."""

    def __init__(
        self, transactions: Transactions[ItemGrantUnitOfWork], users: UserDirectory, mochila: Mochila
    ) -> None:
        self._transactions = transactions
        self._users = users
        self._mochila = mochila

    async def grant(
        self, user_id: UserId, item_id: str, quantity: int = 1, *, note: str | None, idempotency_key: str
    ) -> ItemGrant:
        """Register the user if unknown and add ``quantity`` of the item as Diana's gift, in one unit of work.

        Raises what :meth:`Mochila.add` raises; nothing changes then.
        """
        checked_user_id(user_id)  # a bad id is refused before a transaction is opened

        async def work(uow: ItemGrantUnitOfWork) -> ItemGrant:
            registration = await self._users.vouch_in(uow, user_id)
            operation = await self._mochila.add_in(
                uow,
                user_id,
                item_id,
                quantity,
                reason=ADMIN_GRANT,
                idempotency_key=idempotency_key,
                note=note,
            )
            return ItemGrant(registration, operation)

        return await self._transactions.run(work)
