"""The welcome gift: once per user, however often UserRegistered arrives."""

from yabot_adapters.memory import InMemoryStorage
from yabot_core.kernel import CorrelationId, EventId, FakeClock, UserId
from yabot_core.users import UserRegistered, UserSource
from yabot_core.wallet import WalletService
from yabot_core.welcome import WELCOME_GIFT, WelcomeGift


def registered(clock: FakeClock, user: int) -> UserRegistered:
    return UserRegistered(
        event_id=EventId(f"ev-{user}"),
        occurred_at=clock.now(),
        correlation_id=CorrelationId("c"),
        user_id=UserId(user),
        source=UserSource.TELEGRAM,
    )


async def test_the_gift_is_credited_once_per_user(wallet: WalletService, clock: FakeClock) -> None:
    """Delivering UserRegistered twice credits the welcome gift once."""
    gift = WelcomeGift(wallet, 10)
    await gift.on_user_registered(registered(clock, 5))
    await gift.on_user_registered(registered(clock, 5))
    page = (await wallet.statement(UserId(5))).history
    assert [(e.amount, e.reason) for e in page.entries] == [(10, WELCOME_GIFT)]


async def test_a_zero_gift_credits_nothing(
    wallet: WalletService, storage: InMemoryStorage, clock: FakeClock
) -> None:
    """A creator who sets the gift to 0 turns it off."""
    await WelcomeGift(wallet, 0).on_user_registered(registered(clock, 5))
    assert storage.states["wallets"].entries == {}
