"""Who did what to whom, and when: the audit log's records."""

import re
from enum import StrEnum
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from yabot_core.kernel import CorrelationId, UserId

ACTION: Final = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
"""An action's code: the module, a dot, the verb (``subscriptions.grant``). Match it with ``fullmatch``."""

MAX_ACTION_LENGTH: Final = 64
MAX_TARGET_LENGTH: Final = 100
MAX_ACTOR_NAME_LENGTH: Final = 64


class ActorKind(StrEnum):
    """Through which door someone acted."""

    OPERATOR = "operator"
    """Someone at the shell (``yabot vip grant``), named by their system account."""
    ADMIN = "admin"
    """An admin in Telegram (``YABOT_ADMIN_IDS``), by Telegram id."""
    API_KEY = "api_key"
    """A service or an admin calling the HTTP API, by the key's name."""
    USER = "user"
    """The fan themself (a payment, a redeemed token), by Telegram id."""
    SYSTEM = "system"
    """YABOT on its own (an expiry, a sweep)."""


_ADMINS: Final = frozenset({ActorKind.OPERATOR, ActorKind.ADMIN, ActorKind.API_KEY})

_LABELS: Final = {
    ActorKind.OPERATOR: "operador",
    ActorKind.ADMIN: "admin",
    ActorKind.API_KEY: "clave de API",
    ActorKind.USER: "usuario",
    ActorKind.SYSTEM: "YABOT",
}


class Actor(BaseModel):
    """Who acted: the kind of door and a name or id, written ``kind:name`` (``operator:diana``)."""

    model_config = ConfigDict(frozen=True)

    kind: ActorKind
    name: str = Field(min_length=1, max_length=MAX_ACTOR_NAME_LENGTH)

    @classmethod
    def operator(cls, name: str) -> "Actor":
        """Someone at the shell, by their system account's name."""
        return cls(kind=ActorKind.OPERATOR, name=name)

    @classmethod
    def admin(cls, user_id: UserId) -> "Actor":
        """An admin in Telegram, by id."""
        return cls(kind=ActorKind.ADMIN, name=str(user_id))

    @classmethod
    def api_key(cls, name: str) -> "Actor":
        """A caller of the HTTP API, by its key's name."""
        return cls(kind=ActorKind.API_KEY, name=name)

    @classmethod
    def user(cls, user_id: UserId) -> "Actor":
        """The fan acting for themself."""
        return cls(kind=ActorKind.USER, name=str(user_id))

    @classmethod
    def system(cls) -> "Actor":
        """YABOT on its own."""
        return cls(kind=ActorKind.SYSTEM, name="yabot")

    @classmethod
    def parse(cls, text: str) -> "Actor":
        """The actor written ``kind:name`` (as records keep it); an unknown kind reads as a system one.

        Raises:
            ValueError: ``text`` is not ``kind:name``.
        """
        kind, _, name = text.partition(":")
        if not name:
            msg = f"an actor is written kind:name, not {text!r}"
            raise ValueError(msg)
        known = {member.value for member in ActorKind}
        return cls(kind=ActorKind(kind) if kind in known else ActorKind.SYSTEM, name=name)

    @property
    def is_admin(self) -> bool:
        """Whether this is an administrator (shell, Telegram admin, API key): their actions are audited."""
        return self.kind in _ADMINS

    @property
    def label(self) -> str:
        """How an operator reads it: ``operador diana``, ``admin 42``, ``YABOT``."""
        if self.kind is ActorKind.SYSTEM:
            return _LABELS[self.kind]
        return f"{_LABELS[self.kind]} {self.name}"

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.name}"


def user_target(user_id: UserId) -> str:
    """The audit target naming a fan: ``user:42``."""
    return f"user:{user_id}"


class AuditEntry(BaseModel):
    """One administrative action: who, what (``action`` on ``target``, ``detail``), when, and under which id.

    ``correlation_id`` is the request's or command's: the entry can be followed through the events it caused.
    """

    model_config = ConfigDict(frozen=True)

    entry_id: str
    actor: Actor
    action: str = Field(max_length=MAX_ACTION_LENGTH)
    target: str = Field(min_length=1, max_length=MAX_TARGET_LENGTH)
    detail: dict[str, JsonValue] = Field(default_factory=dict)
    correlation_id: CorrelationId
    created_at: AwareDatetime

    @property
    def result(self) -> str:
        """How it ended: ``detail["result"]`` when the entry says (a refusal, an error's code), else ``ok``.

        An action recorded in its own unit of work happened, or it would not be here.
        """
        result = self.detail.get("result")
        return result if isinstance(result, str) else "ok"


class AuditPage(BaseModel):
    """A page of the audit log, newest first, with how many entries match."""

    model_config = ConfigDict(frozen=True)

    entries: tuple[AuditEntry, ...]
    total: int
    limit: int
    offset: int
