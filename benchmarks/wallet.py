"""Wallet ops/s via WalletService: N users at once (asyncio.gather) or 1 in sequence; balances checked."""

import asyncio
import itertools
import time
import uuid
from collections.abc import Sequence

from benchmarks.backends import OpenBackend
from benchmarks.stats import OpsRun
from yabot_adapters.storage import StorageBackend
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_core.kernel import Clock, UserId
from yabot_core.wallet import ADMIN_DEDUCTION, ADMIN_GRANT, WalletService

FULL_SEQUENCE: tuple[int, ...] = (10, -3, 5, -2)
"""What each user does, in order: positive credits, negative debits (ends at 10 besitos)."""

SHORT_SEQUENCE: tuple[int, ...] = (10, -3)
"""The shorter sequence for slow backends (ends at 7 besitos)."""

_runs = itertools.count(1)


class LostMoneyError(AssertionError):
    """A run ended with balances or ledgers other than the operations imply: the figure is worthless."""


def _service(storage: StorageBackend, clock: Clock) -> WalletService:
    return WalletService(storage.transactions, storage.wallet_queries, clock, UuidGenerator())


async def apply(wallet: WalletService, user: UserId, amount: int, key: str) -> None:
    """Credit ``amount`` besitos when positive, else debit its opposite (as Diana's grant or deduction)."""
    if amount > 0:
        await wallet.credit(user, amount, ADMIN_GRANT, idempotency_key=key)
    else:
        await wallet.debit(user, -amount, ADMIN_DEDUCTION, idempotency_key=key)


async def concurrent_users(open_backend: OpenBackend, *, users: int, sequence: Sequence[int]) -> OpsRun:
    """On a fresh backend, start ``users`` users at once, each running ``sequence``; time them all.

    Raises:
        LostMoneyError: some balance or ledger is not what the operations imply.
    """
    clock = SystemClock()
    run = f"r{next(_runs)}-{uuid.uuid4().hex[:8]}"
    async with open_backend(clock) as storage:
        wallet = _service(storage, clock)

        async def one_user(user: UserId) -> None:
            for step, amount in enumerate(sequence):
                await apply(wallet, user, amount, f"{run}:{user}:{step}")

        ids = [UserId(n) for n in range(1, users + 1)]
        started = time.perf_counter()
        await asyncio.gather(*(one_user(user) for user in ids))
        seconds = time.perf_counter() - started
        await verify(wallet, ids, balance=sum(sequence), entries=len(sequence))
    return OpsRun(operations=users * len(sequence), seconds=seconds)


async def sequential_user(open_backend: OpenBackend, *, seconds: float) -> OpsRun:
    """On a fresh backend, one user alternates credit 10 / debit 3 for about ``seconds``, one at a time.

    Raises:
        LostMoneyError: the balance or the ledger is not what the operations imply.
    """
    clock = SystemClock()
    run = f"s{next(_runs)}-{uuid.uuid4().hex[:8]}"
    user = UserId(1)
    async with open_backend(clock) as storage:
        wallet = _service(storage, clock)
        operations = 0
        balance = 0
        started = time.perf_counter()
        deadline = started + seconds
        while True:
            amount = 10 if operations % 2 == 0 else -3
            await apply(wallet, user, amount, f"{run}:{operations}")
            operations += 1
            balance += amount
            now = time.perf_counter()
            if now >= deadline:
                break
        elapsed = now - started
        await verify(wallet, [user], balance=balance, entries=operations)
    return OpsRun(operations=operations, seconds=elapsed)


async def verify(wallet: WalletService, users: Sequence[UserId], *, balance: int, entries: int) -> None:
    """Raise :class:`LostMoneyError` unless each user has ``balance``, nothing held, ``entries`` entries."""
    wrong: list[str] = []
    for user in users:
        statement = await wallet.statement(user, limit=1)
        found, total = statement.balance, statement.history.total
        if found.balance != balance or found.held != 0 or total != entries:
            wrong.append(f"user {user}: balance {found.balance}, held {found.held}, {total} entries")
    if wrong:
        shown = "; ".join(wrong[:5])
        msg = (
            f"{len(wrong)} of {len(users)} wallets are wrong (expected balance {balance}, "
            f"{entries} entries each): {shown}"
        )
        raise LostMoneyError(msg)
