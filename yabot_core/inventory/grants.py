"""Diana's gifts: an item to a fan by an operator, registering the fan if YABOT did not know them yet.

With an audit log, each gift is written to it as its operator's, in the gift's own unit of work (a replayed
idempotency key gives nothing and writes nothing).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from yabot_core.audit import Actor, AuditLog, AuditUnitOfWork, user_target
from yabot_core.inventory.models import ADMIN_GRANT, InventoryOperation
from yabot_core.inventory.ports import InventoryUnitOfWork
from yabot_core.inventory.service import Mochila
from yabot_core.kernel import Transactions, UserId, checked_caller_key, checked_user_id
from yabot_core.users import Registration, UserDirectory, UsersUnitOfWork

if TYPE_CHECKING:
    from pydantic import JsonValue

GRANT_ACTION = "inventory.grant"
"""The audit action of an operator's gift of an item."""


class ItemGrantUnitOfWork(UsersUnitOfWork, InventoryUnitOfWork, AuditUnitOfWork, Protocol):
    """A unit of work reaching users, mochilas and the audit log: one gift, one commit."""


@dataclass(frozen=True, slots=True)
class ItemGrant:
    """What a gift did: the (perhaps new) user and the operation that put the item in their mochila."""

    registration: Registration
    operation: InventoryOperation


class ItemGrants:
    """Gives items from an operator; a refused gift (an unknown item, a full mochila) registers nobody."""

    def __init__(
        self,
        transactions: Transactions[ItemGrantUnitOfWork],
        users: UserDirectory,
        mochila: Mochila,
        *,
        audit: AuditLog | None = None,
    ) -> None:
        self._transactions = transactions
        self._users = users
        self._mochila = mochila
        self._audit = audit

    async def grant(
        self,
        user_id: UserId,
        item_id: str,
        quantity: int = 1,
        *,
        note: str | None,
        idempotency_key: str,
        actor: Actor | None = None,
    ) -> ItemGrant:
        """Register the user if unknown and add ``quantity`` of the item as Diana's gift, in one unit of work.

        ``actor`` (who gave it) is written to the audit log with the gift, when the grants have one.

        Raises what :meth:`Mochila.add` raises; nothing changes then.
        """
        checked_user_id(user_id)  # a bad id or key is refused before a transaction is opened
        key = checked_caller_key(idempotency_key)

        async def work(uow: ItemGrantUnitOfWork) -> ItemGrant:
            known = await uow.inventory.operation_by_key(key)
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
            if known is None and actor is not None and self._audit is not None:
                detail: dict[str, JsonValue] = {"item_id": item_id, "quantity": quantity, "note": note}
                await self._audit.record_in(uow, actor, GRANT_ACTION, user_target(user_id), detail=detail)
            return ItemGrant(registration, operation)

        return await self._transactions.run(work)
