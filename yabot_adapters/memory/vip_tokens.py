"""VIP tokens and their redemptions in memory: the VIP tokens' slice of the subscriptions module."""

from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.subscriptions import TokenRedemption, VipToken, VipTokenRepository


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
        if stored is None or stored.used != token.used - 1 or self._redemptions.get(key) is not None:
            raise ConcurrentUpdateError(detail={"code": token.code, "used": token.used})
        self._tokens.stage(token.code, token)
        self._redemptions.stage(key, redemption)

    def apply(self) -> None:
        self._tokens.apply()
        self._redemptions.apply()


SLICE = MemorySlice(name="vip_tokens", state=VipTokensState, repository=InMemoryVipTokenRepository)
