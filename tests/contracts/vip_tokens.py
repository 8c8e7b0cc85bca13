"""VIP tokens' storage on every backend: tokens kept whole, counted uses, one redemption per fan, races."""

import asyncio
from datetime import timedelta

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.subscription_fixtures import MONTH, WEEK, subscription_service
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.audit import Actor, AuditLog
from yabot_core.kernel import ConcurrentUpdateError, FakeClock, SequentialIds, UserId
from yabot_core.subscriptions import (
    TOKENS_TARGET,
    EntryKind,
    SourceKind,
    SubscriptionService,
    TokenAlreadyRedeemedError,
    TokenExpiredError,
    TokenRedemption,
    TokenRevokedError,
    TokenUsedUpError,
    UnknownTokenError,
    VipToken,
    VipTokens,
)

DIANA = Actor.operator("diana")
FANS = 50


def vip_tokens(storage: StorageBackend, clock: FakeClock, service: SubscriptionService) -> VipTokens:
    """The tokens service over ``storage``, granting through ``service``."""
    return VipTokens(
        transactions=storage.transactions,
        queries=storage.vip_token_queries,
        subscriptions=service,
        audit=AuditLog(storage.audit_queries, clock, SequentialIds("a")),
        clock=clock,
    )


async def stored(storage: StorageBackend, code: str) -> VipToken | None:
    async def read(uow: StorageUnitOfWork) -> VipToken | None:
        return await uow.vip_tokens.get(code)

    return await storage.transactions.run(read)


