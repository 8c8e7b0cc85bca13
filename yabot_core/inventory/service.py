"""The mochila: items in and out, used and combined, idempotently; each change commits with its events."""

from typing import Final

from yabot_core.inventory.catalog import ItemCatalog
from yabot_core.inventory.events import InventoryEvent, ItemAdded, ItemRemoved, ItemsCombined, ItemUsed
from yabot_core.inventory.fields import ItemId
from yabot_core.inventory.models import (
    COMBINED,
    USED,
    CombinationOption,
    HeldItem,
    InventoryLine,
    InventoryOperation,
    InventoryView,
    ItemChange,
    OperationKind,
)
from yabot_core.inventory.planning import Planner
from yabot_core.inventory.ports import InventoryQueries, InventoryUnitOfWork
from yabot_core.inventory.validation import Request, checked_item, checked_request, ensure_same
from yabot_core.kernel import (
    Clock,
    EventStamp,
    EventStamper,
    IdGenerator,
    InvalidInputError,
    Transactions,
    UserId,
    checked_user_id,
)

MAX_PAGE_SIZE: Final = 100

MAX_OFFSET: Final = 2**53 - 1
"""The deepest a page may start: exact in JSON and inside every backend's 64-bit integers."""


class Mochila:
    """Every fan's mochila over any storage adapter and one items catalog.

    Rules, always: quantities never go below 0; an item outside the catalog never goes in; a non-stackable
    item is held one at a time and a stackable one up to its ``cantidad_maxima``; an operation changes all its
    items or none (a combination takes one of each ingredient, two of an ``A + A`` one, and adds the result);
    every operation takes an idempotency key: the same key again returns the first result and changes
    nothing, and a key reused for a different operation is refused (``IdempotencyKeyReusedError``).

    Using an item uses one up: Lucien reads a pista to the fan (or takes the object) and keeps it; the
    adapters show the item's text, and ``ItemUsed`` lets the story and missions react. Items marked
    ``solo_vip`` are flagged to the fan but not enforced here: the mochila does not ask ``VipStatus`` yet.
    """

    def __init__(
        self,
        transactions: Transactions[InventoryUnitOfWork],
        queries: InventoryQueries,
        catalog: ItemCatalog,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._planner = Planner(catalog)
        self._ids = ids
        self._stamper = EventStamper(clock, ids)

    @property
    def catalog(self) -> ItemCatalog:
        """The items catalog this mochila knows (loaded once, at start-up)."""
        return self._planner.catalog

    # --- changes ----------------------------------------------------------------------------------------

    async def add(
        self,
        user_id: UserId,
        item_id: str,
        quantity: int = 1,
        *,
        reason: str,
        idempotency_key: str,
        note: str | None = None,
    ) -> InventoryOperation:
        """Put ``quantity`` of an item in the mochila and publish ``ItemAdded``.

        Raises:
            InvalidInputError: a bad user id, item id, key, reason or note; ``InvalidQuantityError`` a bad
                quantity.
            UnknownItemError: the catalog has no such item.
            ItemNotStackableError, MaxQuantityError: the mochila would hold more than the item allows.
            IdempotencyKeyReusedError: the key was used for a different operation.
        """
        request = checked_request(
            user_id, OperationKind.ADD, (item_id,), quantity, key=idempotency_key, reason=reason, note=note
        )
        return await self._transactions.run(lambda uow: self._apply(uow, request))

    async def add_in(
        self,
        uow: InventoryUnitOfWork,
        user_id: UserId,
        item_id: str,
        quantity: int = 1,
        *,
        reason: str,
        idempotency_key: str,
        note: str | None = None,
    ) -> InventoryOperation:
        """:meth:`add` inside the caller's unit of work (a purchase debits and fills the mochila at once).

        Raises what :meth:`add` raises; raising undoes the caller's whole unit of work.
        """
        request = checked_request(
            user_id, OperationKind.ADD, (item_id,), quantity, key=idempotency_key, reason=reason, note=note
        )
        return await self._apply(uow, request)

    async def remove(
        self,
        user_id: UserId,
        item_id: str,
        quantity: int = 1,
        *,
        reason: str,
        idempotency_key: str,
        note: str | None = None,
    ) -> InventoryOperation:
        """Take ``quantity`` of an item out of the mochila and publish ``ItemRemoved``.

        An item the creator removed from the catalog can still be taken out of a mochila that holds it.

        Raises:
            NotEnoughItemsError: the mochila holds fewer than ``quantity``; nothing changes.
            UnknownItemError: neither the catalog nor the mochila knows the item.
            InvalidInputError, InvalidQuantityError, IdempotencyKeyReusedError: as for :meth:`add`.
        """
        request = checked_request(
            user_id, OperationKind.REMOVE, (item_id,), quantity, key=idempotency_key, reason=reason, note=note
        )
        return await self._transactions.run(lambda uow: self._apply(uow, request))

    async def use(self, user_id: UserId, item_id: str, *, idempotency_key: str) -> InventoryOperation:
        """Use one of an item up and publish ``ItemUsed`` (the adapter shows the fan the item's text).

        Raises:
            NotEnoughItemsError: the mochila holds none.
            UnknownItemError: the catalog has no such item (there would be nothing to read).
            InvalidInputError, IdempotencyKeyReusedError: as for :meth:`add`.
        """
        request = checked_request(user_id, OperationKind.USE, (item_id,), 1, key=idempotency_key, reason=USED)
        return await self._transactions.run(lambda uow: self._apply(uow, request))

    async def combine(
        self, user_id: UserId, first: str, second: str, *, idempotency_key: str
    ) -> InventoryOperation:
        """Combine two held items (in either order) into their recipe's result; publish ``ItemsCombined``.

        Takes one of each ingredient (two for ``A + A``) and adds one result, all at once or not at all.

        Raises:
            NoRecipeError: no recipe combines the two.
            NotEnoughItemsError: the mochila lacks an ingredient.
            ItemNotStackableError, MaxQuantityError: the mochila cannot take one more of the result.
            UnknownItemError, InvalidInputError, IdempotencyKeyReusedError: as for :meth:`add`.
        """
        request = checked_request(
            user_id, OperationKind.COMBINE, (first, second), 1, key=idempotency_key, reason=COMBINED
        )
        return await self._transactions.run(lambda uow: self._apply(uow, request))

    # --- queries ----------------------------------------------------------------------------------------

    async def inventory(self, user_id: UserId, *, limit: int = 20, offset: int = 0) -> InventoryView:
        """A page of what the fan holds (quantities of 1 or more), by item id, with the catalog's entries.

        Raises:
            InvalidInputError: ``limit`` outside 1..100, or ``offset`` outside 0..``MAX_OFFSET``.
        """
        user = checked_user_id(user_id)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInputError(f"El tamaño de página debe estar entre 1 y {MAX_PAGE_SIZE}.")
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
            raise InvalidInputError(f"El desplazamiento debe estar entre 0 y {MAX_OFFSET}.")
        page = await self._queries.page(user, limit=limit, offset=offset)
        items = tuple(self._planner.held(line.item_id, line.quantity) for line in page.lines)
        return InventoryView(user_id=user, items=items, total=page.total, limit=limit, offset=offset)

    async def item(self, user_id: UserId, item_id: str) -> HeldItem:
        """One item as the fan sees it: its catalog entry and how many they hold (perhaps 0).

        Raises:
            UnknownItemError: neither the catalog nor the fan's mochila knows it.
        """
        user, item = checked_user_id(user_id), checked_item(item_id)
        quantity = (await self._queries.quantities(user, [item])).get(item, 0)
        held = self._planner.held(item, quantity)
        if held.definition is None and quantity == 0:
            raise self._planner.catalog.unknown(item)
        return held

    async def combinations(self, user_id: UserId, item_id: str) -> tuple[CombinationOption, ...]:
        """What the fan holds that combines with ``item_id`` (which they must hold), in catalog order."""
        user, item = checked_user_id(user_id), checked_item(item_id)
        recipes = self._planner.catalog.recipes_with(item)
        if not recipes:
            return ()
        partners = [_partner(recipe.ingredients, item) for recipe in recipes]
        held = await self._queries.quantities(user, [item, *dict.fromkeys(partners)])
        options = []
        for recipe, partner in zip(recipes, partners, strict=True):
            needed = 2 if partner == item else 1
            if held.get(item, 0) >= 1 and held.get(partner, 0) >= needed:
                result = self._planner.catalog.item(recipe.result)
                options.append(
                    CombinationOption(partner=self._planner.held(partner, held[partner]), result=result)
                )
        return tuple(options)

    # --- inside the transaction -------------------------------------------------------------------------

    async def _apply(self, uow: InventoryUnitOfWork, request: Request) -> InventoryOperation:
        existing = await uow.inventory.operation_by_key(request.key)
        if existing is not None:
            ensure_same(existing, request)
            return existing
        deltas, result = self._planner.deltas(request)
        lines: list[InventoryLine] = []
        afters: dict[ItemId, int] = {}
        for item_id, delta in deltas.items():
            line = await uow.inventory.line(request.user_id, item_id)
            held = line.quantity if line else 0
            afters[item_id] = held + delta
            if delta:
                self._planner.check(item_id, held, delta)
                version = (line.version if line else 0) + 1
                lines.append(
                    InventoryLine(
                        user_id=request.user_id, item_id=item_id, quantity=held + delta, version=version
                    )
                )
        stamp = self._stamper.stamp()
        operation = InventoryOperation(
            operation_id=self._ids.new_id(),
            idempotency_key=request.key,
            user_id=request.user_id,
            kind=request.kind,
            items=request.items,
            quantity=request.quantity,
            changes=tuple(
                ItemChange(item_id=item, delta=delta, quantity_after=afters[item])
                for item, delta in deltas.items()
                if delta
            ),
            reason=request.reason,
            note=request.note,
            correlation_id=stamp["correlation_id"],
            created_at=stamp["occurred_at"],
        )
        for line in lines:
            await uow.inventory.save_line(line)
        await uow.inventory.add_operation(operation)
        uow.record(self._event(stamp, operation, result, afters))  # one stamp: the same correlation id
        return operation

    @staticmethod
    def _event(
        stamp: EventStamp, operation: InventoryOperation, result: ItemId | None, afters: dict[ItemId, int]
    ) -> InventoryEvent:
        user, operation_id, item = operation.user_id, operation.operation_id, operation.items[0]
        if operation.kind is OperationKind.COMBINE and result is not None:
            first, second = operation.items
            return ItemsCombined(
                **stamp,
                user_id=user,
                operation_id=operation_id,
                ingredients=(first, second),
                result=result,
                result_quantity_after=afters[result],
            )
        if operation.kind is OperationKind.USE:
            return ItemUsed(
                **stamp, user_id=user, operation_id=operation_id, item_id=item, quantity_after=afters[item]
            )
        kind = ItemAdded if operation.kind is OperationKind.ADD else ItemRemoved
        return kind(
            **stamp,
            user_id=user,
            operation_id=operation_id,
            item_id=item,
            quantity=operation.quantity,
            quantity_after=afters[item],
            reason=operation.reason,
            note=operation.note,
        )


def _partner(ingredients: tuple[ItemId, ...], item: ItemId) -> ItemId:
    """The other ingredient of a recipe that uses ``item`` (``item`` itself for ``A + A``)."""
    first, second = ingredients
    return second if first == item else first
