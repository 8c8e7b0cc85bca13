"""API keys in memory: the apikeys module's slice."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.apikeys import ApiKey, ApiKeyQueries, ApiKeyRepository


@dataclass
class ApiKeysState:
    """Committed keys by id."""

    keys: dict[str, ApiKey] = field(default_factory=dict)


class InMemoryApiKeyRepository(ApiKeyRepository):
    """The key repository of one in-memory unit of work."""

    def __init__(self, state: ApiKeysState) -> None:
        self._keys = Overlay(state.keys)

    async def get(self, key_id: str) -> ApiKey | None:
        return self._keys.get(key_id)

    async def save(self, key: ApiKey) -> None:
        self._keys.stage(key.key_id, key)

    def apply(self) -> None:
        self._keys.apply()


class InMemoryApiKeyQueries(ApiKeyQueries):
    """Keys from committed state."""

    def __init__(self, state: ApiKeysState) -> None:
        self._state = state

    async def get(self, key_id: str) -> ApiKey | None:
        return self._state.keys.get(key_id)

    async def all(self) -> Sequence[ApiKey]:
        return sorted(self._state.keys.values(), key=lambda key: (key.created_at, key.key_id))


SLICE = MemorySlice(
    name="api_keys",
    state=ApiKeysState,
    repository=InMemoryApiKeyRepository,
    queries={"api_key_queries": InMemoryApiKeyQueries},
)
