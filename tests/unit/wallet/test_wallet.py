"""The wallet service's rules: validation, idempotency, escrow, events (over the in-memory backend)."""

import pytest

from tests.contracts.common import AUCTION_WIN, PURCHASE, recorded_events
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import StorageUnitOfWork
from yabot_core.kernel import (
    CorrelationId,
    Event,
    IdempotencyKeyReusedError,
    InvalidInputError,
    UserId,
    correlation_scope,
)
from yabot_core.users import UserDirectory, UserProfile, UserSource
from yabot_core.wallet import (
    ADMIN_GRANT,
    ESCROW_HOLD,
    ESCROW_RELEASE,
    MAX_AMOUNT,
    MAX_HISTORY_OFFSET,
    BesitosAwarded,
    BesitosHeld,
    BesitosReleased,
    BesitosSpent,
    HoldAlreadySettledError,
    HoldNotFoundError,
    HoldStatus,
    InsufficientBesitos,
    InsufficientBesitosError,
    InvalidAmountError,
    LedgerReason,
    WalletService,
)

ANA = UserId(11)
LUIS = UserId(12)


DAILY_GIFT = LedgerReason.define("daily_gift", "Regalo diario")


async def events(storage: InMemoryStorage) -> list[Event]:
    return await recorded_events(storage)


async def snapshot(storage: InMemoryStorage) -> tuple[object, ...]:
    state = storage.states["wallets"]
    return (
        dict(state.wallets),
        {k: list(v) for k, v in state.entries.items()},
        dict(state.holds),
        len(storage.states["dead_letters"].records),
    )


