"""/regalo: today's gift, once a day; a second try the same day hears when to come back.

Each answer carries one button: Lucien's evening reminder on (or off, for a fan who has it on).
"""

from contextlib import suppress

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.keyboards.daily_gift import GiftReminder, reminder_keyboard
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import paragraphs
from yabot_core.daily_gift import ClaimResult, DailyGift, DailyGiftReminders
from yabot_core.inventory import ItemCatalog
from yabot_core.kernel import Phrasebook
from yabot_core.users import Registration

SECONDS_PER_MINUTE = 60
MINUTES_PER_HOUR = 60


def setup() -> Router:
    """Return the daily gift router (private chats: a gift is between the fan and Lucien)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.callback_query.filter(PrivateChat(), registered)
    router.message.register(claim_gift, Command("regalo"))
    router.callback_query.register(toggle_reminder, GiftReminder.filter())
    return router


async def claim_gift(
    message: Message,
    registration: Registration,
    daily_gift: DailyGift,
    daily_gift_reminders: DailyGiftReminders,
    texts: Phrasebook,
) -> None:
    """Claim today's gift and tell what it held, or when the next one opens."""
    user = registration.user
    result = await daily_gift.claim(user.user_id)
    setting = await daily_gift_reminders.setting(user.user_id)
    markup = reminder_keyboard(texts, enabled=setting is not None and setting.enabled)
    if not result.fresh:
        minutes = -(-int(result.wait.total_seconds()) // SECONDS_PER_MINUTE)  # rounded up: never "0 minutos"
        hours, minutes = divmod(minutes, MINUTES_PER_HOUR)
        text = texts.render("daily-gift-come-back", nombre=user.display_name, horas=hours, minutos=minutes)
        await message.answer(text, reply_markup=markup)
        return
    await message.answer(
        _gift_text(texts, daily_gift.catalog, result, user.display_name), reply_markup=markup
    )


async def toggle_reminder(
    callback: CallbackQuery,
    *,
    callback_data: GiftReminder,
    registration: Registration,
    daily_gift_reminders: DailyGiftReminders,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """Turn the evening reminder on or off, say so in a notice, and flip the button."""
    setting = await daily_gift_reminders.set_reminders(registration.user.user_id, enabled=callback_data.on)
    hour = f"{daily_gift_reminders.hour:02d}:00"
    if setting.enabled:
        notice = texts.render("daily-gift-reminder-on", hora=hour)
    else:
        notice = texts.render("daily-gift-reminder-off", hora=hour)
    if callback.message is not None:
        with suppress(TelegramBadRequest):  # a message too old to edit keeps its button; the notice tells
            await bot.edit_message_reply_markup(
                chat_id=callback.from_user.id,
                message_id=callback.message.message_id,
                reply_markup=reminder_keyboard(texts, enabled=setting.enabled),
            )
    await callback.answer(notice)  # last: the button has flipped when the spinner stops


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
