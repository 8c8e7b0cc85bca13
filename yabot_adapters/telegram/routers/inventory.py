"""/mochila: what the fan holds, page by page; an item up close; using it up; combining it with another.

Every button press is answered (the spinner stops) and edits the message in place; a refusal from the core
(none left, no recipe) reaches the errors router, which answers it with Lucien's alert. Using and combining
take the press's callback query id as idempotency key: a press Telegram delivers twice acts once.
"""

import math

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.keyboards.inventory import (
    PAGE_SIZE,
    ItemRefs,
    MochilaCombine,
    MochilaCombineWith,
    MochilaItem,
    MochilaPage,
    MochilaUse,
    bounded,
    confirm_use_keyboard,
    item_keyboard,
    list_keyboard,
    partners_keyboard,
    result_keyboard,
)
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import paragraphs, plain_text
from yabot_core.inventory import HeldItem, ItemDefinition, ItemId, ItemKind, Mochila
from yabot_core.kernel import Phrasebook
from yabot_core.users import Registration, User


def setup() -> Router:
    """Return the mochila router (private chats only: a mochila is nobody else's business)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.callback_query.filter(PrivateChat(), registered)
    router.message.register(open_mochila, Command("mochila"))
    router.callback_query.register(show_page, MochilaPage.filter())
    router.callback_query.register(show_item, MochilaItem.filter())
    router.callback_query.register(use_item, MochilaUse.filter())
    router.callback_query.register(choose_partner, MochilaCombine.filter())
    router.callback_query.register(combine_items, MochilaCombineWith.filter())
    return router


async def open_mochila(
    message: Message, registration: Registration, mochila: Mochila, item_refs: ItemRefs, texts: Phrasebook
) -> None:
    """The first page of the fan's mochila, with a button per item."""
    text, markup = await _page(texts, mochila, item_refs, registration.user, 0)
    await message.answer(text, reply_markup=markup)