class TestCreditAndDebit:
    async def test_credit_adds_and_records_an_entry(self, wallet: WalletService) -> None:
        """A credit raises the balance and leaves a ledger entry with reason, key and balance after."""
        entry = await wallet.credit(ANA, 25, ADMIN_GRANT, idempotency_key="k1", note="  Premio  ")
        assert (entry.amount, entry.balance_after, entry.sequence) == (25, 25, 1)
        assert (entry.reason, entry.idempotency_key, entry.note) == (ADMIN_GRANT, "k1", "Premio")
        assert (await wallet.balance(ANA)).balance == 25

    async def test_debit_takes_and_refuses_overdrafts(
        self, wallet: WalletService, storage: InMemoryStorage
    ) -> None:
        """A debit lowers the balance; one larger than the balance raises and changes nothing."""
        await wallet.credit(ANA, 10, ADMIN_GRANT, idempotency_key="c")
        entry = await wallet.debit(ANA, 4, PURCHASE, idempotency_key="d1")
        assert (entry.amount, entry.balance_after) == (-4, 6)
        before = await snapshot(storage)
        with pytest.raises(InsufficientBesitosError) as caught:
            await wallet.debit(ANA, 7, PURCHASE, idempotency_key="d2")
        assert caught.value.code == "saldo_insuficiente"
        assert "6" in caught.value.message
        assert "7" in caught.value.message
        assert caught.value.detail == {"balance": 6, "requested": 7}
        assert await snapshot(storage) == before

    def test_insufficient_besitos_is_the_domain_name(self) -> None:
        """``InsufficientBesitos`` is the same error under the domain's own name."""
        assert InsufficientBesitos is InsufficientBesitosError

    async def test_a_replayed_key_changes_nothing_and_returns_the_first_result(
        self, wallet: WalletService, storage: InMemoryStorage
    ) -> None:
        """Applying the same idempotency key twice is exactly-once: same entry, same balance, one event."""
        first = await wallet.credit(ANA, 5, ADMIN_GRANT, idempotency_key="same", note="uno")
        before = await snapshot(storage)
        again = await wallet.credit(ANA, 5, ADMIN_GRANT, idempotency_key="same", note="otra nota")
        assert again == first
        assert await snapshot(storage) == before

    @pytest.mark.parametrize(
        ("user", "amount", "reason"),
        [
            (ANA, 6, ADMIN_GRANT),
            (LUIS, 5, ADMIN_GRANT),
            (ANA, 5, DAILY_GIFT),
        ],
    )
    async def test_a_key_reused_for_another_movement_is_refused(
        self, wallet: WalletService, storage: InMemoryStorage, user: UserId, amount: int, reason: LedgerReason
    ) -> None:
        """A key sent again with another user, amount or reason is a caller's bug: refused, no change."""
        await wallet.credit(ANA, 5, ADMIN_GRANT, idempotency_key="k")
        before = await snapshot(storage)
        with pytest.raises(IdempotencyKeyReusedError):
            await wallet.credit(user, amount, reason, idempotency_key="k")
        assert await snapshot(storage) == before

    @pytest.mark.parametrize("amount", [0, -1, MAX_AMOUNT + 1, True, 1.5, "3", None])
    async def test_amounts_must_be_positive_whole_numbers(
        self, wallet: WalletService, storage: InMemoryStorage, amount: object
    ) -> None:
        """Zero, negatives, huge amounts, booleans, floats and strings are refused; nothing changes."""
        for call in (wallet.credit, wallet.debit):
            with pytest.raises(InvalidAmountError) as caught:
                await call(ANA, amount, ADMIN_GRANT, idempotency_key="k")  # type: ignore[arg-type]
            assert caught.value.code == "monto_invalido"
            assert "besitos" in caught.value.message
        assert await snapshot(storage) == ({}, {}, {}, 0)

    @pytest.mark.parametrize(
        ("user", "key", "note", "reason"),
        [
            (0, "k", None, ADMIN_GRANT),
            (-5, "k", None, ADMIN_GRANT),
            (True, "k", None, ADMIN_GRANT),
            (ANA, "", None, ADMIN_GRANT),
            (ANA, "   ", None, ADMIN_GRANT),
            (ANA, "k" * 201, None, ADMIN_GRANT),
            (ANA, "k", "n" * 201, ADMIN_GRANT),
            (ANA, "k", None, "admin_grant"),
            (ANA, "k", None, ESCROW_HOLD),
            (ANA, "k", None, ESCROW_RELEASE),
        ],
    )
    async def test_bad_input_is_refused(
        self,
        wallet: WalletService,
        storage: InMemoryStorage,
        user: int,
        key: str,
        note: str | None,
        reason: object,
    ) -> None:
        """Bad user ids, keys, notes and reasons (escrow ones are reserved) are refused; nothing changes."""
        with pytest.raises(InvalidInputError) as caught:
            await wallet.credit(user, 1, reason, idempotency_key=key, note=note)  # type: ignore[arg-type]
        assert caught.value.message
        assert await snapshot(storage) == ({}, {}, {}, 0)

    async def test_events_carry_the_movement_and_the_correlation(
        self, wallet: WalletService, storage: InMemoryStorage
    ) -> None:
        """Credits publish BesitosAwarded and debits BesitosSpent, with the caller's correlation id."""
        with correlation_scope(CorrelationId("tg-1")):
            credit = await wallet.credit(ANA, 9, ADMIN_GRANT, idempotency_key="c", note="hola")
            debit = await wallet.debit(ANA, 2, PURCHASE, idempotency_key="d")
        awarded, spent = await events(storage)
        assert isinstance(awarded, BesitosAwarded)
        assert isinstance(spent, BesitosSpent)
        assert (awarded.user_id, awarded.amount, awarded.balance_after, awarded.entry_id) == (
            ANA,
            9,
            9,
            credit.entry_id,
        )
        assert awarded.note == "hola"
        assert (spent.amount, spent.balance_after, spent.reason, spent.entry_id) == (
            2,
            7,
            PURCHASE,
            debit.entry_id,
        )
        assert awarded.correlation_id == spent.correlation_id == credit.correlation_id == "tg-1"


