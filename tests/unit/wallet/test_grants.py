"""Diana's grants: a fan is registered and credited together, or neither happens."""

import pytest

from tests.contracts.common import recorded_events
from tests.unit.wallet.test_wallet import snapshot
from yabot_adapters.memory import InMemoryStorage
from yabot_core.kernel import (
    CorrelationId,
    IdempotencyKeyReusedError,
    InvalidInputError,
    UserId,
    correlation_scope,
)
from yabot_core.users import UserDirectory, UserProfile, UserRegistered, UserSource
from yabot_core.wallet import (
    ADMIN_GRANT,
    BesitosAwarded,
    BesitosGrants,
    InvalidAmountError,
    WalletService,
)

FAN = UserId(31)
OTHER = UserId(32)


@pytest.fixture(name="grants")
def grants_fixture(storage: InMemoryStorage, users: UserDirectory, wallet: WalletService) -> BesitosGrants:
    return BesitosGrants(storage.transactions, users, wallet)


async def nothing_stored(storage: InMemoryStorage) -> bool:
    return (
        storage.states["users"].users == {}
        and await snapshot(storage) == ({}, {}, {}, 0)
        and await recorded_events(storage) == []
    )


class TestGrant:
    async def test_a_stranger_is_registered_and_credited_in_one_commit(
        self, grants: BesitosGrants, storage: InMemoryStorage, users: UserDirectory, wallet: WalletService
    ) -> None:
        """Granting to an unknown id registers them as the operator's and credits Diana's gift, together."""
        with correlation_scope(CorrelationId("cli-1")):
            grant = await grants.grant(FAN, 25, note="Premio del concurso", idempotency_key="g1")
        assert grant.registration.created
        assert (grant.registration.user.user_id, grant.registration.user.source) == (FAN, UserSource.OPERATOR)
        assert (grant.entry.amount, grant.entry.reason, grant.entry.note) == (
            25,
            ADMIN_GRANT,
            "Premio del concurso",
        )
        assert (await users.get(FAN)).source is UserSource.OPERATOR
        assert (await wallet.balance(FAN)).balance == 25
        registered, awarded = await recorded_events(storage)
        assert isinstance(registered, UserRegistered)
        assert isinstance(awarded, BesitosAwarded)
        assert (awarded.user_id, awarded.amount, awarded.balance_after, awarded.note) == (
            FAN,
            25,
            25,
            "Premio del concurso",
        )
        assert registered.correlation_id == awarded.correlation_id == "cli-1"

    async def test_a_known_fan_keeps_their_profile(
        self, grants: BesitosGrants, storage: InMemoryStorage, users: UserDirectory
    ) -> None:
        """Granting to someone who talked to the bot credits them and leaves their Telegram profile alone."""
        await users.register(UserProfile(user_id=FAN, first_name="Marta", username="marta"))
        grant = await grants.grant(FAN, 5, note="Gracias", idempotency_key="g1")
        assert not grant.registration.created
        assert (grant.registration.user.first_name, grant.registration.user.source) == (
            "Marta",
            UserSource.TELEGRAM,
        )
        assert [type(e) for e in await recorded_events(storage)] == [UserRegistered, BesitosAwarded]

    @pytest.mark.parametrize(
        ("amount", "note", "key", "error", "message"),
        [
            (5, "n" * 201, "g", InvalidInputError, "La nota no puede tener más de 200 caracteres."),
            (5, "x", "yabot:mia", InvalidInputError, "reservadas para YABOT"),
            (5, "x", "", InvalidInputError, "La clave de idempotencia debe tener entre 1 y 200 caracteres."),
            (0, "x", "g", InvalidAmountError, "entre 1 y 1.000.000"),
        ],
    )
    async def test_a_refused_credit_registers_nobody(
        self,
        grants: BesitosGrants,
        storage: InMemoryStorage,
        amount: int,
        note: str,
        key: str,
        error: type[Exception],
        message: str,
    ) -> None:
        """A credit refused for its note, key or amount leaves no user, no entry and no event behind."""
        with pytest.raises(error) as caught:
            await grants.grant(FAN, amount, note=note, idempotency_key=key)
        assert message in str(caught.value)
        assert await nothing_stored(storage)

    async def test_a_key_reused_for_another_fan_registers_nobody(
        self, grants: BesitosGrants, storage: InMemoryStorage, users: UserDirectory
    ) -> None:
        """A key already spent on another grant is refused, and the new fan stays unknown."""
        await grants.grant(FAN, 5, note="x", idempotency_key="K")
        before = (await snapshot(storage), len(await recorded_events(storage)))
        with pytest.raises(IdempotencyKeyReusedError):
            await grants.grant(OTHER, 5, note="x", idempotency_key="K")
        assert await storage.user_queries.get(OTHER) is None
        assert (await snapshot(storage), len(await recorded_events(storage))) == before

    @pytest.mark.parametrize("user_id", [0, -3, True, 2**53])
    async def test_a_bad_user_id_is_refused_in_spanish(
        self, grants: BesitosGrants, storage: InMemoryStorage, user_id: int
    ) -> None:
        """Ids that are not positive whole numbers within range are refused before anything is written."""
        with pytest.raises(InvalidInputError) as caught:
            await grants.grant(UserId(user_id), 5, note="x", idempotency_key="g")
        assert caught.value.message == "El id de usuario debe ser un número entero positivo."
        assert await nothing_stored(storage)

    async def test_a_replayed_key_returns_the_first_result(
        self, grants: BesitosGrants, storage: InMemoryStorage, wallet: WalletService
    ) -> None:
        """The same grant sent again (a retried command) credits once and answers with the first entry."""
        first = await grants.grant(FAN, 25, note="Premio", idempotency_key="g1")
        before = (await snapshot(storage), await recorded_events(storage))
        again = await grants.grant(FAN, 25, note="Premio", idempotency_key="g1")
        assert again.entry == first.entry
        assert again.registration.user == first.registration.user
        assert not again.registration.created
        assert (await snapshot(storage), await recorded_events(storage)) == before
        assert (await wallet.balance(FAN)).balance == 25
