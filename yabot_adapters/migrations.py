"""What ``yabot migrate`` reports per module, whatever the storage."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModuleVersion:
    """A module's schema in one store: the version applied there and the one this code brings it to."""

    module: str
    applied: int
    latest: int

    @property
    def current(self) -> bool:
        """Whether the store is at this code's version."""
        return self.applied == self.latest
