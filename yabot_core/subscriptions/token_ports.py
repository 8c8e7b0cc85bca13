"""What VIP tokens need from storage: the tokens and their redemptions, inside a unit of work."""

from typing import Protocol

from yabot_core.kernel import UserId
from yabot_core.subscriptions.ports import SubscriptionsUnitOfWork
from yabot_core.subscriptions.tokens import TokenRedemption, VipToken


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

        The token moves only from ``token.used - 1``: of two transactions that read the same count, one
        stores and the other fails, so no use is ever given twice.

        Raises:
            ConcurrentUpdateError: the stored count is another, or the fan's redemption exists. Transient:
                the work is retried, and then reads the new count.
        """
        ...


class VipTokensUnitOfWork(SubscriptionsUnitOfWork, Protocol):
    """A unit of work reaching VIP tokens and subscriptions (a redemption grants VIP in the same commit)."""

    @property
    def vip_tokens(self) -> VipTokenRepository:
        """The VIP tokens of this transaction."""
        ...
