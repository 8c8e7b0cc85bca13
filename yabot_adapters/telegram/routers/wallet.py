"""/saldo: the user's besitos and their latest ledger movements."""

from typing import Final
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import Message

from yabot_adapters.telegram import texts
from yabot_adapters.telegram.middlewares import registered
from yabot_core.gamification import WalletService
from yabot_core.users import Registration

LATEST_MOVEMENTS: Final = 5


def setup() -> Router:
    """Return the wallet router (private chats only: a balance is nobody else's business)."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == ChatType.PRIVATE, registered)
    router.message.register(show_balance, Command("saldo"))
    return router


async def show_balance(
    message: Message, registration: Registration, wallet: WalletService, timezone: ZoneInfo
) -> None:
    """Show the spendable and held besitos and the last movements, dated in the bot's timezone."""
    user = registration.user
    balance = await wallet.balance(user.user_id)
    page = await wallet.history(user.user_id, limit=LATEST_MOVEMENTS)
    await message.answer(
        texts.balance(
            user.display_name,
            spendable=balance.balance,
            held=balance.held,
            entries=page.entries,
            total=page.total,
            timezone=timezone,
        )
    )
