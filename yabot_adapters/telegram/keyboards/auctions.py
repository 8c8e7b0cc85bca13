"""The /subastas keyboards: quick bids on an auction's card, a custom amount, and "bid again"."""

import hashlib
from typing import Final

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from yabot_core.auctions import Auction
from yabot_core.kernel import Phrasebook

QUICK_STEPS: Final = (1, 2, 5)
"""The quick bids offered: the next minimum, then that plus one and four increments more."""

CODE_LENGTH: Final = 8
"""An auction's short code: what ``/pujar`` names it by. A digest of its id, since ids minted by one
process share their first half and count in their second (two processes' first ids end alike)."""


class AuctionBid(CallbackData, prefix="aub"):
    """Bid ``amount`` on ``auction`` (an id: 32 characters; the whole is far below 64 bytes)."""

    auction: str
    amount: int


class AuctionCustom(CallbackData, prefix="auc"):
    """Ask how to bid another amount on ``auction``."""

    auction: str


class AuctionShow(CallbackData, prefix="aus"):
    """Show ``auction``'s card again (the outbid notice's button)."""

    auction: str


def code_of(auction: Auction) -> str:
    """The auction's short code, as the card shows it (8 hex digits of the id's SHA-256)."""
    return hashlib.sha256(auction.auction_id.encode()).hexdigest()[:CODE_LENGTH]


def quick_amounts(auction: Auction) -> list[int]:
    """The quick bids: the next minimum, and a few increments above it."""
    first = auction.next_minimum
    return [first + (step - 1) * auction.increment for step in QUICK_STEPS]


def card_keyboard(texts: Phrasebook, auction: Auction) -> InlineKeyboardMarkup:
    """Quick-bid buttons in one row, and the custom amount below."""
    quick = [
        InlineKeyboardButton(
            text=texts.render("auctions-bid-button", cantidad=amount),
            callback_data=AuctionBid(auction=auction.auction_id, amount=amount).pack(),
        )
        for amount in quick_amounts(auction)
    ]
    custom = InlineKeyboardButton(
        text=texts.render("auctions-custom-button"),
        callback_data=AuctionCustom(auction=auction.auction_id).pack(),
    )
    return InlineKeyboardMarkup(inline_keyboard=[quick, [custom]])


def bid_again_keyboard(texts: Phrasebook, auction_id: str) -> InlineKeyboardMarkup:
    """The outbid notice's one button: the auction's card, to bid again."""
    button = InlineKeyboardButton(
        text=texts.render("auctions-bid-again-button"), callback_data=AuctionShow(auction=auction_id).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])
