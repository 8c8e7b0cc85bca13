"""The tienda (store): Diana's items for sale, bought with besitos, once per tap. Public API."""

from yabot_core.store.errors import (
    InvalidTapError,
    NotForSaleError,
    OutOfStockError,
    PurchaseLimitError,
    VipOnlyItemError,
)
from yabot_core.store.events import ItemPurchased
from yabot_core.store.manifest import MANIFEST, STORE_READ
from yabot_core.store.models import (
    PURCHASE,
    BuyerLine,
    CountMismatch,
    Offer,
    OfferPage,
    Purchase,
    PurchaseResult,
    StockLine,
    count_mismatches,
)
from yabot_core.store.ports import (
    StoreAudit,
    StoreQueries,
    StoreRepository,
    StoreStorage,
    StoreUnitOfWork,
)
from yabot_core.store.service import MAX_OFFSET, MAX_PAGE_SIZE, Store

__all__ = [
    "MANIFEST",
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "PURCHASE",
    "STORE_READ",
    "BuyerLine",
    "CountMismatch",
    "InvalidTapError",
    "ItemPurchased",
    "NotForSaleError",
    "Offer",
    "OfferPage",
    "OutOfStockError",
    "Purchase",
    "PurchaseLimitError",
    "PurchaseResult",
    "StockLine",
    "Store",
    "StoreAudit",
    "StoreQueries",
    "StoreRepository",
    "StoreStorage",
    "StoreUnitOfWork",
    "VipOnlyItemError",
    "count_mismatches",
]
