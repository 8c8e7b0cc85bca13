"""An auction whose bid came before a crash closes on time, once, with two `yabot run` processes on one file.

The bid is placed, the process serving then is killed (SIGKILL: nothing of its clean-up runs), and two fresh
processes share the SQLite file when the auction ends: the durable close timer fires in one of them, the
winner pays once, gets the item once and hears it once (counted on the fake Bot API server).
"""

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Final

import pytest

from tests.e2e.process import Served, free_port, yabot_env
from yabot_adapters.storage import opened
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.container import build_container
from yabot_app.modules.auctions import AuctionsModule
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.users import UsersModule
from yabot_app.modules.wallet import WalletModule
from yabot_app.settings import Settings
from yabot_core.auctions import CLOSE_TIMER, AuctionStatus
from yabot_core.kernel import UserId
from yabot_core.users import UserProfile
from yabot_core.wallet import ADMIN_GRANT

pytestmark = pytest.mark.slow

ANA: Final = UserId(900_001)
BEA: Final = UserId(900_002)
KEY: Final = "llave-dorada"
LASTS: Final = timedelta(seconds=30)
"""Long enough for the killed process to come back before the end on a loaded machine (checked, not
assumed): the other one runs throughout."""
GUARD: Final = 240.0
"""Seconds everything may take before it is called a hang (never a speed check)."""
WON: Final = "Ha ganado la subasta"


@pytest.fixture(name="telegram")
async def telegram_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


@pytest.mark.timeout(600)
async def test_a_restart_between_the_bid_and_the_end_closes_once_on_time(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """Killed after the bids, two processes up at the end: one close, one capture, one item, one notice."""
    settings = Settings.model_validate(
        {"storage": "sqlite", "data_dir": str(tmp_path / "data"), "welcome_besitos": 0}
    )
    container = build_container(settings, telegram=False)
    env = yabot_env(
        tmp_path, bot_token=telegram.token, telegram_api_url=telegram.base_url, outbox_poll_interval="0.2"
    )
    processes: list[Served] = []
    first: Served | None = None

    def serve() -> Served:
        served = Served({**env, "YABOT_API_PORT": str(free_port())}, tmp_path)
        processes.append(served)
        return served

    async with opened(container.storage()) as storage:
        container.event_routes()  # what the test commits is owed to the same handlers as in `yabot run`
        try:
            first, steady = serve(), serve()  # `steady` runs throughout; `first` is killed and restarted
            await asyncio.gather(first.start(), steady.start())
            await asyncio.gather(
                *(
                    served.wait_for_output("Bot de Telegram escuchando", timeout=60)
                    for served in (first, steady)
                )
            )
            modules = container.modules()
            wallet = modules.get(WalletModule).wallet
            for fan, name in ((ANA, "Ana"), (BEA, "Bea")):
                await modules.get(UsersModule).directory.register(UserProfile(user_id=fan, first_name=name))
                await wallet.credit(fan, 100, ADMIN_GRANT, idempotency_key=f"e2e-{fan}")
            auctions = modules.get(AuctionsModule).auctions
            ends_at = auctions.now() + LASTS
            auction = await auctions.create(KEY, ends_at=ends_at, minimum_bid=10, increment=5)
            await auctions.bid(auction.auction_id, BEA, 10, request_key="e2e-1")
            await auctions.bid(auction.auction_id, ANA, 40, request_key="e2e-2")
            await first.kill()
            restarted = serve()
            await restarted.start()
            await restarted.wait_for_output("Bot de Telegram escuchando", timeout=60)
            both_up_before_the_end = auctions.now() < ends_at

            deadline = time.monotonic() + GUARD
            while (
                time.monotonic() < deadline
            ):  # closed, and nothing owed any more (a duplicate shows by then)
                closed = await auctions.get(auction.auction_id)
                backlog = dict(await storage.outbox.backlog())
                timers = await storage.timer_store.pending(limit=10, kind=CLOSE_TIMER)
                if closed.status is AuctionStatus.CLOSED and not backlog and not timers:
                    break
                await asyncio.sleep(0.5)
            else:
                pytest.fail(f"not closed and settled after {GUARD} s: {closed.status}, backlog {backlog}")
            ana, bea = await wallet.balance(ANA), await wallet.balance(BEA)
            item = await modules.get(InventoryModule).mochila.item(ANA, KEY)
        finally:
            codes = [await served.stop() for served in processes if served is not first]
            if first is not None and first.returncode is None:
                await first.kill()
    assert codes == [0, 0], [served.printed for served in processes]

    won = [
        call for call in telegram.calls("sendMessage") if call.ok and WON in str(call.params.get("text", ""))
    ]
    assert both_up_before_the_end
    assert closed.winner_id == ANA
    assert closed.settled_at is not None
    assert closed.settled_at >= ends_at
    lateness = (closed.settled_at - ends_at).total_seconds()
    startups = [served.startup_seconds for served in processes]
    print(f"closed {lateness:.2f} s after its end; startups {startups}")  # for reports only
    assert (ana.balance, ana.held, bea.balance, bea.held) == (60, 0, 100, 0)
    assert item.quantity == 1
    assert [call.params["chat_id"] for call in won] == [ANA]
