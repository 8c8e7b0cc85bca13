"""Issuing, checking and revoking API keys: only a hash is kept, and a revoked key opens nothing."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.contracts.common import OPERATOR, api_keys_over, recorded, recorded_events
from yabot_adapters.memory import InMemoryStorage
from yabot_core.apikeys import (
    ADMIN,
    CORE_SCOPES,
    USERS_READ,
    AmbiguousKeyNameError,
    ApiKeyCreated,
    ApiKeyRevoked,
    ApiKeys,
    InvalidKeyNameError,
    IssuedKey,
    KeyNotFoundError,
    MalformedKeyError,
    RevokedKeyError,
    UnknownKeyError,
    UnknownScopeError,
    tokens,
)
from yabot_core.audit import AuditLog
from yabot_core.kernel import FakeClock, InvalidInputError, SequentialIds

WALLET_WRITE = "wallet:write"
SCOPES = {**CORE_SCOPES, WALLET_WRITE: "Dar y quitar besitos."}
"""The core's scopes and one a module would add."""


@pytest.fixture(name="keys")
def keys_fixture(storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds) -> ApiKeys:
    return api_keys_over(storage, clock, ids, SCOPES)


def secret_of(issued: IssuedKey) -> str:
    presented = tokens.split(issued.token)
    assert presented is not None
    return presented.secret


