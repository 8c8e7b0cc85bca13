"""The tienda: items for sale from the catalog, and purchases that debit, fill the mochila and count stock."""

import re
from typing import Final

from yabot_core.inventory import ItemCatalog, ItemDefinition, ItemId, Mochila
from yabot_core.kernel import (
    Clock,
    EventStamper,
    IdempotencyKey,
    IdempotencyKeyReusedError,
    IdGenerator,
    InvalidInputError,
    SystemKey,
    Transactions,
    UserId,
    checked_user_id,
    system_key,
)
from yabot_core.store.errors import (
    InvalidTapError,
    NotForSaleError,
    OutOfStockError,
    PurchaseLimitError,
    VipOnlyItemError,
)
from yabot_core.store.events import ItemPurchased
from yabot_core.store.models import (
    PURCHASE,
    BuyerLine,
    Offer,
    OfferPage,
    Purchase,
    PurchaseResult,
    StockLine,
)
from yabot_core.store.ports import StoreQueries, StoreUnitOfWork
from yabot_core.subscriptions import VipStatus
from yabot_core.wallet import WalletService

MAX_PAGE_SIZE: Final = 100
MAX_OFFSET: Final = 2**53 - 1
"""The deepest a page may start: exact in JSON and inside every backend's 64-bit integers."""

_TAP: Final = re.compile(r"[A-Za-z0-9_-]{1,32}")
"""What a tap id may look like: short and plain, so the purchase's key stays readable and bounded."""


