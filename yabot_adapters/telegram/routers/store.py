"""/tienda: Diana's items for sale page by page, one up close, a confirmation, and the purchase.

Every press is answered and edits the message in place; a refusal from the core (too few besitos, sold out,
VIP only, a limit reached) reaches the errors router, which answers it with Lucien's alert. The purchase's
key comes from the tap id the confirmation button carries (see ``keyboards/store.py``).
"""

import math

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.keyboards.inventory import ItemRefs, bounded
from yabot_adapters.telegram.keyboards.store import (
    PAGE_SIZE,
    StoreBuy,
    StoreConfirm,
    StoreItem,
    StorePage,
    back_keyboard,
    confirm_keyboard,
    item_keyboard,
    list_keyboard,
)
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import paragraphs, plain_text
from yabot_core.kernel import Phrasebook
from yabot_core.store import NotForSaleError, Offer, Store
from yabot_core.users import Registration, User
from yabot_core.wallet import WalletService


def setup() -> Router:
    """Return the tienda router (private chats: a purchase is between the fan and Lucien)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.callback_query.filter(PrivateChat(), registered)
    router.message.register(open_store, Command("tienda"))
    router.callback_query.register(show_page, StorePage.filter())
    router.callback_query.register(show_item, StoreItem.filter())
    router.callback_query.register(confirm, StoreConfirm.filter())
    router.callback_query.register(buy, StoreBuy.filter())
    return router


async def open_store(
    message: Message,
    *,
    registration: Registration,
    store: Store,
    store_refs: ItemRefs,
    wallet: WalletService,
    texts: Phrasebook,
) -> None:
    """The first page of the tienda, with the fan's besitos and a button per item."""
    text, markup = await _page(texts, store, store_refs, wallet, registration.user, page=0)
    await message.answer(text, reply_markup=markup)


async def show_page(
    callback: CallbackQuery,
    *,
    callback_data: StorePage,
    registration: Registration,
    store: Store,
    store_refs: ItemRefs,
    wallet: WalletService,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """Another page of the tienda."""
    text, markup = await _page(texts, store, store_refs, wallet, registration.user, page=callback_data.page)
    await _show(callback, bot, text, markup)


async def show_item(
    callback: CallbackQuery,
    *,
    callback_data: StoreItem,
    registration: Registration,
    store: Store,
    store_refs: ItemRefs,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """One item up close: its text, price, units left, the fan's limit, « Comprar »."""
    offer = await _offer(store, store_refs, callback_data.item, registration)
    if offer is None:
        await _stale(callback, texts)
        return
    markup = item_keyboard(texts, store_refs, offer, callback_data.page)
    await _show(callback, bot, _item_text(texts, offer), markup)


async def confirm(
    callback: CallbackQuery,
    *,
    callback_data: StoreConfirm,
    registration: Registration,
    store: Store,
    store_refs: ItemRefs,
    wallet: WalletService,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """Ask once more, naming the catalog's price and the fan's besitos."""
    offer = await _offer(store, store_refs, callback_data.item, registration)
    if offer is None:
        await _stale(callback, texts)
        return
    balance = (await wallet.balance(registration.user.user_id)).balance
    text = texts.render("store-confirm", objeto=offer.definition.name, precio=offer.price, saldo=balance)
    await _show(callback, bot, text, confirm_keyboard(texts, store_refs, offer, callback_data.page))


async def buy(
    callback: CallbackQuery,
    *,
    callback_data: StoreBuy,
    registration: Registration,
    store: Store,
    store_refs: ItemRefs,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """Buy at the catalog's price; a second press of the same button shows the purchase already made."""
    item_id = store_refs.resolve(callback_data.item)
    definition = None if item_id is None else store.catalog.get(item_id)
    if item_id is None or definition is None or not definition.for_sale:
        await _stale(callback, texts)
        return
    user_id = registration.user.user_id
    result = await store.purchase(user_id, item_id, tap=callback_data.tap)
    if result.fresh:
        balance = result.balance_after if result.balance_after is not None else 0
        text = texts.render("store-bought", objeto=definition.name, saldo=balance)
    else:
        text = texts.render("store-bought-already", objeto=definition.name)
    await _show(callback, bot, text, back_keyboard(texts, callback_data.page))


async def _offer(store: Store, refs: ItemRefs, ref: str, registration: Registration) -> Offer | None:
    item_id = refs.resolve(ref)
    if item_id is None:
        return None
    try:
        return await store.offer(item_id, registration.user.user_id)
    except NotForSaleError:
        return None


# --- rendering ------------------------------------------------------------------------------------------


async def _page(
    texts: Phrasebook, store: Store, refs: ItemRefs, wallet: WalletService, user: User, *, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    total = len(store.for_sale)
    if not total:
        return texts.render("store-list-empty", nombre=user.display_name), None
    pages = math.ceil(total / PAGE_SIZE)
    page = min(bounded(page), pages - 1)
    view = await store.offers(user.user_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    balance = (await wallet.balance(user.user_id)).balance
    lines = "\n".join(_line(texts, offer) for offer in view.offers)
    footer = texts.render("store-list-page", pagina=page + 1, paginas=pages) if pages > 1 else ""
    text = paragraphs(
        texts.render("store-list-header", nombre=user.display_name, saldo=balance),
        lines,
        texts.render("store-list-hint"),
        footer,
    )
    return text, list_keyboard(texts, refs, view, page, pages)


def _line(texts: Phrasebook, offer: Offer) -> str:
    name = offer.definition.name
    if offer.sold_out:
        return texts.render("store-list-line-sold-out", objeto=name)
    if offer.definition.vip_only:
        return texts.render("store-list-line-vip", objeto=name, precio=offer.price)
    return texts.render("store-list-line", objeto=name, precio=offer.price)


def _item_text(texts: Phrasebook, offer: Offer) -> str:
    item = offer.definition
    limit = item.purchase_limit
    return paragraphs(
        texts.render("store-item", objeto=item.name, precio=offer.price, descripcion=item.description),
        texts.render("store-item-left", quedan=offer.left) if offer.left is not None else "",
        texts.render("store-item-limit", limite=limit, compradas=offer.bought) if limit is not None else "",
        _vip_line(texts, offer),
    )


def _vip_line(texts: Phrasebook, offer: Offer) -> str:
    if offer.locked:
        return texts.render("store-item-vip-locked")
    return texts.render("store-item-vip") if offer.definition.vip_only else ""


# --- answering a press ----------------------------------------------------------------------------------


async def _show(callback: CallbackQuery, bot: Bot, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the pressed message in place (or send a new one, if it is too old to edit); stop the spinner."""
    message = callback.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:  # the same screen pressed twice is fine
                raise
    else:  # a message older than 48 hours cannot be edited
        await bot.send_message(callback.from_user.id, text, reply_markup=markup)
    await callback.answer()


async def _stale(callback: CallbackQuery, texts: Phrasebook) -> None:
    """A button naming an item no longer for sale: say so, change nothing."""
    await callback.answer(plain_text(texts.render("store-stale")), show_alert=True)