class VipTokensContract(ContractBase):
    """What every backend's VIP tokens slice must do."""

    @pytest.fixture(name="service")
    def service_fixture(self, storage: StorageBackend, clock: FakeClock) -> SubscriptionService:
        return subscription_service(storage, clock, prefix="t")

    @pytest.fixture(name="tokens")
    def tokens_fixture(
        self, storage: StorageBackend, clock: FakeClock, service: SubscriptionService
    ) -> VipTokens:
        return vip_tokens(storage, clock, service)

    async def test_tokens_are_stored_whole_and_their_creation_audited(
        self, storage: StorageBackend, tokens: VipTokens, clock: FakeClock
    ) -> None:
        """Created tokens read back equal; one audit entry lists the batch's codes."""
        expires = clock.now() + timedelta(days=7)
        made = await tokens.create(MONTH, actor=DIANA, count=3, uses=5, expires_at=expires)
        assert len({token.code for token in made}) == 3
        for token in made:
            assert await stored(storage, token.code) == token
            assert (token.days, token.uses, token.used, token.expires_at) == (30, 5, 0, expires)
        audit = await storage.audit_queries.page(limit=10, offset=0, target=TOKENS_TARGET)
        (entry,) = audit.entries
        assert entry.action == "subscriptions.tokens_create"
        assert entry.detail["codes"] == [token.code for token in made]

    async def test_a_code_taken_twice_is_a_conflict_and_nothing_is_kept(
        self, storage: StorageBackend, tokens: VipTokens
    ) -> None:
        """Adding a token whose code exists fails as a concurrent update; the first token stays."""
        (token,) = await tokens.create(WEEK, actor=DIANA)

        async def add_again(uow: StorageUnitOfWork) -> None:
            await uow.vip_tokens.add(token.model_copy(update={"plan_id": MONTH}))

        with pytest.raises(ConcurrentUpdateError):
            await storage.transactions.run(add_again)
        assert await stored(storage, token.code) == token

    async def test_redeeming_grants_the_days_and_takes_a_use(
        self, storage: StorageBackend, tokens: VipTokens, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """A redemption is a grant from the token (its code the source) and one use, in one commit."""
        (token,) = await tokens.create(WEEK, actor=DIANA, uses=2)
        change = await tokens.redeem(UserId(7), token.code)
        assert change.entry.kind is EntryKind.GRANT
        assert (change.entry.source, change.entry.reference) == (SourceKind.TOKEN, token.code)
        assert change.subscription.vip_until == clock.now() + timedelta(days=7)
        assert (await stored(storage, token.code)) == token.model_copy(update={"used": 1})

        async def redemption(uow: StorageUnitOfWork) -> TokenRedemption | None:
            return await uow.vip_tokens.redemption(token.code, UserId(7))

        found = await storage.transactions.run(redemption)
        assert found is not None
        assert (found.entry_id, found.redeemed_at) == (change.entry.entry_id, clock.now())
        assert await service.vip.is_vip(UserId(7))

    async def test_a_fan_redeems_a_token_once_and_used_up_or_expired_tokens_give_nothing(
        self, storage: StorageBackend, tokens: VipTokens, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """The same fan again, a fan after the last use, a fan after the end: refused, nothing changes."""
        (single,) = await tokens.create(WEEK, actor=DIANA)
        (timed,) = await tokens.create(WEEK, actor=DIANA, uses=9, expires_at=clock.now() + timedelta(hours=1))
        await tokens.redeem(UserId(7), single.code)
        with pytest.raises(TokenAlreadyRedeemedError):
            await tokens.redeem(UserId(7), single.code)
        with pytest.raises(TokenUsedUpError):
            await tokens.redeem(UserId(8), single.code)
        clock.advance(timedelta(hours=1))
        with pytest.raises(TokenExpiredError):
            await tokens.redeem(UserId(8), timed.code)
        for unknown in ("vip-AAAAAAAAAAAAAAAA", "hola", "", "vip-" + "A" * 60):
            with pytest.raises(UnknownTokenError):
                await tokens.redeem(UserId(8), unknown)
        assert await service.status(UserId(8)) is None
        assert (await stored(storage, single.code)) == single.model_copy(update={"used": 1})
        assert (await stored(storage, timed.code)) == timed

    async def test_fifty_fans_racing_for_a_single_use_code_make_one_vip(
        self, storage: StorageBackend, tokens: VipTokens, service: SubscriptionService
    ) -> None:
        """Fifty concurrent redemptions of a one-use code: one VIP, forty-nine told it is used up."""
        (token,) = await tokens.create(MONTH, actor=DIANA)
        fans = [UserId(1000 + i) for i in range(FANS)]
        results = await asyncio.gather(
            *(tokens.redeem(fan, token.code) for fan in fans), return_exceptions=True
        )
        winners = [
            fan for fan, result in zip(fans, results, strict=True) if not isinstance(result, Exception)
        ]
        assert len(winners) == 1
        assert all(isinstance(r, TokenUsedUpError) for r in results if isinstance(r, Exception)), results
        vips = [fan for fan in fans if await service.status(fan) is not None]
        assert vips == winners
        assert (await stored(storage, token.code)) == token.model_copy(update={"used": 1})

    async def test_a_code_for_three_raced_by_fifty_makes_three_vips(
        self, storage: StorageBackend, tokens: VipTokens, service: SubscriptionService
    ) -> None:
        """Uses are counted exactly under contention: as many VIPs as uses, never more."""
        (token,) = await tokens.create(MONTH, actor=DIANA, uses=3)
        fans = [UserId(2000 + i) for i in range(FANS)]
        results = await asyncio.gather(
            *(tokens.redeem(fan, token.code) for fan in fans), return_exceptions=True
        )
        assert sum(not isinstance(result, Exception) for result in results) == 3
        assert len([fan for fan in fans if await service.status(fan) is not None]) == 3
        assert (await stored(storage, token.code)) == token.model_copy(update={"used": 3})

    async def test_a_revoked_token_gives_nothing_more_and_revoking_again_changes_nothing(
        self, storage: StorageBackend, tokens: VipTokens, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """What a token gave stays; after the revocation nobody redeems it; the second revoke is a no-op."""
        (token,) = await tokens.create(WEEK, actor=DIANA, uses=10)
        await tokens.redeem(UserId(7), token.code)
        clock.advance(timedelta(minutes=5))
        revoked, done = await tokens.revoke(token.code, actor=DIANA)
        assert done
        assert (revoked.revoked_at, revoked.revoked_by, revoked.used) == (clock.now(), str(DIANA), 1)
        assert await stored(storage, token.code) == revoked
        with pytest.raises(TokenRevokedError):
            await tokens.redeem(UserId(8), token.code)
        assert await service.status(UserId(8)) is None
        assert await service.vip.is_vip(UserId(7))
        clock.advance(timedelta(minutes=5))
        again, done = await tokens.revoke(token.code, actor=Actor.operator("otra"))
        assert (again, done) == (revoked, False)
        with pytest.raises(UnknownTokenError):
            await tokens.revoke("vip-AAAAAAAAAAAAAAAA", actor=DIANA)
        audit = await storage.audit_queries.page(limit=10, offset=0, target=TOKENS_TARGET)
        assert [entry.action for entry in audit.entries] == [
            "subscriptions.tokens_revoke",
            "subscriptions.tokens_create",
        ]

    async def test_a_redemption_that_read_the_token_before_its_revocation_is_refused(
        self, storage: StorageBackend, tokens: VipTokens
    ) -> None:
        """Storage moves a token's count only while it is not revoked: a stale read cannot give a use."""
        (token,) = await tokens.create(WEEK, actor=DIANA, uses=10)
        await tokens.revoke(token.code, actor=DIANA)
        redemption = TokenRedemption(
            code=token.code, user_id=UserId(9), entry_id="e-stale", redeemed_at=token.created_at
        )

        async def stale(uow: StorageUnitOfWork) -> None:
            await uow.vip_tokens.redeem(token.model_copy(update={"used": 1}), redemption)

        with pytest.raises(ConcurrentUpdateError):
            await storage.transactions.run(stale)

    async def test_tokens_are_listed_newest_first_in_pages(self, tokens: VipTokens, clock: FakeClock) -> None:
        """Every token, newest first, with the count; pages do not overlap."""
        made = []
        for _ in range(3):
            made += await tokens.create(WEEK, actor=DIANA)
            clock.advance(timedelta(minutes=1))
        first = await tokens.page(limit=2)
        rest = await tokens.page(limit=2, offset=2)
        assert (first.total, rest.total) == (3, 3)
        assert [t.code for t in first.tokens + rest.tokens] == [t.code for t in reversed(made)]
