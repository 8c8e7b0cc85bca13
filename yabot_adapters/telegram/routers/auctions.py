"""/subastas: the auctions taking bids, each a card with its bid and bid buttons; /pujar for any amount.

A bid's request key is the tap's callback id (or the command's message id): a redelivered update bids once.
"""

from datetime import tzinfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.keyboards.auctions import (
    CODE_LENGTH,
    AuctionBid,
    AuctionCustom,
    AuctionShow,
    card_keyboard,
    code_of,
)
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import ALERT_LIMIT, moment, paragraphs, plain_text
from yabot_core.auctions import Auction, AuctionNotFoundError, Auctions
from yabot_core.kernel import InvalidInputError, Phrasebook
from yabot_core.users import Registration

SHOWN = 10
"""Cards sent by one /subastas (the soonest to end first)."""


def setup() -> Router:
    """Return the auctions router (private chats: a bid is between the fan and Lucien)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.callback_query.filter(PrivateChat(), registered)
    router.message.register(list_auctions, Command("subastas"))
    router.message.register(bid_command, Command("pujar"))
    router.callback_query.register(bid_button, AuctionBid.filter())
    router.callback_query.register(custom_amount, AuctionCustom.filter())
    router.callback_query.register(show_card, AuctionShow.filter())
    return router


async def list_auctions(message: Message, auctions: Auctions, texts: Phrasebook, timezone: tzinfo) -> None:
    """Send a card per auction taking bids now, or say there is none."""
    shown = await auctions.open_now(limit=SHOWN)
    if not shown:
        await message.answer(texts.render("auctions-none"))
        return
    for auction in shown:
        await message.answer(
            card_text(texts, auctions, auction, timezone), reply_markup=card_keyboard(texts, auction)
        )


async def bid_button(
    callback: CallbackQuery,
    *,
    callback_data: AuctionBid,
    registration: Registration,
    auctions: Auctions,
    texts: Phrasebook,
    timezone: tzinfo,
) -> None:
    """Bid the button's amount; the card is sent again with the new bid, the alert says it went."""
    outcome = await auctions.bid(
        callback_data.auction, registration.user.user_id, callback_data.amount, request_key=callback.id
    )
    if callback.message is not None:
        await callback.message.answer(
            card_text(texts, auctions, outcome.auction, timezone),
            reply_markup=card_keyboard(texts, outcome.auction),
        )
    await callback.answer(_placed(texts, outcome.bid.amount, outcome.auction.bids))


async def bid_command(
    message: Message,
    *,
    command: CommandObject,
    registration: Registration,
    auctions: Auctions,
    texts: Phrasebook,
    timezone: tzinfo,
) -> None:
    """``/pujar <código> <cantidad>``: bid any amount on the auction whose card shows that code."""
    parts = (command.args or "").split()
    if len(parts) != 2 or not parts[1].isdigit():  # noqa: PLR2004  (a code and an amount)
        raise InvalidInputError(texts.render("auctions-pujar-usage"))
    code, amount = parts[0].lower(), int(parts[1])
    auction = await _by_code(auctions, code)
    outcome = await auctions.bid(
        auction.auction_id, registration.user.user_id, amount, request_key=f"m{message.message_id}"
    )
    await message.answer(
        paragraphs(
            plain_text(_placed(texts, outcome.bid.amount, outcome.auction.bids)),
            card_text(texts, auctions, outcome.auction, timezone),
        ),
        reply_markup=card_keyboard(texts, outcome.auction),
    )


async def custom_amount(
    callback: CallbackQuery, *, callback_data: AuctionCustom, auctions: Auctions, texts: Phrasebook
) -> None:
    """Tell how to bid another amount: ``/pujar <código> <cantidad>``."""
    auction = await auctions.get(callback_data.auction)
    await callback.answer(
        plain_text(texts.render("auctions-custom-how", codigo=code_of(auction), minimo=auction.next_minimum))[
            :ALERT_LIMIT
        ],
        show_alert=True,
    )


async def show_card(
    callback: CallbackQuery,
    *,
    callback_data: AuctionShow,
    auctions: Auctions,
    texts: Phrasebook,
    timezone: tzinfo,
) -> None:
    """The outbid notice's button: the auction's card, to bid again."""
    auction = await auctions.get(callback_data.auction)
    if callback.message is not None:
        await callback.message.answer(
            card_text(texts, auctions, auction, timezone), reply_markup=card_keyboard(texts, auction)
        )
    await callback.answer()


def card_text(texts: Phrasebook, auctions: Auctions, auction: Auction, timezone: tzinfo) -> str:
    """An auction's card: the item, the current bid (or the minimum), the end and the code."""
    item = auctions.mochila.catalog.name_of(auction.item_id)
    ends = moment(auction.ends_at, timezone)
    if auction.leader_id is None:
        return texts.render(
            "auctions-card-empty",
            objeto=item,
            minimo=auction.minimum_bid,
            fin=ends,
            codigo=code_of(auction),
        )
    return texts.render(
        "auctions-card",
        objeto=item,
        actual=auction.leading_bid,
        minimo=auction.next_minimum,
        pujas=auction.bids,
        fin=ends,
        codigo=code_of(auction),
    )


def _placed(texts: Phrasebook, amount: int, bids: int) -> str:
    return plain_text(texts.render("auctions-bid-placed", cantidad=amount, pujas=bids))[:ALERT_LIMIT]


async def _by_code(auctions: Auctions, code: str) -> Auction:
    if len(code) != CODE_LENGTH:
        raise AuctionNotFoundError(code[:50])
    for auction in await auctions.open_now(limit=100):
        if code_of(auction) == code:
            return auction
    raise AuctionNotFoundError(code)
