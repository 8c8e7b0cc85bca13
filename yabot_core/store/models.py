"""What the tienda keeps: units sold per item, units bought per fan and item, and each purchase.

A purchase is stored under its idempotency key (one per tap of « Comprar »): the same key again returns that
first purchase and changes nothing. Counters move by compare-and-set on their ``version``, so two purchases
racing for the last unit cannot both take it.
"""

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
