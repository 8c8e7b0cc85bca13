"""The composition root: read top to bottom to know which adapter serves which port under which settings.

settings -> kernel ports (clock, ids, storage, texts, messenger) -> the registered modules, built in
dependency order (:mod:`yabot_app.modules`) -> the bus (local or Redis Streams), with every module's handlers
routed -> the ticker -> entry points (HTTP app, Telegram bot and dispatcher, polling or the webhook). Nothing
outside this file imports dependency_injector.

Adapters with heavy imports (aiogram, PyMongo, redis) are imported only when the settings choose them: a shell
command on SQLite never pays for them.
"""

import importlib
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dependency_injector import containers, providers

from yabot_adapters.bus import LocalEventBus, RoutedBus
from yabot_adapters.guarded import STORAGE_BREAKER, GuardedStorage
from yabot_adapters.offline import OfflineMessenger
from yabot_adapters.scheduling import Ticker
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_adapters.texts import Catalog, load_catalog
from yabot_app.modules import MODULES
from yabot_app.modules.admin import AdminModule
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.modules.composed import Modules, offered_scopes, shipped_texts
from yabot_app.modules.operations import OperationsModule
from yabot_app.modules.plug import TEXTS, BotPart, Kernel, ModulePlug, UserContext
from yabot_app.modules.users import UsersModule
from yabot_app.monitor import HealthProbe, Monitor
from yabot_app.settings import Settings
from yabot_core.kernel import (
    CircuitBreaker,
    Clock,
    EventStamper,
    IdGenerator,
    Phrasebook,
    RetryPolicy,
    UserId,
)

if TYPE_CHECKING:
    from aiogram import Dispatcher, Router
    from litestar.stores.base import Store

    from yabot_adapters.http import ReadinessCheck, TelegramWebhook
    from yabot_adapters.http.auth import Authenticator
    from yabot_adapters.redis.shared import SharedRedis
    from yabot_adapters.telegram import MenuEntry, TelegramPolling, WebhookUpdates
    from yabot_adapters.telegram.dialog_storage import DialogStorage

log = logging.getLogger(__name__)

BOT_TEXTS = TEXTS / "bot.ftl"
"""The bot's own words (menus, apologies), which belong to no module."""

TELEGRAM_NEEDED = "necesita el bot de Telegram (define YABOT_BOT_TOKEN y use el proceso de `yabot run`)"


def _lazy(path: str) -> Callable[..., Any]:
    """A factory for ``module:attribute`` that imports the module only when first called."""
    module_name, attributes = path.split(":")

    def build(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401  (forwards to the named factory)
        factory: Any = importlib.import_module(module_name)
        for attribute in attributes.split("."):
            factory = getattr(factory, attribute)
        return factory(*args, **kwargs)

    return build


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _secret(value: object) -> str:
    return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)


def load_texts(plugs: tuple[ModulePlug[Any], ...], content: Path) -> Catalog:
    """Every module's shipped texts with the creator's overrides; problems in hers are logged, in Spanish."""
    shipped = [BOT_TEXTS, *shipped_texts(plugs)]
    catalog, problems = load_catalog(shipped, content if content.is_dir() else None)
    for problem in problems:
        log.warning("%s", problem)
    return catalog


def menu(phrasebook: Phrasebook, parts: Sequence[BotPart]) -> list["MenuEntry"]:
    """Every module's commands, described in the texts' words (the bot's menu and /ayuda)."""
    from yabot_adapters.telegram import MenuEntry  # noqa: PLC0415  (aiogram only when the bot runs)

    entries = [
        MenuEntry(command.command, phrasebook.render(command.description))  # texts: BotCommand's, checked
        for part in parts
        for command in part.commands
    ]
    return [*entries, MenuEntry("ayuda", phrasebook.render("bot-command-ayuda"))]


