"""The Dispatcher: middlewares, feature routers, the fallback and the errors router, with their services."""

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from aiogram import Dispatcher, Router

from yabot_adapters.telegram import errors
from yabot_adapters.telegram.middlewares import CorrelationMiddleware, UserUpsertMiddleware, track_updates
from yabot_adapters.telegram.routers import fallback, membership
from yabot_adapters.telegram.routers import start as start_router
from yabot_adapters.telegram.routers import wallet as wallet_router
from yabot_core.gamification import WalletService
from yabot_core.users import UserDirectory


def build_dispatcher(
    *,
    users: UserDirectory,
    wallet: WalletService,
    welcome_besitos: int,
    timezone: ZoneInfo,
    routers: Iterable[Router] = (),
) -> Dispatcher:
    """Return a Dispatcher serving YABOT's bot; the services reach handlers as workflow data.

    It counts the updates in flight: :func:`~yabot_adapters.telegram.middlewares.track_updates` returns its
    tracker (kept under ``UPDATE_TRACKER_KEY``), which :meth:`TelegramPolling.stop` waits on.

    Args:
        users: registers whoever talks to the bot, and remembers who blocked it.
        wallet: balances and ledgers for /saldo.
        welcome_besitos: the welcome gift a new user is told about (the core credits it).
        timezone: the zone dates are shown in.
        routers: more feature routers, tried after the built-in features and before the fallback.
    """
    if welcome_besitos < 0:
        msg = "the welcome gift cannot be negative"
        raise ValueError(msg)
    dp = Dispatcher(
        name="yabot",
        users=users,
        wallet=wallet,
        welcome_besitos=welcome_besitos,
        timezone=timezone,
    )
    # Outer update middlewares run in registration order, after aiogram's own (errors, user context):
    # the correlation scope first, so the user upsert's events carry it too. The update tracker goes
    # before them all.
    track_updates(dp)
    dp.update.outer_middleware(CorrelationMiddleware())
    dp.update.outer_middleware(UserUpsertMiddleware(users))
    dp.include_routers(
        errors.setup(),
        membership.setup(),
        start_router.setup(),
        wallet_router.setup(),
        *routers,
        fallback.setup(),
    )
    return dp
