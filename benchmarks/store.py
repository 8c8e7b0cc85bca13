"""Tienda purchases/s via the Store service: N fans tapping « Sí, comprar » at once for the same item.

Over the shipped catalog (what ``yabot run`` loads): every fan is given the rose's price first (one commit,
not timed), then all buy one rose at once, each purchase one unit of work that debits, fills the mochila
and moves the one sold counter every purchase shares (the hottest row there is). Afterwards the sold count,
every wallet and every mochila must agree, or the figure is worthless.
"""

import asyncio
import itertools
import time
import uuid
from typing import Final

from benchmarks.backends import OpenBackend
from benchmarks.stats import OpsRun
from yabot_adapters.content import load_item_catalog
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_app.content import SHIPPED_ITEMS
from yabot_core.inventory import ItemId, Mochila
from yabot_core.kernel import Clock, UserId
from yabot_core.store import Store
from yabot_core.subscriptions import VipCheck
from yabot_core.wallet import ADMIN_GRANT, WalletService

ROSE: Final = ItemId("rosa-roja")

_runs = itertools.count(1)


class LostPurchaseError(AssertionError):
    """A run ended with counters, wallets or mochilas that disagree: the figure is worthless."""


def _store(storage: StorageBackend, clock: Clock) -> tuple[Store, WalletService, int]:
    catalog = load_item_catalog(SHIPPED_ITEMS, None)
    ids = UuidGenerator()
    wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
    mochila = Mochila(storage.transactions, storage.inventory_queries, catalog, clock, ids)
    vip = VipCheck(storage.subscription_queries, clock)
    store = Store(storage.transactions, storage.store_queries, wallet, mochila, vip, clock=clock, ids=ids)
    return store, wallet, catalog.item(ROSE).price or 0


async def concurrent_purchases(open_backend: OpenBackend, *, users: int) -> OpsRun:
    """On a fresh backend, ``users`` funded fans buy one rose each, all at once; time the purchases.

    Raises:
        LostPurchaseError: the sold count, a wallet or a mochila is not what the purchases imply.
    """
    clock = SystemClock()
    run = f"s{next(_runs)}-{uuid.uuid4().hex[:8]}"
    async with open_backend(clock) as storage:
        store, wallet, price = _store(storage, clock)
        fans = [UserId(n) for n in range(1, users + 1)]

        async def fund(uow: StorageUnitOfWork) -> None:
            for fan in fans:
                await wallet.credit_in(uow, fan, price, ADMIN_GRANT, idempotency_key=f"{run}:fund:{fan}")

        await storage.transactions.run(fund)
        started = time.perf_counter()
        await asyncio.gather(*(store.purchase(fan, ROSE, tap=run) for fan in fans))
        seconds = time.perf_counter() - started
        await _verify(storage, fans)
    return OpsRun(operations=users, seconds=seconds)


async def _verify(storage: StorageBackend, fans: list[UserId]) -> None:
    wrong: list[str] = []
    sold = (await storage.store_queries.sold([ROSE])).get(ROSE, 0)
    if sold != len(fans):
        wrong.append(f"sold {sold}, bought by {len(fans)}")
    for fan in fans:
        balance = (await storage.wallet_queries.balance(fan)).balance
        held = (await storage.inventory_queries.quantities(fan, [ROSE])).get(ROSE, 0)
        if (balance, held) != (0, 1):
            wrong.append(f"user {fan}: {balance} besitos, {held} roses")
    if wrong:
        msg = f"{len(wrong)} disagreements after {len(fans)} purchases: {'; '.join(wrong[:5])}"
        raise LostPurchaseError(msg)
