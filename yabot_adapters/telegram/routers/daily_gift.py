"""/regalo: today's gift, once a day; a second try the same day hears when to come back."""

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import paragraphs
from yabot_core.daily_gift import ClaimResult, DailyGift
from yabot_core.inventory import ItemCatalog
from yabot_core.kernel import Phrasebook
from yabot_core.users import Registration

SECONDS_PER_MINUTE = 60
MINUTES_PER_HOUR = 60


def setup() -> Router:
    """Return the daily gift router (private chats: a gift is between the fan and Lucien)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(claim_gift, Command("regalo"))
    return router


async def claim_gift(
    message: Message, registration: Registration, daily_gift: DailyGift, texts: Phrasebook
) -> None:
    """Claim today's gift and tell what it held, or when the next one opens."""
    user = registration.user
    result = await daily_gift.claim(user.user_id)
    if not result.fresh:
        minutes = -(-int(result.wait.total_seconds()) // SECONDS_PER_MINUTE)  # rounded up: never "0 minutos"
        hours, minutes = divmod(minutes, MINUTES_PER_HOUR)
        await message.answer(
            texts.render("daily-gift-come-back", nombre=user.display_name, horas=hours, minutos=minutes)
        )
        return
    await message.answer(_gift_text(texts, daily_gift.catalog, result, user.display_name))


def _gift_text(texts: Phrasebook, items: ItemCatalog, result: ClaimResult, name: str) -> str:
    claim = result.claim
    extra = claim.besitos - claim.streak_besitos
    item = items.name_of(claim.item_id) if claim.item_id is not None else None
    if item is not None and extra:
        surprise = texts.render(
            "daily-gift-surprise-item-and-besitos", extra=extra, objeto=item, cantidad=claim.quantity
        )
    elif item is not None:
        surprise = texts.render("daily-gift-surprise-item", objeto=item, cantidad=claim.quantity)
    elif extra:
        surprise = texts.render("daily-gift-surprise-besitos", extra=extra)
    else:
        surprise = ""
    return paragraphs(
        texts.render("daily-gift-claimed", nombre=name),
        texts.render("daily-gift-streak", racha=claim.streak, besitos=claim.streak_besitos),
        surprise,
        texts.render("daily-gift-total", total=claim.besitos),
    )
