"""The tienda over HTTP: the items for sale, page by page, with their price and the units left.

Its response schemas live here too: they belong to the store module, which owns this file.
"""

from dataclasses import dataclass
from typing import Annotated, Final, Literal, Self

from litestar import Controller, get
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.pagination import OffsetPagination
from litestar.params import QueryParameter

from yabot_adapters.http.auth import Access, protected
from yabot_adapters.http.errors import API_ERROR_RESPONSES
from yabot_core.store import MAX_OFFSET, MAX_PAGE_SIZE, STORE_READ, Offer, OfferPage, Store

STORE_CATALOG: Final = Access(scope=STORE_READ, any_fan=True)
"""The tienda's catalog: keys with ``store:read`` (or ``admin``), and every fan from the Mini App."""


@dataclass(frozen=True, slots=True)
class OfferBody:
    """One item for sale."""

    item_id: str
    name: str
    description: str
    kind: Literal["item", "pista"]
    price: int
    """In besitos, from the catalog."""
    stock: int | None
    """Units for sale in all (``null``: no limit)."""
    left: int | None
    """Units still for sale (``null``: no limit)."""
    purchase_limit: int | None
    """The most one fan may buy (``null``: no limit)."""
    vip_only: bool

    @classmethod
    def of(cls, offer: Offer) -> Self:
        """Project an offer onto what the API publishes."""
        item = offer.definition
        return cls(
            item_id=item.id,
            name=item.name,
            description=item.description,
            kind=item.kind.value,
            price=offer.price,
            stock=item.stock,
            left=offer.left,
            purchase_limit=item.purchase_limit,
            vip_only=item.vip_only,
        )


@dataclass(frozen=True, slots=True)
class StoreBody:
    """A page of the tienda, in the catalog's order."""

    items: OffsetPagination[OfferBody]

    @classmethod
    def of(cls, page: OfferPage) -> Self:
        """Project a page of offers onto the response."""
        items = [OfferBody.of(offer) for offer in page.offers]
        return cls(
            items=OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=page.total)
        )


_EXAMPLE: Final = {
    "items": {
        "items": [
            {
                "item_id": "rosa-roja",
                "name": "Rosa roja",
                "description": "Una rosa del jardín de Diana. Lucien las corta cada mañana.",
                "kind": "item",
                "price": 15,
                "stock": None,
                "left": None,
                "purchase_limit": 12,
                "vip_only": False,
            },
            {
                "item_id": "antifaz-de-terciopelo",
                "name": "Antifaz de terciopelo",
                "description": "Negro, suave y discreto.",
                "kind": "item",
                "price": 120,
                "stock": 20,
                "left": 7,
                "purchase_limit": 1,
                "vip_only": True,
            },
        ],
        "limit": 20,
        "offset": 0,
        "total": 2,
    }
}

CATALOG: Final = ResponseSpec(
    StoreBody,
    description="Una página de la tienda.",
    generate_examples=False,
    examples=[Example(summary="Dos objetos a la venta", value=_EXAMPLE)],
)


def store_controller(store: Store) -> type[Controller]:
    """The tienda controller over ``store`` (bound here once, not resolved on every request)."""

    class StoreController(Controller):
        """The tienda's catalog."""

        path = "/store"
        tags = ["tienda"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(STORE_CATALOG)
        @get(
            "/items",
            summary="Consultar los objetos a la venta",
            description=(
                "Devuelve una página de los objetos que Diana vende en la tienda, en el orden de su "
                "catálogo, con su precio en besitos, las unidades que quedan y el límite por persona. "
                "Los objetos VIP aparecen con `vip_only: true`: solo puede comprarlos quien es VIP."
            ),
            responses={200: CATALOG, **API_ERROR_RESPONSES},
        )
        async def items(
            self,
            limit: Annotated[
                int,
                QueryParameter(
                    ge=1, le=MAX_PAGE_SIZE, description=f"Objetos por página (1 a {MAX_PAGE_SIZE})."
                ),
            ] = 20,
            offset: Annotated[
                int,
                QueryParameter(ge=0, le=MAX_OFFSET, description="Objetos que se saltan desde el primero."),
            ] = 0,
        ) -> StoreBody:
            """The page, with units left as committed now."""
            return StoreBody.of(await store.offers(limit=limit, offset=offset))

    return StoreController