class TestCreate:
    async def test_a_new_key_authenticates_and_only_its_hash_is_stored(
        self, keys: ApiKeys, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """The token opens the API; storage, the listing and the events hold its hash, never its secret."""
        issued = await keys.create("Panel", [USERS_READ], actor=OPERATOR)
        assert issued.token.startswith("yb_")
        assert await keys.authenticate(issued.token) == issued.key

        stored = await storage.api_key_queries.get(issued.key.key_id)
        assert stored == issued.key
        assert stored.created_at == clock.now()
        assert stored.active
        secret = secret_of(issued)
        assert stored.secret_hash == tokens.hash_secret(secret)
        assert secret not in stored.model_dump_json()
        assert secret not in repr(stored.model_dump())
        assert secret not in repr(storage.states["api_keys"])
        assert all(secret not in record.payload for record in await recorded(storage))
        assert issued.token not in repr(issued)

    async def test_creation_is_announced_without_the_secret(
        self, keys: ApiKeys, storage: InMemoryStorage
    ) -> None:
        """One ApiKeyCreated names the key, its name and its scopes."""
        issued = await keys.create("Panel", [USERS_READ], actor=OPERATOR)
        (event,) = await recorded_events(storage)
        assert isinstance(event, ApiKeyCreated)
        assert (event.key_id, event.name, event.scopes) == (issued.key.key_id, "Panel", (USERS_READ,))

    async def test_scopes_are_deduplicated_and_sorted_and_the_name_trimmed(self, keys: ApiKeys) -> None:
        """Repeated scopes count once, in a stable order; spaces around the name go."""
        issued = await keys.create("  Panel  ", [WALLET_WRITE, ADMIN, WALLET_WRITE], actor=OPERATOR)
        assert issued.key.scopes == (ADMIN, WALLET_WRITE)
        assert issued.key.name == "Panel"
        assert issued.key.allows(ADMIN)
        assert not issued.key.allows(USERS_READ)

    async def test_each_key_is_new(self, keys: ApiKeys) -> None:
        """Two keys with one name are two keys: different ids, different tokens."""
        first = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        second = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        assert first.key.key_id != second.key.key_id
        assert first.token != second.token

    async def test_an_unknown_scope_is_refused_listing_the_offered_ones(
        self, keys: ApiKeys, storage: InMemoryStorage
    ) -> None:
        """A scope no module offers is refused in Spanish, naming it and every offered scope; nothing kept."""
        with pytest.raises(UnknownScopeError) as caught:
            await keys.create("Panel", [USERS_READ, "usres:read"], actor=OPERATOR)
        message = caught.value.message
        assert "No existe el alcance «usres:read»" in message
        assert "¿quiso decir «users:read»?" in message
        assert message.endswith("Los alcances son: admin, users:read, wallet:write.")
        assert caught.value.detail["offered"] == [ADMIN, USERS_READ, WALLET_WRITE]
        assert await storage.api_key_queries.all() == []
        assert await recorded(storage) == []

    async def test_a_key_needs_a_scope(self, keys: ApiKeys, storage: InMemoryStorage) -> None:
        """A key with no scope is refused: it could open nothing."""
        with pytest.raises(InvalidInputError, match="al menos un alcance"):
            await keys.create("Panel", [], actor=OPERATOR)
        assert await storage.api_key_queries.all() == []

    @pytest.mark.parametrize(
        "name",
        ["", "   ", "\t\n", "x" * 65, "con\nsalto", "nulo\x00", "invisible\u200b", "campana\a"],
        ids=["empty", "spaces", "whitespace", "65-chars", "newline", "nul", "zero-width", "bell"],
    )
    async def test_a_bad_name_is_refused(self, keys: ApiKeys, storage: InMemoryStorage, name: str) -> None:
        """Names are 1 to 64 printable characters once trimmed; others are refused and nothing is kept."""
        with pytest.raises(InvalidKeyNameError, match="entre 1 y 64 caracteres imprimibles"):
            await keys.create(name, [ADMIN], actor=OPERATOR)
        assert await storage.api_key_queries.all() == []
        assert await recorded(storage) == []

    async def test_a_name_of_64_characters_is_enough(self, keys: ApiKeys) -> None:
        """The longest name allowed is accepted as given."""
        issued = await keys.create("ñ" * 64, [ADMIN], actor=OPERATOR)
        assert issued.key.name == "ñ" * 64


def _replace_id(token: str, key_id: str) -> str:
    return f"yb_{key_id}_{token[20:]}"


MALFORMED: dict[str, Callable[[str], str]] = {
    "empty": lambda _token: "",
    "no-prefix": lambda token: token[3:],
    "other-prefix": lambda token: "sk_" + token[3:],
    "upper-prefix": lambda token: "YB_" + token[3:],
    "bearer-included": lambda token: "Bearer " + token,
    "one-short": lambda token: token[:-1],
    "one-long": lambda token: token + "A",
    "trailing-newline": lambda token: token + "\n",
    "non-hex-id": lambda token: _replace_id(token, "g" * 16),
    "upper-hex-id": lambda token: _replace_id(token, "ABCDEF0123456789"),
    "short-id": lambda token: f"yb_{token[3:18]}_{token[20:]}a",
    "bad-secret-char": lambda token: token[:-1] + "=",
    "ten-kilobytes": lambda token: token + "a" * 10_240,
}


class TestAuthenticate:
    @pytest.mark.parametrize("mangle", MALFORMED.values(), ids=MALFORMED.keys())
    async def test_a_malformed_token_is_refused(self, keys: ApiKeys, mangle: Callable[[str], str]) -> None:
        """What is not shaped like ``yb_<16 hex>_<43 url-safe>`` is refused before any lookup."""
        issued = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        with pytest.raises(MalformedKeyError):
            await keys.authenticate(mangle(issued.token))

    async def test_the_right_id_with_a_wrong_secret_is_unknown(self, keys: ApiKeys) -> None:
        """A well-shaped token whose secret is not the key's opens nothing."""
        issued = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        other = tokens.mint()
        forged = f"yb_{issued.key.key_id}_{other.token[20:]}"
        assert tokens.split(forged) is not None
        with pytest.raises(UnknownKeyError):
            await keys.authenticate(forged)

    async def test_a_well_shaped_token_no_one_issued_is_unknown(self, keys: ApiKeys) -> None:
        """An id YABOT never issued is refused the same way as a wrong secret."""
        await keys.create("Panel", [ADMIN], actor=OPERATOR)
        with pytest.raises(UnknownKeyError):
            await keys.authenticate(tokens.mint().token)

    async def test_a_revoked_key_is_refused(self, keys: ApiKeys) -> None:
        """Once revoked, the key's own token is refused as revoked (the error names the key id)."""
        issued = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        await keys.revoke(issued.key.key_id, actor=OPERATOR)
        with pytest.raises(RevokedKeyError) as caught:
            await keys.authenticate(issued.token)
        assert caught.value.detail == {"key_id": issued.key.key_id}


class TestRevoke:
    async def test_revoking_by_id(self, keys: ApiKeys, storage: InMemoryStorage, clock: FakeClock) -> None:
        """Revoking by id stamps the time, stores it, and says the key was active."""
        issued = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        clock.advance(timedelta(hours=1))
        revoked, was_active = await keys.revoke(issued.key.key_id, actor=OPERATOR)
        assert was_active
        assert revoked.revoked_at == clock.now()
        assert not revoked.active
        assert await storage.api_key_queries.get(issued.key.key_id) == revoked

    async def test_revoking_by_the_one_active_name(self, keys: ApiKeys) -> None:
        """A name picks the one active key with it; revoked namesakes do not make it ambiguous."""
        old = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        await keys.revoke(old.key.key_id, actor=OPERATOR)
        new = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        other = await keys.create("Otro", [ADMIN], actor=OPERATOR)
        revoked, was_active = await keys.revoke("  Panel ", actor=OPERATOR)
        assert was_active
        assert revoked.key_id == new.key.key_id
        assert await keys.authenticate(other.token) == other.key

    async def test_an_ambiguous_name_is_refused_listing_the_ids(
        self, keys: ApiKeys, storage: InMemoryStorage
    ) -> None:
        """Several active keys with the name: nothing is revoked, and the message lists their ids."""
        first = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        second = await keys.create("Panel", [USERS_READ], actor=OPERATOR)
        with pytest.raises(AmbiguousKeyNameError) as caught:
            await keys.revoke("Panel", actor=OPERATOR)
        ids = sorted([first.key.key_id, second.key.key_id])  # made at one instant: listed by id
        assert caught.value.message.endswith(f"indique cuál por su id: {', '.join(ids)}.")
        assert caught.value.detail["key_ids"] == ids
        assert all(key.active for key in await storage.api_key_queries.all())

    @pytest.mark.parametrize("what", ["0123456789abcdef", "Nadie", ""])
    async def test_an_unknown_id_or_name_is_not_found(self, keys: ApiKeys, what: str) -> None:
        """No key with that id and no active one with that name: KeyNotFoundError."""
        await keys.create("Panel", [ADMIN], actor=OPERATOR)
        with pytest.raises(KeyNotFoundError):
            await keys.revoke(what, actor=OPERATOR)

    async def test_a_revoked_name_is_not_found(self, keys: ApiKeys) -> None:
        """A name reaches active keys only: once its one key is revoked, the name finds nothing."""
        issued = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        await keys.revoke("Panel", actor=OPERATOR)
        with pytest.raises(KeyNotFoundError):
            await keys.revoke("Panel", actor=OPERATOR)
        assert (await keys.revoke(issued.key.key_id, actor=OPERATOR))[1] is False

    async def test_revoking_twice_changes_nothing(
        self, keys: ApiKeys, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """The second revocation returns the key as it was, says False, and announces nothing."""
        issued = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        first, was_active = await keys.revoke(issued.key.key_id, actor=OPERATOR)
        clock.advance(timedelta(minutes=5))
        again, still_active = await keys.revoke(issued.key.key_id, actor=OPERATOR)
        assert (was_active, still_active) == (True, False)
        assert again == first
        revocations = [e for e in await recorded_events(storage) if isinstance(e, ApiKeyRevoked)]
        assert len(revocations) == 1
        assert (revocations[0].key_id, revocations[0].name) == (issued.key.key_id, "Panel")


class TestList:
    async def test_all_lists_every_key_oldest_first(self, keys: ApiKeys, clock: FakeClock) -> None:
        """Revoked keys are listed too, in the order they were made."""
        made = []
        for name in ("uno", "dos", "tres"):
            made.append((await keys.create(name, [ADMIN], actor=OPERATOR)).key.key_id)
            clock.advance(timedelta(seconds=1))
        await keys.revoke("dos", actor=OPERATOR)
        listed = await keys.all()
        assert [key.key_id for key in listed] == made
        assert [key.active for key in listed] == [True, False, True]


class TestAudit:
    async def test_issuing_and_revoking_are_written_to_the_audit_log_with_who_did_it(
        self, keys: ApiKeys, storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds
    ) -> None:
        """Both are admin actions: each commits its audit entry with it, never the secret."""
        issued = await keys.create("Panel", [ADMIN], actor=OPERATOR)
        await keys.revoke("Panel", actor=OPERATOR)
        await keys.revoke(issued.key.key_id, actor=OPERATOR)  # already revoked: no second entry

        page = await AuditLog(storage.audit_queries, clock, ids).page()
        actions = [(entry.action, entry.target, entry.actor) for entry in reversed(page.entries)]
        target = f"api_key:{issued.key.key_id}"
        assert actions == [("apikeys.create", target, OPERATOR), ("apikeys.revoke", target, OPERATOR)]
        assert secret_of(issued) not in repr(page)
