"""The container wires the right adapters and the same event routes for every process."""

from pathlib import Path

from aiogram import Router

from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.offline import OfflineMessenger
from yabot_adapters.sqlite import SqliteStorage
from yabot_app.container import build_container
from yabot_app.modules import MODULES
from yabot_app.modules.plug import BotPart, BuiltModules, Kernel, ModulePlug
from yabot_app.settings import Settings
from yabot_core.kernel import ModuleManifest

TOKEN = "123:abc"  # noqa: S105  (a fake token)
ROUTES = [
    "lucien.scheduled_message",
    "lucien.alert_admins",
    "wallet.grant_notice",
    "welcome.gift",
    "inventory.grant_notice",
    "subscriptions.expire",
    "subscriptions.remind",
    "subscriptions.farewell",
    "story.vip_can_continue",
    "missions.celebrate",
    "daily_gift.remind",
    "ranking.count",
    "auctions.close",
    "auctions.outbid",
    "auctions.won",
    "trivia.send",
    "trivia.send_more",
    "trivia.rewarded",
    "operations.backup",
    "operations.reconcile",
    "operations.log_inconsistency",
    "operations.alert_reminder",
    "operations.alert_raised",
    "operations.alert_reminded",
    "operations.alert_resolved",
    "posts.publish",
    "posts.remove",
    "posts.alert_admins",
]
MISSIONS = [  # one per event type the shipped missions count or are given on
    "missions.progress.daily_gift.claimed",
    "missions.progress.inventory.item_used",
    "missions.progress.reactions.detected",
    "missions.progress.subscription.started",
    "missions.progress.user.registered",
]
ROUTES += MISSIONS
ACHIEVEMENTS = [  # one per event type the shipped logros count
    "achievements.count.daily_gift.claimed",
    "achievements.count.missions.completed",
    "achievements.count.reactions.detected",
    "achievements.count.store.item_purchased",
    "achievements.count.story.narrative_completed",
]
ROUTES += [*ACHIEVEMENTS, "achievements.celebrate"]
NO_TELEGRAM = [
    "welcome.gift",
    "subscriptions.expire",
    "subscriptions.remind",
    "subscriptions.farewell",
    "daily_gift.remind",
    "ranking.count",
    "auctions.close",
    *MISSIONS,
    *ACHIEVEMENTS,
    "operations.backup",
    "operations.reconcile",
    "operations.log_inconsistency",
    "operations.alert_reminder",
]
DOOR = [
    "subscriptions.door_invite",
    "subscriptions.door_reinvite",
    "subscriptions.door_remove_expired",
    "subscriptions.door_remove_revoked",
    "subscriptions.door_remove_refunded",
    "subscriptions.reconcile",
]


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings.model_validate({"data_dir": tmp_path, **values})


def test_storage_follows_the_setting(tmp_path: Path) -> None:
    """YABOT_STORAGE picks the backend, behind the storage breaker; every service shares the one instance."""
    memory = build_container(settings(tmp_path, storage="memory"))
    assert isinstance(memory.storage().inner, InMemoryStorage)
    assert memory.storage() is memory.storage()
    sqlite = build_container(settings(tmp_path, storage="sqlite"))
    storage = sqlite.storage().inner
    assert isinstance(storage, SqliteStorage)
    assert storage.path == tmp_path / "yabot.sqlite3"


def test_every_process_declares_the_same_routes(tmp_path: Path) -> None:
    """With or without a bot, every handler is declared: events are owed to the same handlers everywhere."""
    off = build_container(settings(tmp_path, storage="memory")).event_routes()
    on = build_container(settings(tmp_path, storage="memory", bot_token=TOKEN)).event_routes()
    assert sorted(route.name for route in off.routes) == sorted(ROUTES)
    assert sorted(route.name for route in on.routes) == sorted(ROUTES)


def test_without_a_bot_only_handlers_that_need_no_telegram_run(tmp_path: Path) -> None:
    """With the bot off, the process runs the welcome gift and leaves Telegram's handlers to another."""
    container = build_container(settings(tmp_path, storage="memory", admin_ids=[1]))
    assert sorted(s.name for s in container.event_routes().subscriptions) == sorted(NO_TELEGRAM)
    assert isinstance(container.messenger(), OfflineMessenger)


def test_with_a_bot_every_handler_runs(tmp_path: Path) -> None:
    """With a token, this process runs every handler, Telegram's included."""
    container = build_container(settings(tmp_path, storage="memory", bot_token=TOKEN))
    assert sorted(s.name for s in container.event_routes().subscriptions) == sorted(ROUTES)


def test_shell_commands_run_no_bot_even_with_a_token(tmp_path: Path) -> None:
    """A shell command builds its container without the bot: it never imports or starts aiogram."""
    container = build_container(settings(tmp_path, storage="memory", bot_token=TOKEN), telegram=False)
    assert sorted(s.name for s in container.event_routes().subscriptions) == sorted(NO_TELEGRAM)


def test_the_vip_channel_adds_the_door_everywhere_and_runs_it_with_the_bot(tmp_path: Path) -> None:
    """With YABOT_VIP_CHANNEL_ID every process declares the door's handlers; only the bot's runs them."""
    vip = {"storage": "memory", "vip_channel_id": -1001}
    off = build_container(settings(tmp_path, **vip)).event_routes()
    on = build_container(settings(tmp_path, **vip, bot_token=TOKEN)).event_routes()
    assert sorted(route.name for route in off.routes) == sorted(ROUTES + DOOR)
    assert sorted(route.name for route in on.routes) == sorted(ROUTES + DOOR)
    assert sorted(s.name for s in off.subscriptions) == sorted(NO_TELEGRAM)
    assert sorted(s.name for s in on.subscriptions) == sorted(ROUTES + DOOR)


def test_readiness_asks_the_bot_only_when_it_is_on(tmp_path: Path) -> None:
    """/readyz checks storage, events and timers; with a bot, also that polling gets updates."""
    off = build_container(settings(tmp_path, storage="memory"))
    assert [check.name for check in off.readiness()][:3] == ["storage", "events", "timers"]
    on = build_container(settings(tmp_path, storage="memory", bot_token=TOKEN))
    checks = on.readiness()
    assert [check.name for check in checks][:4] == ["storage", "events", "timers", "telegram"]
    assert checks[3].check == on.telegram_polling().check_ready


class CountingPlug(ModulePlug[None]):
    """A module that counts how many times the bot asks it what it adds (a fresh router each time)."""

    manifest = ModuleManifest("contador", "Contador")

    def __init__(self) -> None:
        self.asked = 0

    def build(self, kernel: Kernel, modules: BuiltModules) -> None:
        return None

    def bot(self, services: None, kernel: Kernel) -> BotPart:
        self.asked += 1
        return BotPart(routers=[Router(name="contador")])


def test_what_each_module_adds_to_the_bot_is_built_once(tmp_path: Path) -> None:
    """The dispatcher and the polling's command menu share one build of each module's part of the bot."""
    plug = CountingPlug()
    container = build_container(settings(tmp_path, storage="memory", bot_token=TOKEN), plugs=(*MODULES, plug))
    container.telegram_polling()
    container.dispatcher()
    assert plug.asked == 1