class TestEscrow:
    async def test_hold_sets_besitos_aside(self, wallet: WalletService, storage: InMemoryStorage) -> None:
        """A hold takes besitos out of the spendable balance into ``held`` and publishes BesitosHeld."""
        await wallet.credit(ANA, 50, ADMIN_GRANT, idempotency_key="c")
        hold = await wallet.hold(ANA, 20, purpose=AUCTION_WIN, idempotency_key="h", reference="subasta:1")
        assert (hold.amount, hold.status, hold.reference) == (20, HoldStatus.HELD, "subasta:1")
        balance = await wallet.balance(ANA)
        assert (balance.balance, balance.held) == (30, 20)
        held = (await events(storage))[-1]
        assert isinstance(held, BesitosHeld)
        assert (held.hold_id, held.amount, held.balance_after) == (hold.hold_id, 20, 30)

    async def test_a_hold_needs_the_besitos(self, wallet: WalletService, storage: InMemoryStorage) -> None:
        """Holding more than the balance raises InsufficientBesitosError and changes nothing."""
        await wallet.credit(ANA, 5, ADMIN_GRANT, idempotency_key="c")
        before = await snapshot(storage)
        with pytest.raises(InsufficientBesitosError):
            await wallet.hold(ANA, 6, purpose=AUCTION_WIN, idempotency_key="h")
        assert await snapshot(storage) == before

    async def test_release_gives_back_once(self, wallet: WalletService, storage: InMemoryStorage) -> None:
        """Releasing refunds the hold with a ledger entry; releasing again changes nothing."""
        await wallet.credit(ANA, 50, ADMIN_GRANT, idempotency_key="c")
        hold = await wallet.hold(ANA, 20, purpose=AUCTION_WIN, idempotency_key="h")
        released = await wallet.release(hold.hold_id)
        before = await snapshot(storage)
        assert await wallet.release(hold.hold_id) == released
        assert await snapshot(storage) == before
        assert released.status is HoldStatus.RELEASED
        balance = await wallet.balance(ANA)
        assert (balance.balance, balance.held) == (50, 0)
        last = (await events(storage))[-1]
        assert isinstance(last, BesitosReleased)
        assert (last.amount, last.balance_after) == (20, 50)
        history = (await wallet.statement(ANA)).history
        assert [e.reason for e in history.entries] == [
            ESCROW_RELEASE,
            ESCROW_HOLD,
            ADMIN_GRANT,
        ]
        assert history.entries[0].hold_id == hold.hold_id

    async def test_capture_spends_once(self, wallet: WalletService, storage: InMemoryStorage) -> None:
        """Capturing spends the hold for its purpose, posting no entry; capturing again changes nothing."""
        await wallet.credit(ANA, 50, ADMIN_GRANT, idempotency_key="c")
        hold = await wallet.hold(ANA, 20, purpose=AUCTION_WIN, idempotency_key="h")
        captured = await wallet.capture(hold.hold_id)
        before = await snapshot(storage)
        assert await wallet.capture(hold.hold_id) == captured
        assert await snapshot(storage) == before
        balance = await wallet.balance(ANA)
        assert (balance.balance, balance.held) == (30, 0)
        spent = (await events(storage))[-1]
        assert isinstance(spent, BesitosSpent)
        assert (spent.reason, spent.amount, spent.entry_id) == (AUCTION_WIN, 20, hold.hold_id)
        assert ((await wallet.statement(ANA)).history).total == 2

    async def test_a_settled_hold_cannot_be_settled_the_other_way(self, wallet: WalletService) -> None:
        """A released hold cannot be captured, nor a captured one released."""
        await wallet.credit(ANA, 50, ADMIN_GRANT, idempotency_key="c")
        a = await wallet.hold(ANA, 10, purpose=AUCTION_WIN, idempotency_key="a")
        b = await wallet.hold(ANA, 10, purpose=AUCTION_WIN, idempotency_key="b")
        await wallet.release(a.hold_id)
        await wallet.capture(b.hold_id)
        with pytest.raises(HoldAlreadySettledError, match="liberada"):
            await wallet.capture(a.hold_id)
        with pytest.raises(HoldAlreadySettledError, match="cobrada"):
            await wallet.release(b.hold_id)

    async def test_unknown_holds_are_not_found(self, wallet: WalletService) -> None:
        """Releasing or capturing a hold that does not exist is a Spanish not-found error."""
        with pytest.raises(HoldNotFoundError, match="reserva"):
            await wallet.release("nope")
        with pytest.raises(HoldNotFoundError):
            await wallet.capture("nope")

    async def test_a_replayed_hold_key_returns_the_same_hold(self, wallet: WalletService) -> None:
        """Holding twice with one key sets besitos aside once."""
        await wallet.credit(ANA, 50, ADMIN_GRANT, idempotency_key="c")
        first = await wallet.hold(ANA, 10, purpose=AUCTION_WIN, idempotency_key="h")
        again = await wallet.hold(ANA, 10, purpose=AUCTION_WIN, idempotency_key="h")
        assert again == first
        assert (await wallet.balance(ANA)).held == 10

    async def test_a_hold_cannot_be_for_escrow(self, wallet: WalletService) -> None:
        """A hold's purpose is what it pays for; escrow reasons make no sense there."""
        with pytest.raises(InvalidInputError):
            await wallet.hold(ANA, 1, purpose=ESCROW_HOLD, idempotency_key="h")


