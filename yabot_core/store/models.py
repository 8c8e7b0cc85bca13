"""What the tienda keeps: units sold per item, units bought per fan and item, and each purchase.

A purchase is stored under its idempotency key (one per tap of « Comprar »): the same key again returns that
first purchase and changes nothing. Counters move by compare-and-set on their ``version``, so two purchases
racing for the last unit cannot both take it.
"""

from collections.abc import Iterable
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.inventory import ItemDefinition, ItemId
from yabot_core.kernel import IdempotencyKey, UserId
from yabot_core.wallet import LedgerReason

PURCHASE: Final = LedgerReason.define("purchase", "Compra en la tienda")
"""The ledger reason of a purchase's debit; also the mochila's reason for the item it adds."""


class StockLine(BaseModel):
    """How many units of an item the tienda has sold (the catalog's ``existencias`` minus these are left)."""

    model_config = ConfigDict(frozen=True)

    item_id: ItemId
    sold: int = Field(ge=0)
    version: int = Field(ge=1)


class BuyerLine(BaseModel):
    """How many units of an item one fan has bought (what ``limite_por_fan`` bounds)."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    item_id: ItemId
    bought: int = Field(ge=0)
    version: int = Field(ge=1)


class Purchase(BaseModel):
    """One unit of an item bought by one fan, at the catalog's price of that moment."""

    model_config = ConfigDict(frozen=True)

    purchase_id: str
    idempotency_key: IdempotencyKey
    user_id: UserId
    item_id: ItemId
    price: int = Field(ge=1)
    entry_id: str
    operation_id: str
    created_at: AwareDatetime


class CountMismatch(BaseModel):
    """A tienda counter that is not the number of stored purchases it counts.

    ``user_id`` ``None`` names the item's sold counter, a fan its bought counter. ``counted`` is the counter
    (0 when there is none), ``version`` its version (0: none), so a repair can refuse to overwrite a counter
    a purchase moved since.
    """

    model_config = ConfigDict(frozen=True)

    item_id: ItemId
    user_id: UserId | None = None
    counted: int
    purchases: int
    version: int = Field(ge=0)


def count_mismatches(
    stock: Iterable[StockLine], buyers: Iterable[BuyerLine], purchases: Iterable[tuple[UserId, ItemId]]
) -> list[CountMismatch]:
    """The counters that disagree with ``purchases`` (each one's fan and item), as ``StoreAudit`` orders them.

    For the backends that count in Python what SQL would count for them.
    """
    sold: dict[ItemId, int] = {}
    bought: dict[tuple[ItemId, UserId], int] = {}
    for user_id, item_id in purchases:
        sold[item_id] = sold.get(item_id, 0) + 1
        bought[item_id, user_id] = bought.get((item_id, user_id), 0) + 1
    items = {line.item_id: line for line in stock}
    fans = {(line.item_id, line.user_id): line for line in buyers}
    found: list[CountMismatch] = []
    for item_id in sorted(items.keys() | sold.keys()):
        line = items.get(item_id)
        counted, version = (line.sold, line.version) if line else (0, 0)
        if counted != sold.get(item_id, 0):
            found.append(
                CountMismatch(
                    item_id=item_id, counted=counted, purchases=sold.get(item_id, 0), version=version
                )
            )
    for item_id, user_id in sorted(fans.keys() | bought.keys()):
        fan = fans.get((item_id, user_id))
        counted, version = (fan.bought, fan.version) if fan else (0, 0)
        if counted != (count := bought.get((item_id, user_id), 0)):
            found.append(
                CountMismatch(
                    item_id=item_id, user_id=user_id, counted=counted, purchases=count, version=version
                )
            )
    return found


class PurchaseResult(BaseModel):
    """What a tap of « Comprar » led to: the purchase, and whether this tap made it (``False``: a replay)."""

    model_config = ConfigDict(frozen=True)

    purchase: Purchase
    fresh: bool
    balance_after: int | None = None
    """The fan's balance after the debit (``None`` on a replay: it may have moved since)."""


class Offer(BaseModel):
    """An item for sale as one fan sees it: the catalog's entry, units left, and how many they bought."""

    model_config = ConfigDict(frozen=True)

    definition: ItemDefinition
    left: int | None
    """Units still for sale; ``None`` when the creator set no ``existencias`` (no limit)."""
    bought: int = 0
    """Units this fan bought (0 when no fan was named)."""
    locked: bool = False
    """A VIP-only item and a named fan who is not VIP now: shown, with the way to /vip, not sold."""

    @property
    def item_id(self) -> ItemId:
        """The item's id."""
        return self.definition.id

    @property
    def price(self) -> int:
        """Its price in besitos (offers are only made of items with one)."""
        return self.definition.price or 0

    @property
    def sold_out(self) -> bool:
        """Whether no unit is left."""
        return self.left is not None and self.left <= 0

    @property
    def limit_reached(self) -> bool:
        """Whether this fan already bought as many as one fan may."""
        limit = self.definition.purchase_limit
        return limit is not None and self.bought >= limit


class OfferPage(BaseModel):
    """A page of the tienda, in the catalog's order, with how many items are for sale in all."""

    model_config = ConfigDict(frozen=True)

    offers: tuple[Offer, ...]
    total: int
    limit: int
    offset: int
