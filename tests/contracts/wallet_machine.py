"""A hypothesis state machine driving the wallet on one backend, compared with a plain model.

Random credits, debits, holds, releases, captures, replayed keys, reused keys and bad amounts; after every
step: balance >= 0, balance == sum of the ledger, balance and held match the model, keys are unique.
"""

from dataclasses import dataclass, field

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from tests.contracts.common import AUCTION_WIN, PURCHASE
from tests.contracts.factory import StorageFactory
from tests.contracts.machines import StorageMachine, run_machine
from yabot_core.kernel import IdempotencyKeyReusedError, SequentialIds, UserId
from yabot_core.wallet import (
    ADMIN_GRANT,
    ESCROW_HOLD,
    MAX_AMOUNT,
    Hold,
    HoldAlreadySettledError,
    HoldNotFoundError,
    HoldStatus,
    InsufficientBesitosError,
    InvalidAmountError,
    LedgerReason,
    WalletService,
)

USERS = st.sampled_from([UserId(1), UserId(2), UserId(3)])
AMOUNTS = st.integers(min_value=1, max_value=60)
KEYS = st.sampled_from([f"k{n}" for n in range(12)])
BAD_AMOUNTS = st.one_of(
    st.integers(max_value=0), st.integers(min_value=MAX_AMOUNT + 1), st.just(True), st.floats(allow_nan=True)
)


@dataclass
class Model:
    """The plain truth the backend must agree with."""

    balances: dict[UserId, int] = field(default_factory=dict)
    keys: dict[str, tuple[UserId, int, LedgerReason]] = field(default_factory=dict)
    holds: dict[str, tuple[UserId, int, HoldStatus]] = field(default_factory=dict)

    def balance(self, user: UserId) -> int:
        return self.balances.get(user, 0)

    def held(self, user: UserId) -> int:
        return sum(a for u, a, s in self.holds.values() if u == user and s is HoldStatus.HELD)


def wallet_machine(factory: StorageFactory) -> type[StorageMachine]:
    """Build the state machine class for backends made by ``factory``."""

    class WalletMachine(StorageMachine):
        holds = Bundle("holds")

        def __init__(self) -> None:
            super().__init__(factory)
            self.wallet = WalletService(
                self.storage.transactions, self.storage.wallet_queries, self.clock, SequentialIds("e")
            )
            self.model = Model()

        # --- movements --------------------------------------------------------------------------------

        def _move(self, user: UserId, amount: int, key: str, reason: LedgerReason) -> None:
            signed = amount if reason == ADMIN_GRANT else -amount
            call = self.wallet.credit if signed > 0 else self.wallet.debit
            known = self.model.keys.get(key)
            if known is not None and known != (user, signed, reason):
                with_error(self, IdempotencyKeyReusedError, call(user, amount, reason, idempotency_key=key))
                return
            if known is None and self.model.balance(user) + signed < 0:
                with_error(self, InsufficientBesitosError, call(user, amount, reason, idempotency_key=key))
                return
            entry = self.runner.run(call(user, amount, reason, idempotency_key=key))
            assert (entry.user_id, entry.amount, entry.reason) == (user, signed, reason)
            if known is None:
                self.model.keys[key] = (user, signed, reason)
                self.model.balances[user] = self.model.balance(user) + signed
            assert entry.balance_after >= 0

        @rule(user=USERS, amount=AMOUNTS, key=KEYS)
        def credit(self, user: UserId, amount: int, key: str) -> None:
            self._move(user, amount, key, ADMIN_GRANT)

        @rule(user=USERS, amount=AMOUNTS, key=KEYS)
        def debit(self, user: UserId, amount: int, key: str) -> None:
            self._move(user, amount, key, PURCHASE)

        @rule(target=holds, user=USERS, amount=AMOUNTS, key=KEYS)
        def hold(self, user: UserId, amount: int, key: str) -> str:
            fingerprint = (user, -amount, ESCROW_HOLD)
            known = self.model.keys.get(key)
            call = self.wallet.hold(user, amount, purpose=AUCTION_WIN, idempotency_key=key)
            if known is not None and known != fingerprint:
                with_error(self, IdempotencyKeyReusedError, call)
                return "missing-hold"
            if known is None and self.model.balance(user) < amount:
                with_error(self, InsufficientBesitosError, call)
                return "missing-hold"
            result: Hold = self.runner.run(call)
            if known is None:
                self.model.keys[key] = fingerprint
                self.model.balances[user] = self.model.balance(user) - amount
                self.model.holds[result.hold_id] = (user, amount, HoldStatus.HELD)
            assert result.status is self.model.holds[result.hold_id][2]
            return result.hold_id

        @rule(hold_id=holds)
        def release(self, hold_id: str) -> None:
            self._settle(hold_id, HoldStatus.RELEASED)

        @rule(hold_id=holds)
        def capture(self, hold_id: str) -> None:
            self._settle(hold_id, HoldStatus.CAPTURED)

        def _settle(self, hold_id: str, target: HoldStatus) -> None:
            call = self.wallet.release if target is HoldStatus.RELEASED else self.wallet.capture
            if hold_id not in self.model.holds:
                with_error(self, HoldNotFoundError, call(hold_id))
                return
            user, amount, status = self.model.holds[hold_id]
            if status not in (HoldStatus.HELD, target):
                with_error(self, HoldAlreadySettledError, call(hold_id))
                return
            result = self.runner.run(call(hold_id))
            assert result.status is target
            if status is HoldStatus.HELD:
                self.model.holds[hold_id] = (user, amount, target)
                if target is HoldStatus.RELEASED:
                    self.model.balances[user] = self.model.balance(user) + amount

        @rule(user=USERS, amount=BAD_AMOUNTS, key=KEYS)
        def bad_amount(self, user: UserId, amount: int, key: str) -> None:
            with_error(
                self,
                InvalidAmountError,
                self.wallet.credit(user, amount, ADMIN_GRANT, idempotency_key=key),
            )

        # --- invariants -------------------------------------------------------------------------------

        @invariant()
        def books_balance(self) -> None:
            for user in (UserId(1), UserId(2), UserId(3)):
                balance = self.runner.run(self.wallet.balance(user))
                page = self.runner.run(self.wallet.statement(user, limit=100)).history
                assert balance.balance >= 0
                assert balance.balance == sum(e.amount for e in page.entries)
                assert balance.balance == self.model.balance(user)
                assert balance.held == self.model.held(user)
                assert page.total == len(page.entries)
                assert len({e.idempotency_key for e in page.entries}) == len(page.entries)

    return WalletMachine


def with_error(machine: RuleBasedStateMachine, error: type[Exception], coro: object) -> None:
    """Run ``coro`` on the machine's loop and require ``error``; the invariants then prove nothing changed."""
    try:
        machine.runner.run(coro)  # type: ignore[attr-defined]
    except error:
        return
    raise AssertionError(f"expected {error.__name__}")


def run_wallet_machine(factory: StorageFactory, *, examples: int, steps: int = 30) -> None:
    """Run the state machine against backends made by ``factory``."""
    run_machine(wallet_machine(factory), examples=examples, steps=steps)
