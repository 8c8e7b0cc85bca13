"""The mochila's inline keyboards and their typed callback data.

Callback data carries ids and a page number, never names, and Telegram allows it 64 bytes. An item id may be
64 characters long, so one cannot travel whole beside its action, let alone two for a combination. Ids of
up to :data:`RAW_ID_LIMIT` characters (the usual ones) travel as they are; a longer one travels as ``~``
and a 72-bit BLAKE2b digest of it in base64url (13 characters in all), which :class:`ItemRefs` resolves
against the catalog. ``~`` is no slug character, so a reference is never mistaken for an id; two catalog
ids with one digest would be refused when the bot starts (at 72 bits, not in this universe).
"""

import base64
import hashlib
from collections.abc import Sequence
from html import unescape
from typing import Final

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from yabot_core.inventory import CombinationOption, HeldItem, InventoryView, ItemCatalog, ItemId
from yabot_core.kernel import Phrasebook

CALLBACK_DATA_LIMIT: Final = 64
"""Bytes Telegram accepts in a button's callback data."""

RAW_ID_LIMIT: Final = 24
"""The longest id carried as it is: two of them, a page and the separators fit in the 64 bytes."""

PAGE_SIZE: Final = 8
"""Items per page of the list (one button each)."""

MAX_PAGE: Final = 9999
"""The highest page a button names (four digits in the callback data)."""

_DIGEST_MARK: Final = "~"


class MochilaPage(CallbackData, prefix="mo"):
    """Show a page of the mochila."""

    page: int


class MochilaItem(CallbackData, prefix="mi"):
    """Show one item up close (``page``: the list page to go back to)."""

    item: str
    page: int


class MochilaUse(CallbackData, prefix="mu"):
    """Ask to use an item; with ``confirmed``, use it."""

    item: str
    page: int
    confirmed: bool = False


class MochilaCombine(CallbackData, prefix="mc"):
    """Offer what combines with an item."""

    item: str
    page: int


class MochilaCombineWith(CallbackData, prefix="mk"):
    """Combine an item with another."""

    item: str
    other: str
    page: int


class ItemRefs:
    """Item ids as callback data carries them (see the module's docstring), and back.

    Raises:
        ValueError: two of the catalog's long ids share a digest.
    """

    def __init__(self, catalog: ItemCatalog) -> None:
        self._by_digest: dict[str, ItemId] = {}
        for item in catalog.items:
            if len(item.id) > RAW_ID_LIMIT:
                digest = _digest(item.id)
                if digest in self._by_digest:
                    msg = f"items {self._by_digest[digest]!r} and {item.id!r} share a callback digest"
                    raise ValueError(msg)
                self._by_digest[digest] = item.id

    def ref(self, item_id: str) -> str:
        """What the callback data carries for ``item_id``."""
        return item_id if len(item_id) <= RAW_ID_LIMIT else _digest(item_id)

    def resolve(self, ref: str) -> ItemId | None:
        """The id ``ref`` stands for; ``None`` for a digest of no item in the catalog (a stale button)."""
        if ref.startswith(_DIGEST_MARK):
            return self._by_digest.get(ref)
        return ItemId(ref)


def _digest(item_id: str) -> str:
    raw = hashlib.blake2b(item_id.encode(), digest_size=9).digest()
    return _DIGEST_MARK + base64.urlsafe_b64encode(raw).decode("ascii")


def bounded(page: int) -> int:
    """A page number a button may carry."""
    return max(0, min(page, MAX_PAGE))


def _plain(rendered: str) -> str:
    """Button texts are plain text: undo the catalog's escaping of the arguments."""
    return unescape(rendered)


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def list_keyboard(
    texts: Phrasebook, refs: ItemRefs, view: InventoryView, page: int, pages: int
) -> InlineKeyboardMarkup:
    """A button per item the catalog still has, then « Anterior / Siguiente » when there are more pages."""
    rows = [
        [
            _button(
                _plain(texts.render("inventory-button-item", objeto=held.name, cantidad=held.quantity)),
                MochilaItem(item=refs.ref(held.item_id), page=bounded(page)),
            )
        ]
        for held in view.items
        if held.definition is not None
    ]
    moves = []
    if page > 0:
        moves.append(
            _button(_plain(texts.render("inventory-button-previous")), MochilaPage(page=bounded(page - 1)))
        )
    if page + 1 < pages:
        moves.append(
            _button(_plain(texts.render("inventory-button-next")), MochilaPage(page=bounded(page + 1)))
        )
    if moves:
        rows.append(moves)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def item_keyboard(
    texts: Phrasebook, refs: ItemRefs, held: HeldItem, page: int, *, combinable: bool
) -> InlineKeyboardMarkup:
    """« Usar » and « Combinar » while the item is held (the latter if a recipe uses it), then « Volver »."""
    ref, page = refs.ref(held.item_id), bounded(page)
    actions = []
    if held.quantity > 0:
        actions.append(_button(_plain(texts.render("inventory-button-use")), MochilaUse(item=ref, page=page)))
        if combinable:
            actions.append(
                _button(_plain(texts.render("inventory-button-combine")), MochilaCombine(item=ref, page=page))
            )
    back = [_button(_plain(texts.render("inventory-button-back")), MochilaPage(page=page))]
    return InlineKeyboardMarkup(inline_keyboard=[row for row in (actions, back) if row])


def confirm_use_keyboard(texts: Phrasebook, refs: ItemRefs, item_id: str, page: int) -> InlineKeyboardMarkup:
    """« Sí, úselo » and « No, guárdelo » (back to the item)."""
    ref, page = refs.ref(item_id), bounded(page)
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(
                    _plain(texts.render("inventory-button-confirm-use")),
                    MochilaUse(item=ref, page=page, confirmed=True),
                ),
                _button(
                    _plain(texts.render("inventory-button-cancel-use")), MochilaItem(item=ref, page=page)
                ),
            ]
        ]
    )


def partners_keyboard(
    texts: Phrasebook, refs: ItemRefs, item_id: str, options: Sequence[CombinationOption], page: int
) -> InlineKeyboardMarkup:
    """A button per partner the fan holds, then « Volver » to the item."""
    ref, page = refs.ref(item_id), bounded(page)
    rows = [
        [
            _button(
                _plain(texts.render("inventory-button-partner", objeto=option.partner.name)),
                MochilaCombineWith(item=ref, other=refs.ref(option.partner.item_id), page=page),
            )
        ]
        for option in options
    ]
    rows.append(
        [_button(_plain(texts.render("inventory-button-back-item")), MochilaItem(item=ref, page=page))]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def result_keyboard(
    texts: Phrasebook, refs: ItemRefs, result: HeldItem | None, page: int
) -> InlineKeyboardMarkup:
    """« Ver <resultado> » (when there is one to see) and « Volver a la mochila »."""
    page = bounded(page)
    rows = []
    if result is not None:
        rows.append(
            [
                _button(
                    _plain(texts.render("inventory-button-result", objeto=result.name)),
                    MochilaItem(item=refs.ref(result.item_id), page=page),
                )
            ]
        )
    rows.append([_button(_plain(texts.render("inventory-button-back")), MochilaPage(page=page))])
    return InlineKeyboardMarkup(inline_keyboard=rows)
