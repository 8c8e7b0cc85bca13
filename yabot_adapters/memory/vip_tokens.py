"""VIP tokens and their redemptions in memory: the VIP tokens' slice of the subscriptions module."""

from dataclasses import dataclass, field
from itertools import islice

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.subscriptions import (
    TokenRedemption,
    VipToken,
    VipTokenPage,
    VipTokenQueries,
    VipTokenRepository,
)


@dataclass
class VipTokensState:
    """Committed tokens by code, redemptions by (code, user)."""

    tokens: dict[str, VipToken] = field(default_factory=dict)
    redemptions: dict[tuple[str, UserId], TokenRedemption] = field(default_factory=dict)


class InMemoryVipTokenRepository(VipTokenRepository):
    """The VIP tokens of one in-memory unit of work: writes are staged."""

    def __init__(self, state: VipTokensState) -> None:
        self._tokens = Overlay(state.tokens)
        self._redemptions = Overlay(state.redemptions)

    async def add(self, token: VipToken) -> None:
        if self._tokens.get(token.code) is not None:
            raise ConcurrentUpdateError(detail={"code": token.code})
        self._tokens.stage(token.code, token)

    async def get(self, code: str) -> VipToken | None:
        return self._tokens.get(code)

    async def redemption(self, code: str, user_id: UserId) -> TokenRedemption | None:
        return self._redemptions.get((code, user_id))

    async def redeem(self, token: VipToken, redemption: TokenRedemption) -> None:
        stored = self._tokens.get(token.code)
        key = (redemption.code, redemption.user_id)
        moved = stored is not None and stored.used == token.used - 1 and stored.revoked_at is None
        if not moved or self._redemptions.get(key) is not None:
            raise ConcurrentUpdateError(detail={"code": token.code, "used": token.used})
        self._tokens.stage(token.code, token)
        self._redemptions.stage(key, redemption)

    async def revoke(self, token: VipToken) -> bool:
        stored = self._tokens.get(token.code)
        if stored is None or stored.revoked_at is not None:
            return False
        self._tokens.stage(token.code, token)
        return True

    def apply(self) -> None:
        self._tokens.apply()
        self._redemptions.apply()


class InMemoryVipTokenQueries(VipTokenQueries):
    """Committed tokens (reads never await: each is one snapshot)."""

    def __init__(self, state: VipTokensState) -> None:
        self._state = state

    async def page(self, *, limit: int, offset: int) -> VipTokenPage:
        newest = sorted(self._state.tokens.values(), key=lambda t: (-t.created_at.timestamp(), t.code))
        found = tuple(islice(newest, offset, offset + limit))
        return VipTokenPage(tokens=found, total=len(newest), limit=limit, offset=offset)


SLICE = MemorySlice(
    name="vip_tokens",
    state=VipTokensState,
    repository=InMemoryVipTokenRepository,
    queries={"vip_token_queries": InMemoryVipTokenQueries},
)