def build_dispatcher(
    modules: Modules,
    parts: Sequence[BotPart],
    menu: Sequence["MenuEntry"],
    extra_routers: Sequence["Router"] = (),
    *,
    shared: Callable[[], "SharedRedis"] | None = None,
    replayer: RoutedBus | None = None,
    dialogs: "DialogStorage | None" = None,
) -> "Dispatcher":
    """The bot's dispatcher: the modules' routers and workflow data (``parts``), and the ``menu`` of commands.

    Build ``parts`` once per process (the container does): an aiogram router joins one dispatcher only.
    ``extra_routers`` go after the modules' (tests plug their own handlers in there). With the admin module
    registered, ``/admin`` shows every module's admin screens; dead letters are replayed through
    ``replayer``; conversation and dialog state lives in ``dialogs``. With ``YABOT_SHARED_STATE=redis``,
    ``shared`` gives the Redis that keeps each fan's pace, so every process counts alike.
    """
    from yabot_adapters.telegram import PaceJudge, UserPace  # noqa: PLC0415  (aiogram only when the bot runs)
    from yabot_adapters.telegram import build_dispatcher as dispatcher  # noqa: PLC0415

    data: dict[str, object] = {}
    for part in parts:
        clash = set(data) & set(part.data)
        if clash:
            msg = f"two modules give the bot the same workflow data: {sorted(clash)}"
            raise ValueError(msg)
        data.update(part.data)
    settings = modules.kernel.settings
    pace: UserPace | PaceJudge | None = (
        UserPace(*settings.telegram_user_pace) if settings.telegram_user_pace else None
    )
    if settings.shared_state == "redis" and shared is not None and isinstance(pace, UserPace):
        from yabot_adapters.redis.paces import RedisPaces  # noqa: PLC0415  (redis only when chosen)

        pace = RedisPaces(shared(), pace)
    try:
        gate = modules.get(AdminModule).gate
    except LookupError:  # composed without the admin module: no /admin menu
        gate = None
    return dispatcher(
        users=modules.get(UsersModule).directory,
        texts=modules.kernel.phrasebook,
        timezone=settings.zone,
        routers=[*(router for part in parts for router in part.routers), *extra_routers],
        menu=menu,
        data=data,
        pace=pace,
        admin_gate=gate,
        admin_screens=[screen for part in parts for screen in part.admin_screens],
        dialogs=dialogs,
        replayer=replayer,
    )


def readiness_checks(
    storage: Any,  # noqa: ANN401  (any backend)
    bus: RoutedBus,
    ticker: Ticker,
    modules: Modules,
    *,
    polling: Callable[[], "TelegramPolling"],
    webhook: Callable[[], "WebhookUpdates"],
    shared: Callable[[], "SharedRedis"],
) -> list["ReadinessCheck"]:
    """What ``/readyz`` asks, each by name so a 503 says which part is down.

    Storage, the relays, the timers, the shared state (``redis``, when it lives there), the bot (polling or
    webhook), each module.
    """
    from yabot_adapters.http import ReadinessCheck  # noqa: PLC0415  (Litestar only when serving)

    checks = [
        ReadinessCheck(name="storage", check=storage.ping),
        ReadinessCheck(name="events", check=bus.check_running),
        ReadinessCheck(name="timers", check=ticker.check_running),
    ]
    if modules.kernel.settings.shared_state == "redis":
        checks.append(ReadinessCheck(name="redis", check=shared().ping))
    if modules.kernel.telegram:
        receiving = polling() if modules.kernel.settings.telegram_mode == "polling" else webhook()
        checks.append(ReadinessCheck(name="telegram", check=receiving.check_ready))
    checks += [
        ReadinessCheck(name=f"{module}.{check.name}", check=check.check) for module, check in modules.health()
    ]
    return checks


def telegram_webhook(
    settings: Settings, telegram: bool, updates: Callable[[], "WebhookUpdates"]
) -> "TelegramWebhook | None":
    """The webhook route's needs when this process runs the bot in webhook mode; ``None`` otherwise."""
    if not telegram or settings.telegram_mode != "webhook" or settings.webhook_secret is None:
        return None
    from yabot_adapters.http import TelegramWebhook  # noqa: PLC0415  (Litestar only when serving)

    return TelegramWebhook(secret=settings.webhook_secret.get_secret_value(), receiver=updates())


