"""The mochila over HTTP: what a user holds, page by page, with the catalog's word on each item.

Its response schemas live here too: they belong to the inventory module, which owns this file.
"""

from dataclasses import dataclass
from typing import Annotated, Final, Literal, Self

from litestar import Controller, get
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.pagination import OffsetPagination
from litestar.params import QueryParameter

from yabot_adapters.http.auth import USER_DATA, protected
from yabot_adapters.http.errors import API_ERROR_RESPONSES, USER_NOT_FOUND
from yabot_adapters.http.parameters import UserIdInPath
from yabot_core.inventory import MAX_OFFSET, MAX_PAGE_SIZE, HeldItem, InventoryView, Mochila
from yabot_core.kernel import UserId
from yabot_core.users import UserDirectory


@dataclass(frozen=True, slots=True)
class HeldItemBody:
    """One item a user holds.

    An item the creator removed from the catalog since keeps its id as ``name``, with ``in_catalog`` false
    and no description or kind.
    """

    item_id: str
    name: str
    description: str | None
    kind: Literal["item", "pista"] | None
    quantity: int
    stackable: bool
    max_quantity: int | None
    """The most one mochila may hold (1 for an item that is not stackable; ``null``: no limit)."""
    vip_only: bool
    in_catalog: bool

    @classmethod
    def of(cls, held: HeldItem) -> Self:
        """Project a held item onto what the API publishes."""
        item = held.definition
        if item is None:
            return cls(
                item_id=held.item_id,
                name=held.item_id,
                description=None,
                kind=None,
                quantity=held.quantity,
                stackable=False,
                max_quantity=None,
                vip_only=False,
                in_catalog=False,
            )
        return cls(
            item_id=item.id,
            name=item.name,
            description=item.description,
            kind=item.kind.value,
            quantity=held.quantity,
            stackable=item.stackable,
            max_quantity=item.limit,
            vip_only=item.vip_only,
            in_catalog=True,
        )


@dataclass(frozen=True, slots=True)
class InventoryBody:
    """A user's mochila: one page of the items they hold (1 or more of each), by item id."""

    user_id: int
    contents: OffsetPagination[HeldItemBody]

    @classmethod
    def of(cls, view: InventoryView) -> Self:
        """Project a page of the mochila onto the response."""
        items = [HeldItemBody.of(held) for held in view.items]
        page = OffsetPagination(items=items, limit=view.limit, offset=view.offset, total=view.total)
        return cls(user_id=view.user_id, contents=page)


_EXAMPLE: Final = {
    "user_id": 42,
    "contents": {
        "items": [
            {
                "item_id": "carta-rota-izquierda",
                "name": "Media carta (izquierda)",
                "description": "La mitad izquierda de una carta rasgada con prisa.",
                "kind": "pista",
                "quantity": 1,
                "stackable": False,
                "max_quantity": 1,
                "vip_only": False,
                "in_catalog": True,
            },
            {
                "item_id": "rosa-roja",
                "name": "Rosa roja",
                "description": "Una rosa del jardín de Diana. Lucien las corta cada mañana.",
                "kind": "item",
                "quantity": 3,
                "stackable": True,
                "max_quantity": 12,
                "vip_only": False,
                "in_catalog": True,
            },
        ],
        "limit": 20,
        "offset": 0,
        "total": 2,
    },
}

MOCHILA: Final = ResponseSpec(
    InventoryBody,
    description="Una página de la mochila.",
    generate_examples=False,
    examples=[Example(summary="Dos objetos", value=_EXAMPLE)],
)


def inventory_controller(mochila: Mochila, users: UserDirectory) -> type[Controller]:
    """The mochila controller over ``mochila`` (bound here once, not resolved on every request)."""

    class InventoryController(Controller):
        """A user's mochila."""

        path = "/users"
        tags = ["mochila"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        # ``{user_id:str}`` with an ``int`` argument, as the besitos route: see ``parameters.py``.
        @protected(USER_DATA)
        @get(
            "/{user_id:str}/inventory",
            summary="Consultar la mochila de un usuario",
            description=(
                "Devuelve una página de los objetos y pistas que guarda el usuario (de los que tiene al "
                "menos uno), ordenados por su id, con lo que dice de cada uno el catálogo. Un objeto que la "
                "creadora ya quitó del catálogo aparece con `in_catalog: false`."
            ),
            responses={200: MOCHILA, **API_ERROR_RESPONSES, 404: USER_NOT_FOUND},
        )
        async def inventory(
            self,
            user_id: UserIdInPath,
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
        ) -> InventoryBody:
            """Answer only for registered users, so a typo in an id is a 404 rather than an empty mochila."""
            user = await users.get(UserId(user_id))
            return InventoryBody.of(await mochila.inventory(user.user_id, limit=limit, offset=offset))

    return InventoryController
