"""The product's own composition for one run: ``build_container`` on memory or a fresh SQLite file.

The /saldo and HTTP scenarios measure what YABOT serves, so they take its dispatcher and its HTTP app from
the container, as ``yabot run`` does (and as tests/integration/telegram_world.py does for the tests).
"""

import asyncio
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Literal

from benchmarks.wallet import apply
from yabot_adapters.storage import opened
from yabot_app.container import Container, build_container
from yabot_app.modules.users import UsersModule
from yabot_app.modules.wallet import WalletModule
from yabot_app.settings import Settings
from yabot_core.kernel import UserId
from yabot_core.users import UserProfile

ProductStorage = Literal["memory", "sqlite FULL"]
PRODUCT_STORAGES: tuple[ProductStorage, ...] = ("memory", "sqlite FULL")

FIRST_NAME = "Ana"
LEDGER = (10, 25, -7, 5, -3, 40, -12)
"""Each prepared user's ledger: credits and debits, more than /saldo shows (it shows the latest five)."""

BALANCE = sum(LEDGER)


@asynccontextmanager
async def product(storage: ProductStorage, **values: object) -> AsyncIterator[Container]:
    """A container over ``storage`` (a new SQLite file in a temporary directory), its storage open.

    ``values`` are further settings (the fake Bot API's token and URL, say). The settings are given
    whole, never read from the environment or a ``.env`` file, so the machine's own YABOT settings never
    leak into a run. The event bus is not started: neither /saldo nor the besitos route publishes events.
    """
    with tempfile.TemporaryDirectory(prefix="yabot-bench-app-") as root:
        settings = Settings.model_validate(
            {
                "storage": "memory" if storage == "memory" else "sqlite",
                "sqlite_synchronous": "FULL",
                "data_dir": root,
                "timezone": "UTC",
                # One fan asks /saldo as fast as the machine allows: the per-user throttle would answer
                # most of them with a warning, which is not what this measures.
                "telegram_user_rate": 0,
                **values,
            }
        )
        container = build_container(settings)
        async with opened(container.storage()):
            yield container


async def prepare_users(container: Container, users: Sequence[UserId]) -> None:
    """Register ``users`` through the product's services, each with the movements of :data:`LEDGER`."""
    modules = container.modules()
    directory = modules.get(UsersModule).directory
    wallet = modules.get(WalletModule).wallet

    async def one(user: UserId) -> None:
        await directory.register(UserProfile(user_id=user, first_name=FIRST_NAME, language_code="es"))
        for step, amount in enumerate(LEDGER):
            await apply(wallet, user, amount, f"bench-ledger-{user}-{step}")

    await asyncio.gather(*(one(user) for user in users))
