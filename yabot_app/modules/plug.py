"""What a feature module plugs into YABOT: one ``ModulePlug`` per module, listed once in the registry.

The core holds a module's rules (its package and ``MANIFEST``); a plug composes it for a running process:
builds its services from the kernel's ports and the modules it depends on, and hands the container, the
lifecycle, the bus, the dispatcher, the API and the CLI what the module adds to each. None of those grows a
line per module: they iterate over the registry (:mod:`yabot_app.modules`).
"""

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from yabot_core.kernel import Clock, Event, IdGenerator, ModuleManifest, Phrasebook, UserId
from yabot_core.lucien import Messenger

if TYPE_CHECKING:
    import click

    from yabot_adapters.storage import StorageBackend
    from yabot_app.settings import Settings

S = TypeVar("S")
T = TypeVar("T")

TEXTS = Path(__file__).resolve().parents[2] / "yabot_adapters" / "texts" / "es"
"""Where the shipped Spanish texts live, one ``.ftl`` file per module."""


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """A handler a module subscribes to events (or to timers of a kind, through ``route``).

    ``name`` is durable (deliveries and dead letters remember it): ``<module>.<what>``. ``needs_telegram``
    handlers run only in processes with a bot token; the others still owe them their events. ``max_age``
    drops events that would arrive too late to mean anything.
    """

    event: type[Event]
    name: str
    handler: Callable[[Any], Awaitable[None]]
    route: str | None = None
    max_age: timedelta | None = None
    needs_telegram: bool = False


@dataclass(frozen=True, slots=True)
class BotCommand:
    """A command of the bot's menu and of /ayuda; ``description`` is a text id of the module's catalog."""

    command: str
    description: str


@dataclass(frozen=True, slots=True)
class AdminScreen:
    """A button of the ``/admin`` menu and the aiogram-dialog it opens (a module's admin screen).

    ``label`` is a text id of the module's catalog; ``start`` the first ``State`` of the screen's dialog;
    ``dialogs`` every aiogram-dialog ``Dialog`` the screen needs. The menu lists screens by ``order``.
    Getters and handlers find the module's services in ``dialog_manager.middleware_data`` (its
    ``BotPart.data``); work that outlives a press (a broadcast's live progress) takes ``dialog_manager.bg()``
    and updates the screen from there.
    """

    label: str
    start: Any  # an aiogram State (aiogram is imported only when the bot is on)
    dialogs: Sequence[Any]
    order: int = 100


@dataclass(frozen=True, slots=True)
class BotPart:
    """What a module adds to the bot: routers, commands, workflow data, and its ``/admin`` screens."""

    routers: Sequence[Any]  # aiogram Routers (aiogram is imported only when the bot is on)
    commands: Sequence[BotCommand] = ()
    data: Mapping[str, object] = field(default_factory=dict)
    admin_screens: Sequence[AdminScreen] = ()


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """One thing ``/readyz`` and ``yabot status`` ask about: ``check`` returns when fine, raises when not."""

    name: str
    check: Callable[[], Awaitable[None]]


ContextVariables = Callable[[UserId], Awaitable[Mapping[str, object]]]


class UserContext:
    """Lucien's view of a user, composed from what every module contributes (name, besitos, VIP days...)."""

    def __init__(self) -> None:
        self._sources: list[tuple[frozenset[str], ContextVariables]] = []

    def add(self, names: Iterable[str], source: ContextVariables) -> None:
        """Contribute the variables ``names``, computed per user by ``source``."""
        self._sources.append((frozenset(names), source))

    def names(self) -> frozenset[str]:
        """Every variable some module contributes."""
        return frozenset().union(*(names for names, _ in self._sources))

    async def variables(self, user_id: UserId) -> Mapping[str, object]:
        """Every module's variables for ``user_id``."""
        merged: dict[str, object] = {}
        for _, source in self._sources:
            merged.update(await source(user_id))
        return merged


@dataclass(frozen=True, slots=True)
class Kernel:
    """The ports every module may build on, chosen by the container for this process's settings."""

    settings: "Settings"
    storage: "StorageBackend"
    clock: Clock
    ids: IdGenerator
    phrasebook: Phrasebook
    messenger: Messenger
    context: UserContext
    telegram: bool
    """Whether this process runs the Telegram bot (its ``messenger`` reaches users)."""
    api_scopes: Mapping[str, str] = field(default_factory=dict)
    """Every scope an API key may hold here, each with a Spanish description (every module's ``scopes``)."""
    bot: Any = None
    """The aiogram ``Bot`` when this process runs Telegram (``None`` otherwise): for modules' own Bot API
    adapters (the VIP channel's door). Resolved only when ``telegram`` is on."""
    outgoing: Any = None
    """The process's ``OutgoingLimiter`` when it runs Telegram: flood control pauses every sender."""


class BuiltModules:
    """The services of the modules built so far, looked up by their type."""

    def __init__(self) -> None:
        self._services: dict[str, object] = {}

    def add(self, name: str, services: object) -> None:
        """Keep ``services`` as module ``name``'s."""
        self._services[name] = services

    def get(self, kind: type[T]) -> T:
        """Return the one built module services object of type ``kind``.

        Raises:
            LookupError: no built module has services of that type (a missing ``depends_on``).
        """
        for services in self._services.values():
            if isinstance(services, kind):
                return services
        msg = f"no module built so far provides {kind.__name__}: declare the dependency in its manifest"
        raise LookupError(msg)


class ModulePlug(Generic[S]):
    """How one module plugs in. Override what the module offers; everything has an empty default."""

    manifest: ModuleManifest

    def texts(self) -> Sequence[Path]:
        """The module's shipped ``.ftl`` files (by default ``<name>.ftl``, if there is one)."""
        path = TEXTS / f"{self.manifest.name}.ftl"
        return (path,) if path.exists() else ()

    def build(self, kernel: Kernel, modules: BuiltModules) -> S:
        """Make the module's services from the kernel's ports and the modules it depends on."""
        raise NotImplementedError

    def handlers(self, services: S, kernel: Kernel) -> Iterable[HandlerSpec]:
        """The module's event handlers."""
        return ()

    def bot(self, services: S, kernel: Kernel) -> BotPart | None:
        """What the module adds to the bot (called only when the bot runs; import aiogram inside)."""
        return None

    def api(self, services: S) -> Sequence[Any]:
        """The module's Litestar route handlers (controllers), under ``/api/v1``."""
        return ()

    def scopes(self) -> Mapping[str, str]:
        """The API key scopes the module's routes ask for (``wallet:write``...), each described in Spanish."""
        return {}

    def commands(self) -> Sequence["click.Command"]:
        """The module's ``yabot`` subcommands (they open their own storage when run)."""
        return ()

    def health(self, services: S) -> Iterable[HealthCheck]:
        """What ``/readyz`` and ``yabot status`` check for this module."""
        return ()

    async def report(self, services: S, kernel: Kernel) -> Sequence[str]:
        """Lines the module adds to ``yabot status`` (what an operator should see at a glance), in Spanish."""
        return ()

    async def start(self, services: S) -> None:
        """Start the module's background work (called in dependency order)."""

    async def stop(self, services: S) -> None:
        """Stop it (called in reverse order)."""