def dialog_storage_of(settings: Settings, shared: Callable[[], "SharedRedis"]) -> "DialogStorage":
    """Where the bot keeps conversation states and aiogram-dialog's stacks (/admin), with a per-chat lock.

    Redis when the state is shared (any process may take an admin's next tap), else this process's memory.
    """
    if settings.shared_state == "redis":
        from yabot_adapters.redis.fsm import shared_dialog_storage  # noqa: PLC0415  (redis only when chosen)

        return shared_dialog_storage(shared())
    from yabot_adapters.telegram.dialog_storage import memory_dialog_storage  # noqa: PLC0415  (aiogram)

    return memory_dialog_storage()


def rate_limit_store(settings: Settings, shared: Callable[[], "SharedRedis"]) -> "Store | None":
    """Where the API's rate limiter counts: Redis when the state is shared, else the app's memory."""
    if settings.shared_state != "redis" or not settings.api_rate_limit:
        return None
    from yabot_adapters.redis.rate_limits import SharedRateLimitStore  # noqa: PLC0415  (when chosen)

    return SharedRateLimitStore(shared())


def authenticator(modules: Modules, clock: Clock) -> "Authenticator":
    """Who may call the API: API keys always; Mini App ``initData`` when this process has the bot token.

    Checking ``initData`` needs the token (Telegram signs it with the token): without one, fans are refused
    with ``initdata_no_admitido`` and only keys work.
    """
    from yabot_adapters.http.auth import Authenticator, InitDataVerifier  # noqa: PLC0415  (when serving)

    settings = modules.kernel.settings
    init_data = None
    if settings.telegram_state == "on":
        token = _secret(settings.bot_token)
        init_data = InitDataVerifier(token, max_age=settings.initdata_max_age, clock=clock)
    return Authenticator(modules.get(ApiKeysModule).keys, init_data)


def guarded_bot(bot: Any, breaker: CircuitBreaker) -> Any:  # noqa: ANN401  (aiogram's Bot, imported lazily)
    """``bot`` with its calls (but polling) through ``breaker``."""
    from yabot_adapters.telegram.breaker import guard_telegram  # noqa: PLC0415  (aiogram only when the bot runs)

    guard_telegram(bot, breaker)
    return bot


def monitor_of(modules: Modules, storage: Any, breakers: Sequence[CircuitBreaker]) -> Monitor:  # noqa: ANN401  (any backend)
    """The monitor of this process: its breakers, the storage, every module's health, the admins to tell."""
    kernel = modules.kernel
    settings = kernel.settings
    return Monitor(
        alerts=modules.get(OperationsModule).alerts,
        storage=storage,
        breakers=breakers,
        health=[HealthProbe(module, check.name, check.check) for module, check in modules.health()],
        messenger=kernel.messenger,
        phrasebook=kernel.phrasebook,
        admins=[UserId(admin) for admin in settings.admin_ids],
        clock=kernel.clock,
        stamper=EventStamper(kernel.clock, kernel.ids),
        outbox_threshold=settings.alert_outbox_events,
        sla_minutes=settings.alert_sla_minutes,
        every=settings.alert_check_seconds,
    )


def route_events(bus: RoutedBus, modules: Modules) -> RoutedBus:
    """Route every module's handlers: subscribed when this process can run them, declared otherwise.

    Every process declares the same routes, so an event committed anywhere is owed to the same handlers.
    Handler names are durable (deliveries and dead letters remember them): rename one only on purpose.
    """
    for spec in modules.handlers():
        if spec.needs_telegram and not modules.kernel.telegram:
            bus.declare(
                spec.event, name=spec.name, route=spec.route, max_age=spec.max_age, why=TELEGRAM_NEEDED
            )
        else:
            bus.subscribe(spec.event, spec.handler, name=spec.name, route=spec.route, max_age=spec.max_age)
    return bus


