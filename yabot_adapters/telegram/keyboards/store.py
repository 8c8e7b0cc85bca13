"""The tienda's inline keyboards and their typed callback data.

Callback data carries an item reference (see :class:`ItemRefs`), a page, and for « Sí, comprar » a tap id,
never a price: the price is always the catalog's. The tap id is drawn when the confirmation is shown, so
every press of that one button names the same purchase: a double tap buys once.
"""

import secrets
from html import unescape
from typing import Final

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from yabot_adapters.telegram.keyboards.inventory import ItemRefs, bounded
from yabot_core.kernel import Phrasebook
from yabot_core.store import Offer, OfferPage

PAGE_SIZE: Final = 6
"""Items per page of the tienda (one button each)."""

TAP_BYTES: Final = 8
"""Random bytes of a tap id (11 characters of base64url): unique enough per fan and item."""


class StorePage(CallbackData, prefix="ti"):
    """Show a page of the tienda."""

    page: int


class StoreItem(CallbackData, prefix="tv"):
    """Show one item for sale up close (``page``: the list page to go back to)."""

    item: str
    page: int


class StoreConfirm(CallbackData, prefix="tc"):
    """Ask the fan to confirm a purchase."""

    item: str
    page: int


class StoreBuy(CallbackData, prefix="tb"):
    """Buy one unit; ``tap`` names this confirmation's purchase, so pressing it again buys nothing more."""

    item: str
    page: int
    tap: str


def new_tap() -> str:
    """A fresh tap id for a confirmation button."""
    return secrets.token_urlsafe(TAP_BYTES)


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=unescape(text), callback_data=data.pack())


def list_keyboard(
    texts: Phrasebook, refs: ItemRefs, view: OfferPage, page: int, pages: int
) -> InlineKeyboardMarkup:
    """A button per item for sale, then « Anterior / Siguiente » when there are more pages."""
    rows = [
        [
            _button(
                texts.render("store-button-item", objeto=offer.definition.name, precio=offer.price),
                StoreItem(item=refs.ref(offer.item_id), page=bounded(page)),
            )
        ]
        for offer in view.offers
    ]
    moves = []
    if page > 0:
        moves.append(_button(texts.render("store-button-previous"), StorePage(page=bounded(page - 1))))
    if page + 1 < pages:
        moves.append(_button(texts.render("store-button-next"), StorePage(page=bounded(page + 1))))
    if moves:
        rows.append(moves)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def item_keyboard(texts: Phrasebook, refs: ItemRefs, offer: Offer, page: int) -> InlineKeyboardMarkup:
    """« Comprar por N » while the fan may buy it, then « Volver a la tienda »."""
    ref, page = refs.ref(offer.item_id), bounded(page)
    rows = []
    if not offer.sold_out and not offer.limit_reached and not offer.locked:
        rows.append(
            [_button(texts.render("store-button-buy", precio=offer.price), StoreConfirm(item=ref, page=page))]
        )
    rows.append([_button(texts.render("store-button-back"), StorePage(page=page))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def confirm_keyboard(texts: Phrasebook, refs: ItemRefs, offer: Offer, page: int) -> InlineKeyboardMarkup:
    """« Sí, comprar » (carrying a fresh tap id) and « No, gracias » (back to the item)."""
    ref, page = refs.ref(offer.item_id), bounded(page)
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(texts.render("store-button-confirm"), StoreBuy(item=ref, page=page, tap=new_tap())),
                _button(texts.render("store-button-cancel"), StoreItem(item=ref, page=page)),
            ]
        ]
    )


def back_keyboard(texts: Phrasebook, page: int) -> InlineKeyboardMarkup:
    """« Volver a la tienda »."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(texts.render("store-button-back"), StorePage(page=bounded(page)))]]
    )
