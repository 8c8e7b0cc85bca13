"""The webhook's inbox in memory: the kernel's ``telegram_updates`` slice (each call atomic on the loop)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from yabot_adapters.memory.slice import MemorySlice
from yabot_core.kernel import InboxUpdate, UpdateInbox


@dataclass
class InboxState:
    """Received updates, by id."""

    updates: dict[int, InboxUpdate] = field(default_factory=dict)


class NoRepository:
    """The inbox writes outside units of work (before any handling starts): nothing to stage."""

    def __init__(self, _: object) -> None:
        pass

    def apply(self) -> None:
        """Nothing staged."""


class InMemoryUpdateInbox(UpdateInbox):
    """Received updates in this process's memory; no method awaits, so each is atomic."""

    def __init__(self, state: InboxState) -> None:
        self._state = state

    async def receive(self, update: InboxUpdate) -> bool:
        if update.update_id in self._state.updates:
            return False
        self._state.updates[update.update_id] = update
        return True

    async def claim(self, now: datetime, claim: str, until: datetime, limit: int) -> Sequence[InboxUpdate]:
        heads: dict[int, InboxUpdate] = {}
        for update in sorted(self._state.updates.values(), key=lambda u: u.update_id):
            if update.done_at is None:
                heads.setdefault(update.order_key, update)
        free = [u for u in heads.values() if u.claimed_until is None or u.claimed_until <= now]
        chosen = sorted(free, key=lambda u: u.update_id)[: max(0, limit)]
        claimed = [u.model_copy(update={"claim": claim, "claimed_until": until}) for u in chosen]
        for update in claimed:
            self._state.updates[update.update_id] = update
        return claimed

    async def complete(self, update: InboxUpdate, now: datetime) -> bool:
        current = self._state.updates.get(update.update_id)
        if current is None or update.claim is None or current.claim != update.claim:
            return False
        done = current.model_copy(update={"claim": None, "claimed_until": None, "done_at": now})
        self._state.updates[update.update_id] = done
        return True

    async def prune(self, done_before: datetime) -> int:
        old = [
            key
            for key, update in self._state.updates.items()
            if update.done_at is not None and update.done_at < done_before
        ]
        for key in old:
            del self._state.updates[key]
        return len(old)

    async def unfinished(self) -> int:
        return sum(1 for update in self._state.updates.values() if update.done_at is None)


SLICE = MemorySlice(
    name="telegram_updates",
    state=InboxState,
    repository=NoRepository,
    queries={"telegram_updates": InMemoryUpdateInbox},
)
