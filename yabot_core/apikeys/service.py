"""Issuing, listing, revoking and checking API keys."""

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from yabot_core.apikeys import tokens
from yabot_core.apikeys.errors import (
    AmbiguousKeyNameError,
    InvalidKeyNameError,
    KeyNotFoundError,
    MalformedKeyError,
    RevokedKeyError,
    UnknownKeyError,
    UnknownScopeError,
)
from yabot_core.apikeys.events import ApiKeyCreated, ApiKeyRevoked
from yabot_core.apikeys.models import MAX_NAME_LENGTH, SCOPE, ApiKey, IssuedKey
from yabot_core.apikeys.ports import ApiKeyQueries, ApiKeysUnitOfWork
from yabot_core.audit import Actor, AuditLog
from yabot_core.kernel import Clock, EventStamper, IdGenerator, InvalidInputError, Transactions, did_you_mean

if TYPE_CHECKING:
    from pydantic import JsonValue


class ApiKeys:
    """The keys services and the creator's own tools use: ``Authorization: Bearer yb_…``.

    ``scopes`` are every scope this installation offers, with a Spanish description each (the core's and
    each module's); a key is only ever given scopes from it.
    """

    def __init__(
        self,
        transactions: Transactions[ApiKeysUnitOfWork],
        queries: ApiKeyQueries,
        clock: Clock,
        ids: IdGenerator,
        *,
        scopes: Mapping[str, str],
        audit: AuditLog,
    ) -> None:
        bad = sorted(scope for scope in scopes if not SCOPE.fullmatch(scope))
        if bad:
            msg = f"malformed scopes: {', '.join(bad)}"
            raise ValueError(msg)
        self._transactions = transactions
        self._queries = queries
        self._clock = clock
        self._stamper = EventStamper(clock, ids)
        self._audit = audit
        self.scopes: Mapping[str, str] = dict(sorted(scopes.items()))

    async def create(self, name: str, scopes: Iterable[str], *, actor: Actor) -> IssuedKey:
        """Issue a key named ``name`` with ``scopes``; the whole key is in the result and nowhere else.

        ``actor`` (who asked) is written to the audit log with the key, in the same unit of work.

        Raises:
            InvalidKeyNameError: the name is blank, too long or not printable.
            UnknownScopeError: a scope is not offered here (the message lists those that are).
            InvalidInputError: no scope was given.
        """
        name = _checked_name(name)
        chosen = self._checked_scopes(scopes)
        minted = tokens.mint()
        key = ApiKey(
            key_id=minted.key_id,
            name=name,
            scopes=chosen,
            secret_hash=minted.secret_hash,
            created_at=self._clock.now(),
        )

        async def work(uow: ApiKeysUnitOfWork) -> None:
            await uow.api_keys.save(key)
            event = ApiKeyCreated(**self._stamper.stamp(), key_id=key.key_id, name=name, scopes=chosen)
            uow.record(event)
            detail: dict[str, JsonValue] = {"name": name, "scopes": list(chosen)}
            await self._audit.record_in(
                uow, actor, "apikeys.create", _target(key), detail=detail, correlation_id=event.correlation_id
            )

        await self._transactions.run(work)
        return IssuedKey(key=key, token=minted.token)

    async def revoke(self, id_or_name: str, *, actor: Actor) -> tuple[ApiKey, bool]:
        """Revoke the key with that id, or the one active key with that name; say if it was active.

        Revoking a revoked key changes nothing (``False``): running the command twice is safe. ``actor`` is
        written to the audit log with the revocation.

        Raises:
            KeyNotFoundError: no key has that id, and no active key that name.
            AmbiguousKeyNameError: several active keys have that name (their ids are in the message).
        """
        target = await self._find(id_or_name)

        async def work(uow: ApiKeysUnitOfWork) -> tuple[ApiKey, bool]:
            key = await uow.api_keys.get(target.key_id)
            if key is None:  # pragma: no cover  (keys are never deleted)
                raise KeyNotFoundError(detail={"key": target.key_id})
            if not key.active:
                return key, False
            revoked = key.model_copy(update={"revoked_at": self._clock.now()})
            await uow.api_keys.save(revoked)
            event = ApiKeyRevoked(**self._stamper.stamp(), key_id=key.key_id, name=key.name)
            uow.record(event)
            await self._audit.record_in(
                uow,
                actor,
                "apikeys.revoke",
                _target(key),
                detail={"name": key.name},
                correlation_id=event.correlation_id,
            )
            return revoked, True

        return await self._transactions.run(work)

    async def all(self) -> Sequence[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        return await self._queries.all()

    async def authenticate(self, token: str) -> ApiKey:
        """Return the active key ``token`` is, reading committed storage (so a revocation counts at once).

        Raises:
            MalformedKeyError: ``token`` is not shaped like one of our keys.
            UnknownKeyError: no key has its id, or its secret part is wrong.
            RevokedKeyError: the key was revoked.
        """
        presented = tokens.split(token)
        if presented is None:
            raise MalformedKeyError
        key = await self._queries.get(presented.key_id)
        if key is None or not tokens.secret_matches(presented.secret, key.secret_hash):
            raise UnknownKeyError
        if not key.active:
            raise RevokedKeyError(detail={"key_id": key.key_id})
        return key

    def _checked_scopes(self, scopes: Iterable[str]) -> tuple[str, ...]:
        chosen = tuple(sorted(set(scopes)))
        if not chosen:
            raise InvalidInputError(
                "Una clave necesita al menos un alcance.", detail={"offered": list(self.scopes)}
            )
        for scope in chosen:
            if scope not in self.scopes:
                hint = did_you_mean(scope, list(self.scopes))
                offered = ", ".join(self.scopes)
                raise UnknownScopeError(
                    f"No existe el alcance «{scope[:40]}»{hint}. Los alcances son: {offered}.",
                    detail={"scope": scope[:40], "offered": list(self.scopes)},
                )
        return chosen

    async def _find(self, id_or_name: str) -> ApiKey:
        text = id_or_name.strip()
        keys = await self._queries.all()
        by_id = [key for key in keys if key.key_id == text]
        if by_id:
            return by_id[0]
        named = [key for key in keys if key.name == text and key.active]
        if len(named) > 1:
            ids = ", ".join(key.key_id for key in named)
            raise AmbiguousKeyNameError(
                f"Hay varias claves activas llamadas «{text}»; indique cuál por su id: {ids}.",
                detail={"name": text, "key_ids": [key.key_id for key in named]},
            )
        if not named:
            raise KeyNotFoundError(
                f"No hay ninguna clave con el id «{text[:40]}» ni ninguna activa con ese nombre.",
                detail={"key": text[:40]},
            )
        return named[0]


def _target(key: ApiKey) -> str:
    return f"api_key:{key.key_id}"


def _checked_name(name: str) -> str:
    stripped = name.strip() if isinstance(name, str) else ""
    if not stripped or len(stripped) > MAX_NAME_LENGTH or not stripped.isprintable():
        raise InvalidKeyNameError(
            f"El nombre de la clave debe tener entre 1 y {MAX_NAME_LENGTH} caracteres imprimibles.",
            detail={"name": repr(name)[:80]},
        )
    return stripped
