"""/pistas: the pistas a fan keeps from the stories, and the combinations the mochila already knows for them.

A combination button is the mochila's own (``MochilaCombineWith``): pressing it combines in the mochila's
router, exactly as from /mochila, so the two never disagree about what a recipe does.
"""

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.keyboards.inventory import ItemRefs, MochilaCombineWith
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import paragraphs, plain_text
from yabot_core.inventory import MAX_PAGE_SIZE, HeldItem, ItemKind, Mochila
from yabot_core.kernel import Phrasebook, UserId
from yabot_core.users import Registration


def setup() -> Router:
    """Return the /pistas router (private chats only, like the mochila it reads)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(show_pistas, Command("pistas"))
    return router


async def show_pistas(
    message: Message, registration: Registration, mochila: Mochila, item_refs: ItemRefs, texts: Phrasebook
) -> None:
    """Each pista the fan keeps, then a button per pair of them a recipe combines (each pair once)."""
    user = registration.user
    pistas = [
        held
        for held in await _everything(mochila, user.user_id)
        if held.definition is not None and held.definition.kind is ItemKind.PISTA
    ]
    if not pistas:
        await message.answer(texts.render("story-pistas-none", nombre=user.display_name))
        return
    lines = "\n".join(
        texts.render("story-pistas-line", objeto=held.definition.name, cantidad=held.quantity)
        for held in pistas
        if held.definition is not None
    )
    rows: list[list[InlineKeyboardButton]] = []
    seen: set[frozenset[str]] = set()
    for held in pistas:
        for option in await mochila.combinations(user.user_id, held.item_id):
            pair = frozenset({held.item_id, option.partner.item_id})
            if pair in seen:
                continue
            seen.add(pair)
            label = texts.render(
                "story-pistas-combine",
                primero=mochila.catalog.name_of(held.item_id),
                segundo=option.partner.name,
            )
            data = MochilaCombineWith(
                item=item_refs.ref(held.item_id), other=item_refs.ref(option.partner.item_id), page=0
            )
            rows.append([InlineKeyboardButton(text=plain_text(label), callback_data=data.pack())])
    can = texts.render("story-pistas-can-combine")
    footer = can if rows else texts.render("story-pistas-cannot-combine")
    text = paragraphs(texts.render("story-pistas", nombre=user.display_name), lines, footer)
    await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows) if rows else None)


async def _everything(mochila: Mochila, user_id: UserId) -> list[HeldItem]:
    held: list[HeldItem] = []
    while True:
        view = await mochila.inventory(user_id, limit=MAX_PAGE_SIZE, offset=len(held))
        held.extend(view.items)
        if not view.items or len(held) >= view.total:
            return held
