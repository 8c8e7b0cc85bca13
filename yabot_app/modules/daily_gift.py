"""The daily gift plugged in: its content (streak and surprises), /regalo, paid by the wallet and mochila."""

import random

from yabot_app.content import SHIPPED_DAILY_GIFT
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, Kernel, ModulePlug
from yabot_app.modules.wallet import WalletModule
from yabot_core import daily_gift
from yabot_core.daily_gift import DailyGift, RandomSource


def random_source(seed: int | None) -> RandomSource:
    """The surprise's chance: seeded (``YABOT_DAILY_GIFT_SEED``, repeatable) or from the OS."""
    if seed is None:
        return random.SystemRandom()
    return random.Random(seed)  # noqa: S311  (a repeatable draw on purpose; nothing secret hangs on it)


class DailyGiftPlug(ModulePlug[DailyGift]):
    """One gift a day per fan, in ``YABOT_TIMEZONE``'s calendar."""

    manifest = daily_gift.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> DailyGift:
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
        return DailyGift(
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

    def bot(self, services: DailyGift, kernel: Kernel) -> BotPart:
        """/regalo."""
        from yabot_adapters.telegram.routers import daily_gift as router  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=[router.setup()],
            commands=[BotCommand("regalo", "daily-gift-command-regalo")],
            data={"daily_gift": services},
        )


PLUG = DailyGiftPlug()
