"""The composition root: read top to bottom to know which adapter serves which port under which settings.

settings -> kernel ports -> storage (one backend per setting) -> core services -> event routes (the only place
that says which handler reacts to which event) -> entry points (HTTP app, Telegram bot and dispatcher).
Nothing outside this file imports dependency_injector.
"""

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dependency_injector import containers, providers

from yabot_adapters.bus import LocalEventBus
from yabot_adapters.http import ReadinessCheck, create_app
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.mongo import MongoStorage
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import StorageBackend
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_app.settings import Settings
from yabot_core.gamification import BesitosAwarded, WalletService, WelcomeGift
from yabot_core.kernel import EventProcessingFailed
from yabot_core.users import UserDirectory, UserRegistered

if TYPE_CHECKING:
    from yabot_adapters.telegram import AdminAlerts, BesitosNotifier


def route_events(
    *,
    storage: StorageBackend,
    bus: LocalEventBus,
    welcome_gift: WelcomeGift,
    notifier: "BesitosNotifier | None",
    admin_alerts: "AdminAlerts | None",
) -> LocalEventBus:
    """Subscribe every handler to the events it reacts to, and wake the bus on each local commit.

    Handler names are durable (deliveries and dead letters remember them): rename one only on purpose.
    """
    storage.add_commit_listener(bus.notify)
    bus.subscribe(UserRegistered, welcome_gift.on_user_registered, name="gamification.welcome_gift")
    if notifier is not None:
        bus.subscribe(BesitosAwarded, notifier.on_besitos_awarded, name="telegram.notify_besitos_awarded")
    if admin_alerts is not None:
        bus.subscribe(
            EventProcessingFailed, admin_alerts.on_event_processing_failed, name="telegram.alert_admins"
        )
    return bus


def _telegram(name: str) -> Callable[..., Any]:
    """A factory for ``yabot_adapters.telegram.<name>`` that imports aiogram only when first called.

    aiogram takes about two seconds to import; shell commands that never talk to Telegram skip that.
    """

    def build(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401  (forwards to the named factory)
        return getattr(importlib.import_module("yabot_adapters.telegram"), name)(*args, **kwargs)

    return build


def _secret(value: object) -> str:
    return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)


class Container(containers.DeclarativeContainer):
    """Builds YABOT from :class:`Settings`. Adapters are singletons: one per process."""

    settings = providers.Dependency(instance_of=Settings)

    # --- kernel ports -----------------------------------------------------------------------------------
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidGenerator)

    # --- storage: one backend serves every storage port ---------------------------------------------------
    storage = providers.Selector(
        settings.provided.storage,
        memory=providers.Singleton(InMemoryStorage, clock=clock),
        sqlite=providers.Singleton(
            SqliteStorage,
            path=settings.provided.sqlite_path,
            clock=clock,
            synchronous=settings.provided.sqlite_synchronous,
        ),
        mongo=providers.Singleton(
            MongoStorage.from_url,
            providers.Callable(_secret, settings.provided.mongo_url),
            settings.provided.mongo_database,
            clock,
        ),
    )

    # --- core services ----------------------------------------------------------------------------------
    wallet = providers.Singleton(
        WalletService,
        transactions=storage.provided.transactions,
        queries=storage.provided.wallet_queries,
        clock=clock,
        ids=ids,
    )
    users = providers.Singleton(
        UserDirectory,
        transactions=storage.provided.transactions,
        queries=storage.provided.user_queries,
        clock=clock,
        ids=ids,
    )
    welcome_gift = providers.Singleton(WelcomeGift, wallet=wallet, amount=settings.provided.welcome_besitos)

    # --- Telegram (resolved only when a bot token is set) -------------------------------------------------
    bot = providers.Singleton(
        _telegram("create_bot"),
        providers.Callable(_secret, settings.provided.bot_token),
        api_url=settings.provided.telegram_api_url,
    )
    notifier = providers.Singleton(_telegram("BesitosNotifier"), bot=bot, users=users)
    admin_alerts = providers.Singleton(
        _telegram("AdminAlerts"), bot=bot, admin_ids=settings.provided.admin_ids
    )
    dispatcher = providers.Singleton(
        _telegram("build_dispatcher"),
        users=users,
        wallet=wallet,
        welcome_besitos=settings.provided.welcome_besitos,
        timezone=settings.provided.zone,
    )
    telegram_polling = providers.Singleton(
        _telegram("TelegramPolling"), bot=bot, dispatcher=dispatcher, clock=clock
    )

    # --- events -----------------------------------------------------------------------------------------
    bus = providers.Singleton(
        LocalEventBus,
        outbox=storage.provided.outbox,
        transactions=storage.provided.transactions,
        dead_letters=storage.provided.dead_letter_queries,
        clock=clock,
        ids=ids,
        poll_interval=settings.provided.outbox_poll_interval,
        lease_ttl=settings.provided.outbox_lease_seconds,
    )
    event_routes = providers.Singleton(
        route_events,
        storage=storage,
        bus=bus,
        welcome_gift=welcome_gift,
        notifier=providers.Selector(
            settings.provided.telegram_state, on=notifier, off=providers.Object(None)
        ),
        admin_alerts=providers.Selector(
            settings.provided.admin_alerts_state, on=admin_alerts, off=providers.Object(None)
        ),
    )

    # --- HTTP -------------------------------------------------------------------------------------------
    storage_ready = providers.Factory(ReadinessCheck, name="storage", check=storage.provided.ping)
    events_ready = providers.Factory(ReadinessCheck, name="events", check=bus.provided.check_running)
    readiness = providers.Selector(
        settings.provided.telegram_state,
        on=providers.List(
            storage_ready,
            events_ready,
            providers.Factory(ReadinessCheck, name="telegram", check=telegram_polling.provided.check_ready),
        ),
        off=providers.List(storage_ready, events_ready),
    )
    http_app = providers.Singleton(
        create_app,
        wallet=wallet,
        users=users,
        readiness=readiness,
        rate_limit_per_minute=settings.provided.api_rate_limit,
    )


def build_container(settings: Settings) -> Container:
    """Return a container for ``settings``; nothing is opened or started yet."""
    return Container(settings=providers.Object(settings))
