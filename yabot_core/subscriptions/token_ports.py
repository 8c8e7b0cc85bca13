"""What VIP tokens need from storage: the tokens and their redemptions, inside a unit of work."""

from typing import Protocol

from yabot_core.kernel import UserId
from yabot_core.subscriptions.ports import SubscriptionsUnitOfWork
from yabot_core.subscriptions.tokens import TokenRedemption, VipToken, VipTokenPage


class VipTokenRepository(Protocol):
    """VIP tokens inside one transaction."""

    async def add(self, token: VipToken) -> None:
        """Store a new token.

        Raises:
            ConcurrentUpdateError: a token with that code exists (transient: the work mints new codes).
        """
        ...

    async def get(self, code: str) -> VipToken | None:
        """Return the token with that code, or ``None``."""
        ...

    async def redemption(self, code: str, user_id: UserId) -> TokenRedemption | None:
        """Return the fan's redemption of the token, if they redeemed it."""
        ...

    async def redeem(self, token: VipToken, redemption: TokenRedemption) -> None:
        """Store ``token`` (its ``used`` one more than stored) and the fan's ``redemption`` of it, together.

        The token moves only from ``token.used - 1`` and only while it is not revoked: of two transactions
        that read the same count, one stores and the other fails, so no use is ever given twice, and none
        after a revocation.

        Raises:
            ConcurrentUpdateError: the stored count is another, the token was revoked meanwhile, or the
                fan's redemption exists. Transient: the work is retried, and then reads the token anew.
        """
        ...

    async def revoke(self, token: VipToken) -> bool:
        """Store ``token`` (revoked) if the stored one is not revoked yet; return whether it was stored."""
        ...


class VipTokenQueries(Protocol):
    """Committed tokens, outside any transaction."""

    async def page(self, *, limit: int, offset: int) -> VipTokenPage:
        """Return a page of every token, newest first (ties by code), with the count, from one snapshot."""
        ...


class VipTokenStorage(Protocol):
    """What a storage backend offers the tokens besides its unit of work."""

    @property
    def vip_token_queries(self) -> VipTokenQueries:
        """Committed tokens."""
        ...


class VipTokensUnitOfWork(SubscriptionsUnitOfWork, Protocol):
    """A unit of work reaching VIP tokens and subscriptions (a redemption grants VIP in the same commit)."""

    @property
    def vip_tokens(self) -> VipTokenRepository:
        """The VIP tokens of this transaction."""
        ...
