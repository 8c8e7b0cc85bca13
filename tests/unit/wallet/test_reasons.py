"""Ledger reasons: each module defines its own; stored codes outlive the module that defined them."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from tests.contracts.common import recorded_events
from tests.unit.wallet.test_wallet import ANA, snapshot
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import StorageUnitOfWork
from yabot_core.kernel import InvalidInputError
from yabot_core.wallet import (
    ADMIN_GRANT,
    ESCROW_HOLD,
    ESCROW_RELEASE,
    BesitosAwarded,
    LedgerEntry,
    LedgerReason,
    WalletService,
)

TIP = LedgerReason.define("test_reasons_tip", "Propina de prueba")
DEPOSIT = LedgerReason.define("test_reasons_deposit", "Depósito de prueba", escrow=True)
RETIRED = "test_reasons_retired"
"""A code no module defines (as if the module that paid with it had been removed)."""


def entry_with(reason: str) -> dict[str, object]:
    return {
        "entry_id": "e-1",
        "user_id": ANA,
        "sequence": 1,
        "amount": 7,
        "reason": reason,
        "idempotency_key": "k-1",
        "correlation_id": "corr",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "balance_after": 7,
    }


class TestDefinition:
    def test_a_defined_reason_is_its_code_with_a_label(self) -> None:
        """``define`` returns a reason that equals its code (what is stored) and carries its Spanish label."""
        assert isinstance(TIP, LedgerReason)
        assert TIP == "test_reasons_tip"
        assert (TIP.label, TIP.is_defined, TIP.is_escrow) == ("Propina de prueba", True, False)

    def test_any_reason_with_that_code_shares_the_definition(self) -> None:
        """The registry is by code: a reason rebuilt from a stored code knows its label and kind."""
        assert LedgerReason("test_reasons_tip").label == "Propina de prueba"
        assert LedgerReason("test_reasons_deposit").is_escrow
        assert LedgerReason("admin_grant") == ADMIN_GRANT
        assert ADMIN_GRANT.label == "Regalo de Diana"

    def test_the_wallets_own_escrow_reasons_are_escrow(self) -> None:
        """Hold and release are the only escrow reasons the wallet defines; a grant is not one."""
        assert ESCROW_HOLD.is_escrow
        assert ESCROW_RELEASE.is_escrow
        assert not ADMIN_GRANT.is_escrow

    def test_defining_the_same_reason_again_is_a_no_op(self) -> None:
        """A module imported twice (or two modules agreeing) may define a reason again, identically."""
        again = LedgerReason.define("test_reasons_tip", "Propina de prueba")
        assert again == TIP
        assert again.label == "Propina de prueba"
        assert LedgerReason.define("test_reasons_deposit", "Depósito de prueba", escrow=True).is_escrow

    def test_redefining_with_another_label_is_refused(self) -> None:
        """Two modules cannot claim one code with different meanings; the first label stays."""
        with pytest.raises(ValueError, match="already defined as 'Propina de prueba'"):
            LedgerReason.define("test_reasons_tip", "Otra cosa")
        assert TIP.label == "Propina de prueba"

    def test_redefining_as_another_kind_is_refused(self) -> None:
        """A reason cannot turn into an escrow reason (or stop being one) by being defined again."""
        with pytest.raises(ValueError, match="already defined"):
            LedgerReason.define("test_reasons_tip", "Propina de prueba", escrow=True)
        with pytest.raises(ValueError, match="already defined"):
            LedgerReason.define("test_reasons_deposit", "Depósito de prueba")
        assert not TIP.is_escrow
        assert DEPOSIT.is_escrow

    @pytest.mark.parametrize("code", ["", "Tip", "9lives", "_tip", "tip-jar", "propina ", "ñapa", "a" * 41])
    def test_malformed_codes_are_refused(self, code: str) -> None:
        """A code is a lowercase letter then up to 39 lowercase letters, digits or underscores."""
        with pytest.raises(ValueError, match="lowercase letters"):
            LedgerReason.define(code, "Algo")
        assert not LedgerReason(code).is_defined


class TestStoredReasons:
    def test_an_entry_under_an_undefined_reason_still_loads(self) -> None:
        """An entry whose reason no module defines any more loads, labelled with its code."""
        entry = LedgerEntry.model_validate(entry_with(RETIRED))
        assert isinstance(entry.reason, LedgerReason)
        assert (entry.reason, entry.reason.label, entry.reason.is_defined) == (RETIRED, RETIRED, False)
        again = LedgerEntry.model_validate_json(entry.model_dump_json())
        assert again == entry
        assert again.reason.label == RETIRED

    def test_a_stored_defined_reason_loads_with_its_label(self) -> None:
        """A stored code that a module defines comes back as that reason, label included."""
        entry = LedgerEntry.model_validate_json(LedgerEntry.model_validate(entry_with(TIP)).model_dump_json())
        assert (entry.reason, entry.reason.label) == (TIP, "Propina de prueba")

    @pytest.mark.parametrize("stored", ["Mal Motivo", "", "a" * 41])
    def test_a_malformed_stored_code_is_not_a_reason(self, stored: str) -> None:
        """Only well-formed codes load as reasons: a corrupt value is a validation error, not a label."""
        with pytest.raises(ValidationError):
            LedgerEntry.model_validate(entry_with(stored))

    async def test_history_shows_an_undefined_reason_by_its_code(
        self, wallet: WalletService, storage: InMemoryStorage
    ) -> None:
        """A ledger holding an entry of a removed module still reads, its reason shown as the code."""
        stored = LedgerEntry.model_validate(entry_with(RETIRED))

        async def old_data(uow: StorageUnitOfWork) -> None:
            await uow.wallets.append(stored)

        await storage.transactions.run(old_data)
        await wallet.credit(ANA, 3, TIP, idempotency_key="k-2")
        statement = await wallet.statement(ANA)
        assert statement.balance.balance == 10
        assert [(e.reason, e.reason.label) for e in statement.history.entries] == [
            (TIP, "Propina de prueba"),
            (RETIRED, RETIRED),
        ]


class TestPosting:
    async def test_posting_with_an_undefined_reason_is_refused_in_spanish(
        self, wallet: WalletService, storage: InMemoryStorage
    ) -> None:
        """Only defined reasons post new entries: an undefined one is an input error and changes nothing."""
        for call in (wallet.credit, wallet.debit):
            with pytest.raises(InvalidInputError) as caught:
                await call(ANA, 5, LedgerReason(RETIRED), idempotency_key="k")
            assert caught.value.code == "entrada_invalida"
            assert caught.value.message == "El motivo del movimiento no es válido."
        assert await snapshot(storage) == ({}, {}, {}, 0)

    async def test_a_hold_for_an_undefined_purpose_is_refused_in_spanish(
        self, wallet: WalletService, storage: InMemoryStorage
    ) -> None:
        """A hold pays for its purpose when captured, so that purpose must be a defined reason too."""
        await wallet.credit(ANA, 10, TIP, idempotency_key="c")
        before = await snapshot(storage)
        for purpose in (LedgerReason(RETIRED), "test_reasons_tip"):
            with pytest.raises(InvalidInputError) as caught:
                await wallet.hold(ANA, 5, purpose=purpose, idempotency_key="h")  # type: ignore[arg-type]
            assert caught.value.message == "El propósito de la reserva no es válido."
        assert await snapshot(storage) == before

    async def test_a_defined_reason_of_any_module_posts_and_reaches_the_event(
        self, wallet: WalletService, storage: InMemoryStorage
    ) -> None:
        """A module's own reason posts like the wallet's, and its event carries it through the outbox."""
        entry = await wallet.credit(ANA, 4, TIP, idempotency_key="k")
        assert (entry.reason, entry.reason.label) == (TIP, "Propina de prueba")
        (event,) = await recorded_events(storage)
        assert isinstance(event, BesitosAwarded)
        assert (event.reason, event.reason.label) == (TIP, "Propina de prueba")
