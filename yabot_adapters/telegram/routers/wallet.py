"""/saldo: the user's besitos and their latest ledger movements."""

from typing import Final
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import moment, paragraphs, signed
from yabot_adapters.texts import Html
from yabot_core.kernel import Phrasebook
from yabot_core.users import Registration
from yabot_core.wallet import LedgerEntry, WalletService

LATEST_MOVEMENTS: Final = 5


def setup() -> Router:
    """Return the wallet router (private chats only: a balance is nobody else's business)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(show_balance, Command("saldo"))
    return router


async def show_balance(
    message: Message, registration: Registration, wallet: WalletService, texts: Phrasebook, timezone: ZoneInfo
) -> None:
    """Show the spendable and held besitos and the last movements (one snapshot), in the bot's timezone."""
    user = registration.user
    statement = await wallet.statement(user.user_id, limit=LATEST_MOVEMENTS)
    balance, page = statement.balance, statement.history
    held = texts.render("wallet-balance-held", reservados=balance.held) if balance.held > 0 else ""
    summary = "\n".join(
        part for part in (texts.render("wallet-balance-available", saldo=balance.balance), held) if part
    )
    if not page.entries:
        ledger = texts.render("wallet-ledger-empty")
        more = ""
    else:
        lines = "\n".join(_movement(texts, entry, timezone) for entry in page.entries)
        ledger = texts.render("wallet-ledger-latest", movimientos=Html(lines))
        more = (
            texts.render("wallet-ledger-more", mostrados=len(page.entries), total=page.total)
            if page.total > len(page.entries)
            else ""
        )
    header = texts.render("wallet-balance-header", nombre=user.display_name)
    await message.answer(paragraphs(header, summary, ledger, more))


def _movement(texts: Phrasebook, entry: LedgerEntry, timezone: ZoneInfo) -> str:
    when = moment(entry.created_at, timezone)
    if entry.note:
        return texts.render(
            "wallet-movement-with-note",
            importe=signed(entry.amount),
            motivo=entry.reason.label,
            nota=entry.note,
            fecha=when,
        )
    return texts.render(
        "wallet-movement", importe=signed(entry.amount), motivo=entry.reason.label, fecha=when
    )
