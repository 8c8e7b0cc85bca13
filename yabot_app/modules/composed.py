"""The registered modules, built for one process: in dependency order, with their services."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from yabot_app.modules.plug import BotPart, BuiltModules, HandlerSpec, HealthCheck, Kernel, ModulePlug
from yabot_core.kernel import in_dependency_order

T = TypeVar("T")


def module_order(plugs: Sequence[ModulePlug[Any]]) -> list[ModulePlug[Any]]:
    """``plugs`` so that each comes after the modules its manifest depends on.

    Raises:
        ValueError: a dependency that is not registered, or a cycle.
    """
    by_name = {plug.manifest.name: plug for plug in plugs}
    return [by_name[manifest.name] for manifest in in_dependency_order(plug.manifest for plug in plugs)]


def shipped_texts(plugs: Sequence[ModulePlug[Any]]) -> list[Path]:
    """Every module's shipped ``.ftl`` files, in registry order."""
    return [path for plug in plugs for path in plug.texts()]


def offered_scopes(plugs: Sequence[ModulePlug[Any]]) -> dict[str, str]:
    """Every API key scope the modules' routes ask for, with its description.

    Raises:
        ValueError: two modules offer the same scope.
    """
    offered: dict[str, str] = {}
    for plug in plugs:
        for scope, description in plug.scopes().items():
            if scope in offered:
                msg = f"two modules offer the API scope {scope!r}"
                raise ValueError(msg)
            offered[scope] = description
    return offered


class Modules:
    """Every registered module, built (in dependency order) over one kernel."""

    def __init__(self, plugs: Sequence[ModulePlug[Any]], kernel: Kernel) -> None:
        self.kernel = kernel
        self._built = BuiltModules()
        self._pairs: list[tuple[ModulePlug[Any], Any]] = []
        for plug in module_order(plugs):
            services = plug.build(kernel, self._built)
            self._built.add(plug.manifest.name, services)
            self._pairs.append((plug, services))

    def get(self, kind: type[T]) -> T:
        """The services of the module whose services are of type ``kind``."""
        return self._built.get(kind)

    def each(self) -> list[tuple[ModulePlug[Any], Any]]:
        """Every module's plug and services, in dependency order."""
        return list(self._pairs)

    @property
    def names(self) -> list[str]:
        """The modules' names, in dependency order."""
        return [plug.manifest.name for plug, _ in self._pairs]

    def handlers(self) -> list[HandlerSpec]:
        """Every module's event handlers."""
        return [spec for plug, services in self._pairs for spec in plug.handlers(services, self.kernel)]

    def bot_parts(self) -> list[BotPart]:
        """What each module adds to the bot (only call with the bot on: it imports aiogram)."""
        parts = [plug.bot(services, self.kernel) for plug, services in self._pairs]
        return [part for part in parts if part is not None]

    def api(self) -> list[Any]:
        """Every module's route handlers for ``/api/v1``."""
        return [handler for plug, services in self._pairs for handler in plug.api(services)]

    def health(self) -> list[tuple[str, HealthCheck]]:
        """Every module's health checks, with the module's name."""
        return [
            (plug.manifest.name, check) for plug, services in self._pairs for check in plug.health(services)
        ]