class TestQueries:
    async def test_history_pages_are_validated(self, wallet: WalletService) -> None:
        """A page size outside 1..100, or an offset outside 0..MAX_HISTORY_OFFSET, is refused in Spanish."""
        for limit, offset in ((0, 0), (101, 0), (10, -1), (10, MAX_HISTORY_OFFSET + 1), (10, 2**63)):
            with pytest.raises(InvalidInputError):
                await wallet.statement(ANA, limit=limit, offset=offset)

    async def test_a_stranger_has_nothing(self, wallet: WalletService) -> None:
        """A user who never had besitos has a zero balance and an empty history."""
        balance = await wallet.balance(ANA)
        assert (balance.balance, balance.held) == (0, 0)
        assert ((await wallet.statement(ANA)).history).total == 0


class TestReservedKeys:
    @pytest.mark.parametrize("key", ["yabot:release:x", "yabot:welcome:11", "yabot:"])
    async def test_callers_cannot_use_the_reserved_prefix(
        self, wallet: WalletService, storage: InMemoryStorage, key: str
    ) -> None:
        """Keys starting with ``yabot:`` belong to YABOT's own movements: refused to callers, no change."""
        with pytest.raises(InvalidInputError, match="reservadas"):
            await wallet.credit(ANA, 5, ADMIN_GRANT, idempotency_key=key)
        assert await snapshot(storage) == ({}, {}, {}, 0)

    async def test_no_caller_key_can_block_a_release(self, wallet: WalletService) -> None:
        """Whatever keys callers used before, releasing a hold still works (its key is reserved)."""
        await wallet.credit(ANA, 50, ADMIN_GRANT, idempotency_key="c")
        hold = await wallet.hold(ANA, 40, purpose=AUCTION_WIN, idempotency_key="h")
        await wallet.credit(ANA, 1, ADMIN_GRANT, idempotency_key=f"release:{hold.hold_id}")
        released = await wallet.release(hold.hold_id)
        assert released.status is HoldStatus.RELEASED
        assert (await wallet.balance(ANA)).balance == 51

    async def test_user_ids_beyond_what_storage_and_json_hold_are_refused(
        self, wallet: WalletService
    ) -> None:
        """Ids above 2**53 - 1 are refused as input errors, not left to overflow in a driver."""
        with pytest.raises(InvalidInputError):
            await wallet.credit(UserId(2**53), 1, ADMIN_GRANT, idempotency_key="k")
        with pytest.raises(InvalidInputError):
            await wallet.balance(UserId(2**64))


class TestAtomicWithOtherModules:
    async def test_credit_in_commits_or_rolls_back_with_the_callers_work(
        self, wallet: WalletService, users: UserDirectory, storage: InMemoryStorage
    ) -> None:
        """A registration and a credit in one unit of work: a refused credit undoes the registration too."""

        async def grant(uow: StorageUnitOfWork, note: str) -> None:
            await users.register_in(uow, UserProfile(user_id=LUIS), source=UserSource.OPERATOR)
            await wallet.credit_in(uow, LUIS, 5, ADMIN_GRANT, idempotency_key="g", note=note)

        with pytest.raises(InvalidInputError):
            await storage.transactions.run(lambda uow: grant(uow, "n" * 201))
        assert await storage.user_queries.get(LUIS) is None
        assert await events(storage) == []
        await storage.transactions.run(lambda uow: grant(uow, "bien"))
        assert (await users.get(LUIS)).source is UserSource.OPERATOR
        assert (await wallet.balance(LUIS)).balance == 5