class Store:
    """Diana's tienda over any storage adapter, the items catalog, the wallet, the mochila and the VIP port.

    The price always comes from the catalog, never from the caller. A purchase is one unit of work: the
    debit, the item in the mochila, the sold and bought counters, the purchase record and ``ItemPurchased``
    commit together, or nothing does (too few besitos, sold out, the fan's limit reached, a mochila that
    cannot take the item). Each purchase is keyed by the fan, the item and a ``tap`` id the caller chooses
    once per confirmation (the button carries it): the same tap again returns the first purchase and
    changes nothing, so a double tap, or Telegram delivering a press twice, buys once.
    """

    def __init__(
        self,
        transactions: Transactions[StoreUnitOfWork],
        queries: StoreQueries,
        wallet: WalletService,
        mochila: Mochila,
        vip: VipStatus,
        *,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._wallet = wallet
        self._mochila = mochila
        self._vip = vip
        self._ids = ids
        self._stamper = EventStamper(clock, ids)
        self._for_sale = tuple(item for item in mochila.catalog.items if item.for_sale)

    @property
    def catalog(self) -> ItemCatalog:
        """The items catalog the tienda sells from."""
        return self._mochila.catalog

    @property
    def for_sale(self) -> tuple[ItemDefinition, ...]:
        """Every item with a price, in the catalog's order."""
        return self._for_sale

    # --- views ------------------------------------------------------------------------------------------

    async def offers(self, user_id: UserId | None = None, *, limit: int = 20, offset: int = 0) -> OfferPage:
        """A page of the items for sale, with units left (and, for a fan, how many they bought).

        Raises:
            InvalidInputError: ``limit`` outside 1..100, ``offset`` outside 0..``MAX_OFFSET``, a bad user id.
        """
        user = None if user_id is None else checked_user_id(user_id)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInputError(f"El tamaño de página debe estar entre 1 y {MAX_PAGE_SIZE}.")
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
            raise InvalidInputError(f"El desplazamiento debe estar entre 0 y {MAX_OFFSET}.")
        page = self._for_sale[offset : offset + limit]
        offers = await self._offers(user, page)
        return OfferPage(offers=offers, total=len(self._for_sale), limit=limit, offset=offset)

    async def offer(self, item_id: str, user_id: UserId | None = None) -> Offer:
        """One item for sale up close.

        Raises:
            NotForSaleError: no such item, or it has no price.
        """
        user = None if user_id is None else checked_user_id(user_id)
        (found,) = await self._offers(user, (self._definition(item_id),))
        return found

    async def _offers(self, user: UserId | None, items: tuple[ItemDefinition, ...]) -> tuple[Offer, ...]:
        ids = [item.id for item in items]
        sold = await self._queries.sold(ids) if ids else {}
        bought = await self._queries.bought(user, ids) if ids and user is not None else {}
        outside = (
            user is not None and any(item.vip_only for item in items) and not await self._vip.is_vip(user)
        )
        return tuple(
            Offer(
                definition=item,
                left=None if item.stock is None else max(item.stock - sold.get(item.id, 0), 0),
                bought=bought.get(item.id, 0),
                locked=outside and item.vip_only,
            )
            for item in items
        )

    def _definition(self, item_id: str) -> ItemDefinition:
        item = self.catalog.get(item_id) if isinstance(item_id, str) else None
        if item is None or not item.for_sale:
            raise NotForSaleError(str(item_id)[:64])
        return item

    # --- buying -----------------------------------------------------------------------------------------

    async def purchase(self, user_id: UserId, item_id: str, *, tap: str) -> PurchaseResult:
        """Buy one unit of ``item_id`` at the catalog's price; the same ``tap`` again buys nothing more.

        Raises:
            InvalidInputError: a bad user id; ``InvalidTapError`` a bad tap id.
            NotForSaleError: no such item, or it has no price.
            VipOnlyItemError: the item is VIP only and the fan is not VIP (asked through ``VipStatus``).
            OutOfStockError: no unit left. PurchaseLimitError: the fan bought as many as one fan may.
            InsufficientBesitosError: the balance is below the price.
            ItemNotStackableError, MaxQuantityError: the mochila cannot take one more of it.
            Nothing changes on any of them.
        """
        user = checked_user_id(user_id)
        if not isinstance(tap, str) or not _TAP.fullmatch(tap):
            raise InvalidTapError(detail={"tap": repr(tap)[:40]})
        item = self._definition(item_id)
        key = system_key("store", user, item.id, tap)
        replay = await self._queries.purchase_by_key(IdempotencyKey(key))
        if replay is None and item.vip_only and not await self._vip.is_vip(user):
            raise VipOnlyItemError(item_id=item.id, name=item.name)
        return await self._transactions.run(lambda uow: self._buy(uow, user, item, key))

    async def _buy(
        self, uow: StoreUnitOfWork, user: UserId, item: ItemDefinition, key: SystemKey
    ) -> PurchaseResult:
        existing = await uow.store.purchase_by_key(IdempotencyKey(key))
        if existing is not None:
            if (existing.user_id, existing.item_id) != (user, item.id):  # pragma: no cover  (keys name both)
                raise IdempotencyKeyReusedError(detail={"idempotency_key": key})
            return PurchaseResult(purchase=existing, fresh=False)
        stock = await uow.store.stock(item.id)
        sold = stock.sold if stock is not None else 0
        if item.stock is not None and sold >= item.stock:
            raise OutOfStockError(item_id=item.id, name=item.name)
        buyer = await uow.store.buyer(user, item.id)
        bought = buyer.bought if buyer is not None else 0
        if item.purchase_limit is not None and bought >= item.purchase_limit:
            raise PurchaseLimitError(item_id=item.id, name=item.name, limit=item.purchase_limit)
        price = item.price or 0
        entry = await self._wallet.debit_in(uow, user, price, PURCHASE, idempotency_key=key)
        operation = await self._mochila.add_in(uow, user, item.id, 1, reason=PURCHASE, idempotency_key=key)
        await uow.store.save_stock(
            StockLine(item_id=item.id, sold=sold + 1, version=(stock.version if stock else 0) + 1)
        )
        await uow.store.save_buyer(
            BuyerLine(
                user_id=user, item_id=item.id, bought=bought + 1, version=(buyer.version if buyer else 0) + 1
            )
        )
        stamp = self._stamper.stamp()
        purchase = Purchase(
            purchase_id=self._ids.new_id(),
            idempotency_key=entry.idempotency_key,
            user_id=user,
            item_id=ItemId(item.id),
            price=price,
            entry_id=entry.entry_id,
            operation_id=operation.operation_id,
            created_at=stamp["occurred_at"],
        )
        await uow.store.add_purchase(purchase)
        uow.record(
            ItemPurchased(
                **stamp,
                user_id=user,
                purchase_id=purchase.purchase_id,
                item_id=purchase.item_id,
                price=price,
                entry_id=entry.entry_id,
                operation_id=operation.operation_id,
            )
        )
        return PurchaseResult(purchase=purchase, fresh=True, balance_after=entry.balance_after)
