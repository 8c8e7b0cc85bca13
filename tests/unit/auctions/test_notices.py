"""Lucien's auction and trivia notices: who hears what, in the shipped texts (memory adapters, fake clock)."""

from datetime import UTC, datetime

import pytest

from tests.contracts.story_fixtures import NoContext, RecordingMessenger, shipped_catalog, shipped_texts
from yabot_adapters.memory import InMemoryStorage
from yabot_core.auctions import AuctionClosed, AuctionNotices, BidPlaced, LucienOutbidNotifier
from yabot_core.inventory import ItemId
from yabot_core.kernel import CorrelationId, EventId, FakeClock, SequentialIds, UserId
from yabot_core.lucien import Lucien
from yabot_core.trivia import TriviaAnswered, TriviaNotices
from yabot_core.users import UserDirectory, UserProfile

ANA = UserId(1)
BEA = UserId(2)
KEY = ItemId("llave-dorada")


class RecordingOutbidNotifier:
    """The outbid notices asked for, in order."""

    def __init__(self) -> None:
        self.told: list[tuple[UserId, str, str, int, int]] = []

    async def outbid(self, user_id: UserId, *, auction_id: str, item: str, amount: int, minimum: int) -> None:
        self.told.append((user_id, auction_id, item, amount, minimum))


def stamp(n: int) -> dict[str, object]:
    return {
        "event_id": EventId(f"e{n}"),
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
        "correlation_id": CorrelationId("c"),
    }


def bid(n: int, user: UserId, amount: int, previous: UserId | None) -> BidPlaced:
    return BidPlaced(
        **stamp(n),  # type: ignore[arg-type]
        auction_id="a1",
        item_id=KEY,
        user_id=user,
        amount=amount,
        next_minimum=amount + 5,
        previous_leader=previous,
        previous_amount=10 if previous else 0,
        ends_at=datetime(2026, 1, 2, tzinfo=UTC),
    )


@pytest.fixture(name="lucien")
async def lucien_fixture(clock: FakeClock) -> tuple[Lucien, RecordingMessenger]:
    storage = InMemoryStorage(clock)
    ids = SequentialIds("l")
    users = UserDirectory(storage.transactions, storage.user_queries, clock, ids)
    for user, name in ((ANA, "Ana"), (BEA, "Bea")):
        await users.register(UserProfile(user_id=user, first_name=name))
    messenger = RecordingMessenger()
    lucien = Lucien(
        transactions=storage.transactions,
        queries=storage.lucien_queries,
        users=users,
        messenger=messenger,
        phrasebook=shipped_texts(),
        context=NoContext(),
        clock=clock,
        ids=ids,
    )
    return lucien, messenger


async def test_only_another_fan_outbid_is_told(lucien: tuple[Lucien, RecordingMessenger]) -> None:
    """The first bid tells nobody, a leader raising their own bid neither; the beaten fan hears the item."""
    notifier = RecordingOutbidNotifier()
    notices = AuctionNotices(lucien[0], notifier, shipped_catalog())
    await notices.on_bid_placed(bid(1, ANA, 10, None))
    await notices.on_bid_placed(bid(2, ANA, 20, ANA))
    await notices.on_bid_placed(bid(3, BEA, 25, ANA))
    assert notifier.told == [(ANA, "a1", "Llave dorada", 25, 30)]


async def test_without_a_bot_the_outbid_hear_it_from_lucien(
    lucien: tuple[Lucien, RecordingMessenger],
) -> None:
    """The plain notice names the item, the bid and /subastas; the winner hears it; no winner: silence."""
    service, messenger = lucien
    notices = AuctionNotices(service, LucienOutbidNotifier(service), shipped_catalog())
    await notices.on_bid_placed(bid(1, BEA, 25, ANA))
    closed = {"auction_id": "a1", "item_id": KEY}
    await notices.on_auction_closed(AuctionClosed(**stamp(2), **closed, winner_id=BEA, amount=25))  # type: ignore[arg-type]
    await notices.on_auction_closed(AuctionClosed(**stamp(3), **closed))  # type: ignore[arg-type]
    (to_ana, text), (to_bea, won) = messenger.sent
    assert (to_ana, to_bea) == (ANA, BEA)
    assert "<b>Llave dorada</b>: ahora va en 25 besitos" in text
    assert "/subastas" in text
    assert won.startswith("¡Enhorabuena, Bea! Ha ganado la subasta de <b>Llave dorada</b> por 25 besitos.")


async def test_only_a_rewarded_answer_hears_from_lucien(lucien: tuple[Lucien, RecordingMessenger]) -> None:
    """A reward is told with its besitos; a wrong or late answer gets nothing more than Telegram's quiz."""
    service, messenger = lucien
    notices = TriviaNotices(service)
    common = {"question_id": "q1", "correct": True, "on_time": True}
    await notices.on_trivia_answered(TriviaAnswered(**stamp(1), **common, user_id=ANA, reward=7))  # type: ignore[arg-type]
    await notices.on_trivia_answered(TriviaAnswered(**stamp(2), **common, user_id=BEA, reward=0))  # type: ignore[arg-type]
    assert messenger.sent == [(ANA, "¡Respuesta correcta! Diana le premia con 7 besitos.")]