async def show_page(
    callback: CallbackQuery,
    *,
    callback_data: MochilaPage,
    registration: Registration,
    mochila: Mochila,
    item_refs: ItemRefs,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """Another page of the mochila (the last one, if the fan holds fewer items by now)."""
    text, markup = await _page(texts, mochila, item_refs, registration.user, callback_data.page)
    await _show(callback, bot, text, markup)


async def show_item(
    callback: CallbackQuery,
    *,
    callback_data: MochilaItem,
    registration: Registration,
    mochila: Mochila,
    item_refs: ItemRefs,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """One item up close: its text, how many the fan keeps, « Usar » and « Combinar »."""
    item_id = item_refs.resolve(callback_data.item)
    held = None if item_id is None else await mochila.item(registration.user.user_id, item_id)
    if held is None or held.definition is None:
        await _stale(callback, texts)
        return
    combinable = bool(mochila.catalog.recipes_with(held.item_id))
    keyboard = item_keyboard(texts, item_refs, held, callback_data.page, combinable=combinable)
    await _show(callback, bot, _item_text(texts, held.definition, held.quantity), keyboard)


async def use_item(
    callback: CallbackQuery,
    *,
    callback_data: MochilaUse,
    registration: Registration,
    mochila: Mochila,
    item_refs: ItemRefs,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """Ask first; once confirmed, use one up and let Lucien read the pista (or take the object)."""
    found = _catalogued(item_refs, mochila, callback_data.item)
    if found is None:
        await _stale(callback, texts)
        return
    item_id, definition = found
    page = callback_data.page
    if not callback_data.confirmed:
        text = texts.render("inventory-use-confirm", objeto=definition.name)
        await _show(callback, bot, text, confirm_use_keyboard(texts, item_refs, item_id, page))
        return
    used = await mochila.use(registration.user.user_id, item_id, idempotency_key=f"tg:{callback.id}")
    left = used.quantity_after(item_id) or 0
    if definition.kind is ItemKind.PISTA:
        text = texts.render(
            "inventory-used-pista", objeto=definition.name, descripcion=definition.description, quedan=left
        )
    else:
        text = texts.render(
            "inventory-used-objeto", objeto=definition.name, descripcion=definition.description, quedan=left
        )
    still = HeldItem(item_id=item_id, quantity=left, definition=definition) if left else None
    await _show(callback, bot, text, result_keyboard(texts, item_refs, still, page))


async def choose_partner(
    callback: CallbackQuery,
    *,
    callback_data: MochilaCombine,
    registration: Registration,
    mochila: Mochila,
    item_refs: ItemRefs,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """What the fan holds that combines with this item, a button each (or Lucien's regrets)."""
    found = _catalogued(item_refs, mochila, callback_data.item)
    if found is None:
        await _stale(callback, texts)
        return
    item_id, definition = found
    options = await mochila.combinations(registration.user.user_id, item_id)
    if options:
        text = texts.render("inventory-combine-choose", objeto=definition.name)
    else:
        text = texts.render("inventory-combine-none", objeto=definition.name)
    keyboard = partners_keyboard(texts, item_refs, item_id, options, callback_data.page)
    await _show(callback, bot, text, keyboard)


async def combine_items(
    callback: CallbackQuery,
    *,
    callback_data: MochilaCombineWith,
    registration: Registration,
    mochila: Mochila,
    item_refs: ItemRefs,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """Combine the two, then show what came of them."""
    first, second = item_refs.resolve(callback_data.item), item_refs.resolve(callback_data.other)
    if first is None or second is None:
        await _stale(callback, texts)
        return
    user_id = registration.user.user_id
    combined = await mochila.combine(user_id, first, second, idempotency_key=f"tg:{callback.id}")
    recipe = mochila.catalog.recipe_for(first, second)
    result = None if recipe is None else mochila.catalog.get(recipe.result)
    if recipe is None or result is None:  # the catalog changed since: show the mochila as it is
        text, markup = await _page(texts, mochila, item_refs, registration.user, callback_data.page)
        await _show(callback, bot, text, markup)
        return
    text = texts.render(
        "inventory-combined",
        primero=mochila.catalog.item(first).name,
        segundo=mochila.catalog.item(second).name,
        resultado=result.name,
        descripcion=result.description,
    )
    now = combined.quantity_after(result.id) or 1
    shown = HeldItem(item_id=result.id, quantity=now, definition=result)
    await _show(callback, bot, text, result_keyboard(texts, item_refs, shown, callback_data.page))


def _catalogued(refs: ItemRefs, mochila: Mochila, ref: str) -> tuple[ItemId, ItemDefinition] | None:
    """The item a button names and its catalog entry; ``None`` if the catalog no longer has it."""
    item_id = refs.resolve(ref)
    definition = None if item_id is None else mochila.catalog.get(item_id)
    return None if item_id is None or definition is None else (item_id, definition)


# --- rendering ------------------------------------------------------------------------------------------


async def _page(
    texts: Phrasebook, mochila: Mochila, refs: ItemRefs, user: User, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    page = bounded(page)
    view = await mochila.inventory(user.user_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    if not view.items and view.total:
        page = bounded((view.total - 1) // PAGE_SIZE)
        view = await mochila.inventory(user.user_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    if not view.total:
        return texts.render("inventory-list-empty", nombre=user.display_name), None
    pages = math.ceil(view.total / PAGE_SIZE)
    lines = "\n".join(_line(texts, held) for held in view.items)
    footer = texts.render("inventory-list-page", pagina=page + 1, paginas=pages) if pages > 1 else ""
    text = paragraphs(
        texts.render("inventory-list-header", nombre=user.display_name, total=view.total),
        lines,
        texts.render("inventory-list-hint"),
        footer,
    )
    return text, list_keyboard(texts, refs, view, page, pages)


def _kind(texts: Phrasebook, definition: ItemDefinition) -> str:
    if definition.kind is ItemKind.PISTA:
        return texts.render("inventory-kind-pista")
    return texts.render("inventory-kind-objeto")


def _line(texts: Phrasebook, held: HeldItem) -> str:
    definition = held.definition
    if definition is None:
        return texts.render("inventory-list-line-retired", objeto=held.item_id, cantidad=held.quantity)
    kind = _kind(texts, definition)
    if definition.vip_only:
        return texts.render(
            "inventory-list-line-vip", objeto=definition.name, cantidad=held.quantity, tipo=kind
        )
    return texts.render("inventory-list-line", objeto=definition.name, cantidad=held.quantity, tipo=kind)


def _item_text(texts: Phrasebook, definition: ItemDefinition, quantity: int) -> str:
    text = texts.render(
        "inventory-item",
        objeto=definition.name,
        tipo=_kind(texts, definition),
        descripcion=definition.description,
        cantidad=quantity,
    )
    return paragraphs(text, texts.render("inventory-item-vip") if definition.vip_only else "")


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
    """A button naming an item the catalog no longer has: say so, change nothing."""
    await callback.answer(plain_text(texts.render("inventory-stale")), show_alert=True)