class Container(containers.DeclarativeContainer):
    """Builds YABOT from :class:`Settings`. Everything is a singleton: one per process."""

    settings = providers.Dependency(instance_of=Settings)
    telegram = providers.Dependency(instance_of=bool)
    """Whether this process runs the bot (``yabot run`` with a token); shell commands leave it off."""

    # --- kernel ports -----------------------------------------------------------------------------------
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidGenerator)
    raw_storage = providers.Selector(
        settings.provided.storage,
        memory=providers.Singleton(_lazy("yabot_adapters.memory:InMemoryStorage"), clock),
        sqlite=providers.Singleton(
            _lazy("yabot_adapters.sqlite:SqliteStorage"),
            settings.provided.sqlite_path,
            clock=clock,
            synchronous=settings.provided.sqlite_synchronous,
        ),
        mongo=providers.Singleton(
            _lazy("yabot_adapters.mongo:MongoStorage.from_url"),
            providers.Callable(_secret, settings.provided.mongo_url),
            settings.provided.mongo_database,
            clock,
            exclusive=settings.provided.mongo_exclusive,
        ),
    )
    storage_breaker = providers.Singleton(CircuitBreaker, STORAGE_BREAKER, clock)
    storage = providers.Singleton(GuardedStorage, raw_storage, storage_breaker)
    """The backend behind the storage breaker (``storage().inner`` is the backend itself)."""
    plugs = providers.Object(MODULES)
    """The modules this process runs: the registry (tests and library users may compose others)."""
    texts = providers.Singleton(load_texts, plugs, settings.provided.content_dir)

    # --- Telegram (resolved only when this process runs the bot) ----------------------------------------
    telegram_breaker = providers.Singleton(
        CircuitBreaker, "telegram", clock, failures=settings.provided.telegram_breaker_failures
    )
    bot = providers.Singleton(
        guarded_bot,
        providers.Singleton(
            _lazy("yabot_adapters.telegram:create_bot"),
            providers.Callable(_secret, settings.provided.bot_token),
            api_url=settings.provided.telegram_api_url,
        ),
        telegram_breaker,
    )
    """The aiogram Bot, its calls through the Telegram breaker."""
    outgoing = providers.Singleton(_lazy("yabot_adapters.telegram:OutgoingLimiter"))
    """Telegram's budget (30 messages/s, 1/s per chat, its flood pauses): one, shared by every sender."""
    messenger = providers.Selector(
        providers.Callable(lambda on: "on" if on else "off", telegram),
        on=providers.Singleton(_lazy("yabot_adapters.telegram:TelegramMessenger"), bot, outgoing),
        off=providers.Singleton(OfflineMessenger),
    )

    # --- the modules ------------------------------------------------------------------------------------
    kernel = providers.Singleton(
        Kernel,
        settings=settings,
        storage=storage,
        clock=clock,
        ids=ids,
        phrasebook=texts,
        messenger=messenger,
        context=providers.Singleton(UserContext),
        telegram=telegram,
        api_scopes=providers.Callable(offered_scopes, plugs),
        bot=providers.Selector(
            providers.Callable(lambda on: "on" if on else "off", telegram),
            on=bot,
            off=providers.Object(None),
        ),
        outgoing=providers.Selector(
            providers.Callable(lambda on: "on" if on else "off", telegram),
            on=outgoing,
            off=providers.Object(None),
        ),
    )
    modules = providers.Singleton(Modules, plugs, kernel)

    # --- events and timers ------------------------------------------------------------------------------
    retry = providers.Singleton(RetryPolicy)
    bus = providers.Selector(
        settings.provided.bus,
        local=providers.Singleton(
            LocalEventBus,
            storage,
            clock=clock,
            ids=ids,
            retry=retry,
            poll_interval=settings.provided.outbox_poll_interval,
            lease_ttl=settings.provided.outbox_lease_seconds,
        ),
        redis=providers.Singleton(
            _lazy("yabot_adapters.redis:RedisEventBus.from_url"),
            providers.Callable(_secret, settings.provided.redis_url),
            storage,
            clock=clock,
            ids=ids,
            retry=retry,
            partitions=settings.provided.redis_partitions,
            prefix=settings.provided.redis_prefix,
            poll_interval=settings.provided.outbox_poll_interval,
            lease_ttl=settings.provided.outbox_lease_seconds,
        ),
    )
    """Events: relays in this process (``local``), or Redis Streams with a consumer group per handler."""
    event_routes = providers.Singleton(route_events, bus, modules)
    ticker = providers.Singleton(
        Ticker,
        storage,
        clock,
        ids,
        poll_interval=settings.provided.outbox_poll_interval,
    )

    monitor = providers.Singleton(
        monitor_of, modules, storage, providers.List(storage_breaker, telegram_breaker)
    )
    """Watches for problems and alerts the admins (started with the rest of the work)."""

    # --- state the processes share (production: Redis) ---------------------------------------------------
    shared_redis = providers.Singleton(
        _lazy("yabot_adapters.redis.shared:SharedRedis.from_url"),
        providers.Callable(_secret, settings.provided.redis_url),
        settings.provided.redis_prefix,
    )
    """With ``YABOT_SHARED_STATE=redis``: fans' paces, the API's rate limits, the FSM states; closed by
    the lifecycle when it was built."""

    # --- entry points -----------------------------------------------------------------------------------
    bot_parts = providers.Singleton(Modules.bot_parts, modules)
    """What each module adds to the bot, built once: the dispatcher and the command menu share it."""
    bot_menu = providers.Singleton(menu, texts, bot_parts)
    dialog_storage = providers.Singleton(dialog_storage_of, settings, shared_redis.provider)
    """Where conversations and /admin's dialogs keep their state: this process's memory, or (with
    ``YABOT_SHARED_STATE=redis``) Redis, shared by every process."""
    dispatcher = providers.Singleton(
        build_dispatcher,
        modules,
        bot_parts,
        bot_menu,
        shared=shared_redis.provider,
        replayer=event_routes,
        dialogs=dialog_storage,
    )
    telegram_polling = providers.Singleton(
        _lazy("yabot_adapters.telegram:TelegramPolling"),
        bot=bot,
        dispatcher=dispatcher,
        clock=clock,
        menu=bot_menu,
    )
    webhook_updates = providers.Singleton(
        _lazy("yabot_adapters.telegram:WebhookUpdates"),
        bot,
        dispatcher,
        storage.provided.telegram_updates,
        clock=clock,
        menu=bot_menu,
        poll_interval=settings.provided.outbox_poll_interval,
        lease=providers.Callable(_seconds, settings.provided.webhook_lease_seconds),
    )
    """Webhook mode: stores what Telegram pushes, and handles it from storage in the background."""
    webhook = providers.Singleton(telegram_webhook, settings, telegram, webhook_updates.provider)
    readiness = providers.Singleton(
        readiness_checks,
        storage,
        bus,
        ticker,
        modules,
        polling=telegram_polling.provider,
        webhook=webhook_updates.provider,
        shared=shared_redis.provider,
    )
    api_authenticator = providers.Singleton(authenticator, modules, clock)
    http_app = providers.Singleton(
        _lazy("yabot_adapters.http:create_app"),
        authenticator=api_authenticator,
        route_handlers=modules.provided.api.call(),
        readiness=readiness,
        rate_limit_per_minute=settings.provided.api_rate_limit,
        webhook=webhook,
        rate_limit_store=providers.Singleton(rate_limit_store, settings, shared_redis.provider),
    )


def build_container(
    settings: Settings,
    *,
    telegram: bool | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    retry: RetryPolicy | None = None,
    plugs: Sequence[ModulePlug[Any]] | None = None,
) -> Container:
    """Return a container for ``settings``; nothing is opened or started yet.

    ``telegram`` says whether this process runs the bot; by default, when a token is set. ``clock``, ``ids``
    and the bus's ``retry`` policy replace the real ones (tests and benchmarks drive time and ids);
    ``plugs`` replaces the registry's modules.
    """
    runs_bot = settings.telegram_state == "on" if telegram is None else telegram
    container = Container(settings=providers.Object(settings), telegram=providers.Object(runs_bot))
    if clock is not None:
        container.clock.override(providers.Object(clock))
    if ids is not None:
        container.ids.override(providers.Object(ids))
    if retry is not None:
        container.retry.override(providers.Object(retry))
    if plugs is not None:
        container.plugs.override(providers.Object(tuple(plugs)))
    return container
