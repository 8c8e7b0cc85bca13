"""The daily gift plugged in: its content (streak and surprises), /regalo, Lucien's evening reminders."""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from yabot_app.content import SHIPPED_DAILY_GIFT
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, HandlerSpec, Kernel, ModulePlug
from yabot_app.modules.users import UsersModule
from yabot_app.modules.wallet import WalletModule
from yabot_core import daily_gift
from yabot_core.daily_gift import REMINDER_TIMER, DailyGift, DailyGiftReminders, RandomSource
from yabot_core.kernel import TimerFired, timer_route
from yabot_core.users import UserDirectory


def random_source(seed: int | None) -> RandomSource:
    """The surprise's chance: seeded (``YABOT_DAILY_GIFT_SEED``, repeatable) or from the OS."""
    if seed is None:
        return random.SystemRandom()
    return random.Random(seed)  # noqa: S311  (a repeatable draw on purpose; nothing secret hangs on it)


@dataclass(frozen=True, slots=True)
class DailyGiftModule:
    """The daily gift module's services."""

    gift: DailyGift
    reminders: DailyGiftReminders
    users: UserDirectory


class DailyGiftPlug(ModulePlug[DailyGiftModule]):
    """One gift a day per fan, in ``YABOT_TIMEZONE``'s calendar; an evening reminder for those who ask."""

    manifest = daily_gift.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> DailyGiftModule:
        """The gift over storage, its content (shipped, then the creator's ``content/regalo_diario.yaml``).

        Raises:
            ContentError: the creator's file has problems; every one is listed, in Spanish, and YABOT does
                not start.
        """
        from yabot_adapters.content import load_daily_gift_content  # noqa: PLC0415  (ruamel only when built)

        mochila = modules.get(InventoryModule).mochila
        settings = kernel.settings
        content = load_daily_gift_content(SHIPPED_DAILY_GIFT, settings.content_dir, mochila.catalog)
        storage = kernel.storage
        gift = DailyGift(
            storage.transactions,
            storage.daily_gift_queries,
            modules.get(WalletModule).wallet,
            mochila,
            content,
            clock=kernel.clock,
            ids=kernel.ids,
            random=random_source(settings.daily_gift_seed),
            zone=settings.zone,
        )
        reminders = DailyGiftReminders(
            storage.transactions,
            storage.daily_gift_queries,
            modules.get(LucienModule).lucien,
            clock=kernel.clock,
            zone=settings.zone,
            hour=settings.daily_gift_reminder_hour,
        )
        return DailyGiftModule(gift=gift, reminders=reminders, users=modules.get(UsersModule).directory)

    def handlers(self, services: DailyGiftModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """The evening reminder's timer (it schedules Lucien's message: no Telegram needed here)."""
        yield HandlerSpec(
            TimerFired,
            "daily_gift.remind",
            services.reminders.on_reminder_due,
            route=timer_route(REMINDER_TIMER),
        )

    def bot(self, services: DailyGiftModule, kernel: Kernel) -> BotPart:
        """/regalo and its reminder button."""
        from yabot_adapters.telegram.routers import daily_gift as router  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=[router.setup()],
            commands=[BotCommand("regalo", "daily-gift-command-regalo")],
            data={"daily_gift": services.gift, "daily_gift_reminders": services.reminders},
        )

    def api(self, services: DailyGiftModule) -> Sequence[Any]:
        """``GET /users/{id}/daily-gift``."""
        from yabot_adapters.http.controllers.daily_gift import daily_gift_controller  # noqa: PLC0415

        return [daily_gift_controller(services.gift, services.users)]


PLUG = DailyGiftPlug()
