"""The API keys module's storage on every backend."""

import hashlib
from datetime import datetime, timedelta

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import OPERATOR, BoomError, api_keys_over
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.apikeys import ADMIN, USERS_READ, ApiKey, RevokedKeyError
from yabot_core.kernel import FakeClock, SequentialIds


def make_key(
    number: int,
    created_at: datetime,
    *,
    name: str = "servicio",
    scopes: tuple[str, ...] = (USERS_READ,),
    revoked_at: datetime | None = None,
) -> ApiKey:
    """A key with id ``number`` (as 16 hex digits) and the hash of a secret made from it."""
    return ApiKey(
        key_id=f"{number:016x}",
        name=name,
        scopes=scopes,
        secret_hash=hashlib.sha256(f"secreto-{number}".encode()).hexdigest(),
        created_at=created_at,
        revoked_at=revoked_at,
    )


async def save(storage: StorageBackend, *keys: ApiKey) -> None:
    """Save ``keys`` in one unit of work."""

    async def work(uow: StorageUnitOfWork) -> None:
        for key in keys:
            await uow.api_keys.save(key)

    await storage.transactions.run(work)


class ApiKeysContract(ContractBase):
    """Keys are stored whole by id; every read of the queries is of committed storage."""

    async def test_a_key_keeps_every_field(self, storage: StorageBackend, clock: FakeClock) -> None:
        """Name, scopes, hash and both instants come back equal, the instants timezone-aware."""
        created = clock.now() + timedelta(milliseconds=250)
        key = make_key(
            1,
            created,
            name="Panel de la creadora ñ",
            scopes=(ADMIN, USERS_READ),
            revoked_at=created + timedelta(days=3, milliseconds=5),
        )
        await save(storage, key)

        async def read(uow: StorageUnitOfWork) -> ApiKey | None:
            return await uow.api_keys.get(key.key_id)

        for stored in (await storage.transactions.run(read), await storage.api_key_queries.get(key.key_id)):
            assert stored is not None
            assert stored == key
            assert stored.scopes == (ADMIN, USERS_READ)
            assert stored.created_at.tzinfo is not None
            assert stored.revoked_at is not None
            assert stored.revoked_at.tzinfo is not None
        assert await storage.api_key_queries.get(f"{2:016x}") is None

    async def test_a_revocation_replaces_the_key(self, storage: StorageBackend, clock: FakeClock) -> None:
        """Saving a revoked copy replaces the key: one key, now revoked, at the instant given."""
        active = make_key(1, clock.now())
        revoked = active.model_copy(update={"revoked_at": clock.now() + timedelta(hours=2)})
        await save(storage, active)
        assert await storage.api_key_queries.get(active.key_id) == active
        await save(storage, revoked)
        assert await storage.api_key_queries.get(active.key_id) == revoked
        assert await storage.api_key_queries.all() == [revoked]

    async def test_all_lists_oldest_first_then_by_id(self, storage: StorageBackend, clock: FakeClock) -> None:
        """``all`` is every key, revoked ones too, by creation instant, ties broken by key id."""
        now = clock.now()
        later = make_key(0x10, now + timedelta(minutes=5))
        tie_high = make_key(0xB, now + timedelta(minutes=1))
        tie_low = make_key(0xA, now + timedelta(minutes=1), revoked_at=now + timedelta(minutes=9))
        oldest = make_key(0xF, now)
        await save(storage, later, tie_high)
        await save(storage, tie_low, oldest)
        assert list(await storage.api_key_queries.all()) == [oldest, tie_low, tie_high, later]

    async def test_a_failed_unit_of_work_leaves_no_key(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A key saved by a work that then fails is nowhere: not in the queries, not in a later work."""
        key = make_key(1, clock.now())

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.api_keys.save(key)
            assert await uow.api_keys.get(key.key_id) == key  # the work reads its own write
            raise BoomError

        with pytest.raises(BoomError):
            await storage.transactions.run(work)

        async def read(uow: StorageUnitOfWork) -> ApiKey | None:
            return await uow.api_keys.get(key.key_id)

        assert await storage.transactions.run(read) is None
        assert await storage.api_key_queries.get(key.key_id) is None
        assert await storage.api_key_queries.all() == []

    async def test_a_committed_key_is_read_at_once(self, storage: StorageBackend, clock: FakeClock) -> None:
        """The queries see a key, and then its revocation, as soon as each unit of work commits."""
        keys = api_keys_over(storage, clock, SequentialIds("k"))
        issued = await keys.create("servicio", [USERS_READ], actor=OPERATOR)
        assert await storage.api_key_queries.get(issued.key.key_id) == issued.key
        assert await keys.authenticate(issued.token) == issued.key

        clock.advance(timedelta(seconds=1))
        revoked, was_active = await keys.revoke(issued.key.key_id, actor=OPERATOR)
        assert was_active
        assert revoked.revoked_at == clock.now()
        assert await storage.api_key_queries.get(issued.key.key_id) == revoked
        with pytest.raises(RevokedKeyError):
            await keys.authenticate(issued.token)
