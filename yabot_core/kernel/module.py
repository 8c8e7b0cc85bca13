"""A feature module's manifest: its name, what it is for, and the modules it builds on.

Each module package in the core exports a ``MANIFEST``. The application's registry orders modules by these
dependencies (start in order, stop in reverse) and the architecture tests check that a module imports only
the modules it names here, through their public API.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True, slots=True)
class ModuleManifest:
    """Who a module is: ``name`` (its package's name), a Spanish ``title``, and what it depends on."""

    name: str
    title: str
    depends_on: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            msg = f"a module name is lowercase letters, digits and underscores: {self.name!r}"
            raise ValueError(msg)
        if self.name in self.depends_on:
            msg = f"module {self.name!r} cannot depend on itself"
            raise ValueError(msg)


def in_dependency_order(manifests: Iterable[ModuleManifest]) -> Sequence[ModuleManifest]:
    """Return ``manifests`` so that each comes after every module it depends on (registry order otherwise).

    Raises:
        ValueError: a module depends on one that is not among ``manifests``, or dependencies form a cycle.
    """
    pending = list(manifests)
    known = {manifest.name for manifest in pending}
    if len(known) != len(pending):
        msg = "two modules share a name"
        raise ValueError(msg)
    for manifest in pending:
        missing = sorted(set(manifest.depends_on) - known)
        if missing:
            msg = f"module {manifest.name!r} depends on {', '.join(missing)}, which is not registered"
            raise ValueError(msg)
    ordered: list[ModuleManifest] = []
    placed: set[str] = set()
    while pending:
        ready = [manifest for manifest in pending if set(manifest.depends_on) <= placed]
        if not ready:
            cycle = ", ".join(manifest.name for manifest in pending)
            msg = f"modules depend on each other in a cycle: {cycle}"
            raise ValueError(msg)
        for manifest in ready:
            ordered.append(manifest)
            placed.add(manifest.name)
            pending.remove(manifest)
    return ordered
