"""VIP tokens made by admins (audited) and redeemed by fans, each redemption a grant in the same commit."""

from datetime import datetime

from yabot_core.audit import Actor, AuditLog
from yabot_core.kernel import (
    Clock,
    ConcurrentUpdateError,
    InvalidInputError,
    Transactions,
    UserId,
    checked_user_id,
    spanish_number,
    system_key,
)
from yabot_core.subscriptions.models import Source, VipChange
from yabot_core.subscriptions.service import SubscriptionService
from yabot_core.subscriptions.token_ports import VipTokenQueries, VipTokensUnitOfWork
from yabot_core.subscriptions.tokens import (
    MAX_TOKEN_USES,
    MAX_TOKENS_AT_ONCE,
    TokenAlreadyRedeemedError,
    TokenExpiredError,
    TokenRedemption,
    TokenRevokedError,
    TokenUsedUpError,
    UnknownTokenError,
    VipToken,
    VipTokenPage,
    is_code,
    mint_code,
)
from yabot_core.subscriptions.validation import MAX_AHEAD, check_page, whole_seconds

TOKENS_TARGET = "vip-tokens"
"""The audit log's target of a batch of tokens (each entry's detail lists its codes)."""


class VipTokens:
    """Redeemable VIP codes over any storage adapter."""

    def __init__(
        self,
        *,
        transactions: Transactions[VipTokensUnitOfWork],
        queries: VipTokenQueries,
        subscriptions: SubscriptionService,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._subscriptions = subscriptions
        self._audit = audit
        self._clock = clock

    async def create(
        self,
        plan_id: str,
        *,
        actor: Actor,
        count: int = 1,
        uses: int = 1,
        expires_at: datetime | None = None,
    ) -> tuple[VipToken, ...]:
        """Make ``count`` tokens, each worth the plan's days to ``uses`` fans until ``expires_at``; audited.

        Raises:
            UnknownPlanError: no such plan.
            InvalidInputError: a count, a number of uses or an end out of bounds (nothing is made).
        """
        plan = self._subscriptions.plans.plan(plan_id)
        _check_between("El número de códigos", count, MAX_TOKENS_AT_ONCE)
        _check_between("El número de usos", uses, MAX_TOKEN_USES)
        now = self._now()
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise InvalidInputError("La caducidad debe llevar zona horaria.")
            expires_at = whole_seconds(expires_at)
            if not now < expires_at <= now + MAX_AHEAD:
                raise InvalidInputError("La caducidad debe ser posterior a ahora y dentro de diez años.")

        async def work(uow: VipTokensUnitOfWork) -> tuple[VipToken, ...]:
            made = tuple(
                VipToken(
                    code=mint_code(),
                    plan_id=plan.id,
                    days=plan.days,
                    uses=uses,
                    used=0,
                    expires_at=expires_at,
                    created_at=now,
                    created_by=str(actor),
                )
                for _ in range(count)
            )
            for token in made:
                await uow.vip_tokens.add(token)
            await self._audit.record_in(
                uow,
                actor,
                "subscriptions.tokens_create",
                TOKENS_TARGET,
                detail={
                    "plan_id": plan.id,
                    "days": plan.days,
                    "uses": uses,
                    "expires_at": None if expires_at is None else expires_at.isoformat(),
                    "codes": [token.code for token in made],
                },
            )
            return made

        return await self._transactions.run(work)

    async def redeem(self, user_id: UserId, code: str) -> VipChange:
        """Give the fan the token's days of VIP (start or extend), taking one of its uses, in one commit.

        Raises:
            UnknownTokenError: no token has that code (or it is no code at all).
            TokenAlreadyRedeemedError: the fan redeemed it already.
            TokenExpiredError, TokenUsedUpError: too late, or every use taken. Nothing changes.
        """
        user = checked_user_id(user_id)
        text = code.strip() if isinstance(code, str) else ""
        if not is_code(text):
            raise UnknownTokenError

        async def work(uow: VipTokensUnitOfWork) -> VipChange:
            token = await uow.vip_tokens.get(text)
            if token is None:
                raise UnknownTokenError
            if token.revoked_at is not None:
                raise TokenRevokedError
            if await uow.vip_tokens.redemption(text, user) is not None:
                raise TokenAlreadyRedeemedError
            now = self._now()
            if token.expires_at is not None and now >= token.expires_at:
                raise TokenExpiredError
            if token.left() <= 0:
                raise TokenUsedUpError
            plans = self._subscriptions.plans
            change = await self._subscriptions.grant_in(
                uow,
                user,
                days=token.days,
                actor=Actor.user(user),
                idempotency_key=system_key("vip-token", text, user),
                source=Source.token(text),
                plan_id=token.plan_id if token.plan_id in plans else None,
            )
            redemption = TokenRedemption(
                code=text, user_id=user, entry_id=change.entry.entry_id, redeemed_at=now
            )
            await uow.vip_tokens.redeem(token.model_copy(update={"used": token.used + 1}), redemption)
            return change

        change = await self._transactions.run(work)
        self._subscriptions.vip.forget(user)
        return change

    async def revoke(self, code: str, *, actor: Actor) -> tuple[VipToken, bool]:
        """Withdraw a token (a leaked code): nobody may redeem it from now on; what it gave stays. Audited.

        Returns the token and whether this call revoked it (``False``: it was revoked already, by whom it
        says; nothing is written again).

        Raises:
            UnknownTokenError: no token has that code.
        """
        text = code.strip() if isinstance(code, str) else ""
        if not is_code(text):
            raise UnknownTokenError

        async def work(uow: VipTokensUnitOfWork) -> tuple[VipToken, bool]:
            token = await uow.vip_tokens.get(text)
            if token is None:
                raise UnknownTokenError
            if token.revoked_at is not None:
                return token, False
            revoked = token.model_copy(update={"revoked_at": self._now(), "revoked_by": str(actor)})
            if not await uow.vip_tokens.revoke(revoked):
                raise ConcurrentUpdateError(detail={"code": text})
            await self._audit.record_in(
                uow,
                actor,
                "subscriptions.tokens_revoke",
                TOKENS_TARGET,
                detail={"code": text, "plan_id": token.plan_id, "used": token.used, "uses": token.uses},
            )
            return revoked, True

        return await self._transactions.run(work)

    async def page(self, *, limit: int = 20, offset: int = 0) -> VipTokenPage:
        """A page of every token, newest first.

        Raises:
            InvalidInputError: ``limit`` outside 1..``MAX_PAGE_SIZE`` or a negative ``offset``.
        """
        check_page(limit, offset)
        return await self._queries.page(limit=limit, offset=offset)

    def _now(self) -> datetime:
        return whole_seconds(self._clock.now())


def _check_between(what: str, value: int, maximum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InvalidInputError(f"{what} debe estar entre 1 y {spanish_number(maximum)}.")
