"""Mochila ops/s via the Mochila service: N fans at once, each gathering, combining and using items.

Each fan runs :data:`JOURNEY` in order over the shipped catalog (what ``yabot run`` loads), every step its
own unit of work with its own idempotency key; afterwards every mochila must hold exactly :data:`HOLDS`.
"""

import asyncio
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Final

from benchmarks.backends import OpenBackend
from benchmarks.stats import OpsRun
from yabot_adapters.content import load_item_catalog
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_app.content import SHIPPED_ITEMS
from yabot_core.inventory import ADMIN_GRANT, Mochila
from yabot_core.kernel import UserId

LEFT: Final = "carta-rota-izquierda"
RIGHT: Final = "carta-rota-derecha"
LETTER: Final = "carta-de-diana"
ROSE: Final = "rosa-roja"

Step = Callable[[Mochila, UserId, str], Awaitable[object]]

JOURNEY: Final[tuple[tuple[str, Step], ...]] = (
    ("add a pista", lambda m, user, key: m.add(user, LEFT, reason=ADMIN_GRANT, idempotency_key=key)),
    ("add its other half", lambda m, user, key: m.add(user, RIGHT, reason=ADMIN_GRANT, idempotency_key=key)),
    ("combine them", lambda m, user, key: m.combine(user, LEFT, RIGHT, idempotency_key=key)),
    ("add 2 roses", lambda m, user, key: m.add(user, ROSE, 2, reason=ADMIN_GRANT, idempotency_key=key)),
    ("use a rose", lambda m, user, key: m.use(user, ROSE, idempotency_key=key)),
)
"""What each fan does, in order (the names are for the report)."""

HOLDS: Final = {LETTER: 1, ROSE: 1}
"""What every mochila holds after the journey."""

_runs = itertools.count(1)


class LostItemsError(AssertionError):
    """A run ended with mochilas other than the operations imply: the figure is worthless."""


async def concurrent_users(open_backend: OpenBackend, *, users: int) -> OpsRun:
    """On a fresh backend, start ``users`` fans at once, each running :data:`JOURNEY`; time them all.

    Raises:
        LostItemsError: some mochila does not hold what the journey leaves.
    """
    clock = SystemClock()
    run = f"i{next(_runs)}-{uuid.uuid4().hex[:8]}"
    catalog = load_item_catalog(SHIPPED_ITEMS, None)
    async with open_backend(clock) as storage:
        mochila = Mochila(storage.transactions, storage.inventory_queries, catalog, clock, UuidGenerator())

        async def one_fan(user: UserId) -> None:
            for step, (_, operation) in enumerate(JOURNEY):
                await operation(mochila, user, f"{run}:{user}:{step}")

        ids = [UserId(n) for n in range(1, users + 1)]
        started = time.perf_counter()
        await asyncio.gather(*(one_fan(user) for user in ids))
        seconds = time.perf_counter() - started
        await verify(mochila, ids)
    return OpsRun(operations=users * len(JOURNEY), seconds=seconds)


async def verify(mochila: Mochila, users: list[UserId]) -> None:
    """Raise :class:`LostItemsError` unless every fan's mochila holds exactly :data:`HOLDS`."""
    wrong: list[str] = []
    for user in users:
        view = await mochila.inventory(user, limit=len(HOLDS) + 1)
        held = {item.item_id: item.quantity for item in view.items}
        if held != HOLDS:
            wrong.append(f"user {user}: {held}")
    if wrong:
        msg = f"{len(wrong)} of {len(users)} mochilas are wrong (expected {HOLDS}): {'; '.join(wrong[:5])}"
        raise LostItemsError(msg)
