"""The subscription service's rules: lengths, periods, keys, revocations, expiries, payments and refunds."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.contracts.common import recorded_events
from tests.contracts.subscription_fixtures import MONTH, WEEK
from yabot_adapters.memory import InMemoryStorage
from yabot_core.audit import Actor
from yabot_core.kernel import (
    CorrelationId,
    FakeClock,
    IdempotencyKeyReusedError,
    InvalidInputError,
    UserId,
    correlation_scope,
)
from yabot_core.subscriptions import (
    MAX_DAYS,
    ChargeNotFoundError,
    EntryKind,
    InvalidDurationError,
    NotVipError,
    RenewalAlreadyCancelledError,
    SourceKind,
    SubscriptionCancelled,
    SubscriptionExpired,
    SubscriptionExtended,
    SubscriptionRefunded,
    SubscriptionRevoked,
    SubscriptionService,
    SubscriptionStarted,
    SubscriptionStatus,
    UnknownPlanError,
    VipAlreadyLongerError,
)
from yabot_core.users import UserRegistered, UserSource

ANA = UserId(11)
LUIS = UserId(12)
DIANA = Actor.operator("diana")
DAY = timedelta(days=1)


async def snapshot(storage: InMemoryStorage) -> tuple[object, ...]:
    subscriptions, audit = storage.states["subscriptions"], storage.states["audit"]
    return (
        dict(subscriptions.subscriptions),
        dict(subscriptions.entries_by_key),
        dict(audit.entries),
        await recorded_events(storage),
    )


class TestGrant:
    async def test_a_grant_starts_a_period_and_registers_a_stranger(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """A first grant opens a period ending ``days`` from now, registers the fan and says so."""
        change = await service.grant(ANA, days=30, actor=DIANA, idempotency_key="g", reason="  Por su apoyo ")
        subscription, entry = change.subscription, change.entry
        assert change.new_user
        assert not change.replayed
        assert (entry.kind, entry.days, entry.seconds, entry.reason) == (
            EntryKind.GRANT,
            30,
            30 * 86_400,
            "Por su apoyo",
        )
        assert (entry.source, entry.actor, entry.sequence) == (SourceKind.OPERATOR, "operator:diana", 1)
        assert subscription.vip_until == clock.now() + 30 * DAY == entry.vip_until
        assert (subscription.period_started_at, subscription.period_sequence) == (clock.now(), 1)
        assert subscription.status(clock.now()) is SubscriptionStatus.ACTIVE
        user = await storage.user_queries.get(ANA)
        assert user is not None
        assert user.source is UserSource.OPERATOR
        registered, started = await recorded_events(storage)
        assert isinstance(registered, UserRegistered)
        assert isinstance(started, SubscriptionStarted)
        assert (started.user_id, started.entry_id, started.vip_until) == (
            ANA,
            entry.entry_id,
            entry.vip_until,
        )
        assert (started.seconds, started.source) == (30 * 86_400, SourceKind.OPERATOR)

    async def test_a_grant_to_a_vip_extends_from_the_end(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Granting to an active VIP adds the days after the current end, in the same period."""
        first = await service.grant(ANA, days=10, actor=DIANA, idempotency_key="a")
        clock.advance(3 * DAY)
        change = await service.grant(ANA, days=5, actor=DIANA, idempotency_key="b")
        assert change.entry.kind is EntryKind.EXTEND
        assert change.subscription.vip_until == first.subscription.vip_until + 5 * DAY
        assert change.subscription.period_sequence == 1
        assert not change.new_user
        extended = (await recorded_events(storage))[-1]
        assert isinstance(extended, SubscriptionExtended)
        assert extended.previous_until == first.subscription.vip_until

    async def test_a_grant_after_the_end_starts_a_new_period(
        self, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """Once the VIP ran out (swept or not), a grant counts from now, as a new period."""
        await service.grant(ANA, days=1, actor=DIANA, idempotency_key="a")
        clock.advance(2 * DAY)
        change = await service.grant(ANA, days=3, actor=DIANA, idempotency_key="b")
        assert change.entry.kind is EntryKind.GRANT
        assert change.subscription.vip_until == clock.now() + 3 * DAY
        assert (change.subscription.period_started_at, change.subscription.period_sequence) == (
            clock.now(),
            2,
        )

    async def test_a_grant_until_a_date(self, service: SubscriptionService, clock: FakeClock) -> None:
        """``until`` sets the end itself (whole seconds); it must lie beyond an active VIP's end."""
        end = clock.now() + timedelta(days=20, microseconds=250)
        change = await service.grant(ANA, until=end, actor=DIANA, idempotency_key="a")
        assert change.subscription.vip_until == end.replace(microsecond=0)
        assert change.entry.requested_until == end.replace(microsecond=0)
        later = await service.grant(ANA, until=end + DAY, actor=DIANA, idempotency_key="b")
        assert (later.entry.kind, later.entry.seconds) == (EntryKind.EXTEND, 86_400)
        with pytest.raises(VipAlreadyLongerError) as caught:
            await service.grant(ANA, until=end - DAY, actor=DIANA, idempotency_key="c")
        assert caught.value.code == "vip_ya_cubierto"

    @pytest.mark.parametrize(
        ("days", "until", "message"),
        [
            (None, None, "Indique los días de VIP o la fecha en que termina, una de las dos."),
            (3, datetime(2026, 2, 1, tzinfo=UTC), "Indique los días de VIP o la fecha en que termina"),
            (0, None, "Los días de VIP deben ser un número entero entre 1 y 3.650."),
            (MAX_DAYS + 1, None, "entre 1 y 3.650"),
            (True, None, "entre 1 y 3.650"),
            (None, datetime(2026, 2, 1), "La fecha de fin del VIP debe llevar zona horaria."),  # noqa: DTZ001
            (None, datetime(2025, 2, 1, tzinfo=UTC), "La fecha de fin del VIP ya ha pasado"),
            (None, datetime(2037, 1, 1, tzinfo=UTC), "no puede terminar más de 3.650 días después de hoy"),
        ],
    )
    async def test_a_bad_length_changes_nothing(
        self,
        service: SubscriptionService,
        storage: InMemoryStorage,
        days: int | None,
        until: datetime | None,
        message: str,
    ) -> None:
        """Neither or both of days and until, bad days, a naive, past or far end: refused in Spanish."""
        before = await snapshot(storage)
        with pytest.raises(InvalidDurationError) as caught:
            await service.grant(ANA, days=days, until=until, actor=DIANA, idempotency_key="k")
        assert message in caught.value.message
        assert caught.value.code == "duracion_invalida"
        assert await snapshot(storage) == before

    async def test_an_extension_past_ten_years_is_refused(self, service: SubscriptionService) -> None:
        """No VIP may end more than ``MAX_DAYS`` from now, however it is reached."""
        await service.grant(ANA, days=MAX_DAYS, actor=DIANA, idempotency_key="a")
        with pytest.raises(InvalidDurationError):
            await service.grant(ANA, days=1, actor=DIANA, idempotency_key="b")

    async def test_extend_needs_an_active_vip(self, service: SubscriptionService, clock: FakeClock) -> None:
        """``extend`` only renews: without an active VIP it is refused and nothing changes."""
        with pytest.raises(NotVipError) as caught:
            await service.extend(ANA, days=3, actor=DIANA, idempotency_key="a")
        assert caught.value.message == "El usuario 11 no tiene VIP activo."
        await service.grant(ANA, days=1, actor=DIANA, idempotency_key="b")
        assert (
            await service.extend(ANA, days=3, actor=DIANA, idempotency_key="c")
        ).entry.seconds == 3 * 86_400
        clock.advance(5 * DAY)
        with pytest.raises(NotVipError):
            await service.extend(ANA, days=3, actor=DIANA, idempotency_key="d")


class TestKeys:
    async def test_a_replayed_key_returns_the_first_result(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """The same grant again changes nothing (later too) and returns the first entry, marked replayed."""
        first = await service.grant(ANA, days=7, actor=DIANA, idempotency_key="k")
        events = await recorded_events(storage)
        clock.advance(DAY)
        again = await service.grant(ANA, days=7, actor=Actor.admin(ANA), idempotency_key="k")
        assert again.replayed
        assert again.entry == first.entry
        assert again.subscription == first.subscription
        assert await recorded_events(storage) == events

    @pytest.mark.parametrize(
        "other",
        [
            {"user_id": ANA, "days": 8},
            {"user_id": LUIS, "days": 7},
            {"user_id": ANA, "until": datetime(2026, 3, 1, tzinfo=UTC)},
        ],
    )
    async def test_a_key_reused_for_another_grant_is_refused(
        self, service: SubscriptionService, storage: InMemoryStorage, other: dict[str, object]
    ) -> None:
        """A key sent again with another fan or length is a caller's bug: refused, nothing changes."""
        await service.grant(ANA, days=7, actor=DIANA, idempotency_key="k")
        before = await snapshot(storage)
        with pytest.raises(IdempotencyKeyReusedError):
            await service.grant(actor=DIANA, idempotency_key="k", **other)  # type: ignore[arg-type]
        assert await snapshot(storage) == before

    async def test_a_key_reused_for_another_operation_is_refused(self, service: SubscriptionService) -> None:
        """A grant's key used to revoke (or a revocation's to grant) is refused."""
        await service.grant(ANA, days=7, actor=DIANA, idempotency_key="g")
        with pytest.raises(IdempotencyKeyReusedError):
            await service.revoke(ANA, actor=DIANA, idempotency_key="g")
        await service.revoke(ANA, actor=DIANA, idempotency_key="r")
        with pytest.raises(IdempotencyKeyReusedError):
            await service.grant(ANA, days=7, actor=DIANA, idempotency_key="r")

    @pytest.mark.parametrize(
        ("key", "message"),
        [
            ("", "La clave de idempotencia debe tener entre 1 y 200 caracteres."),
            ("x" * 201, "entre 1 y 200 caracteres"),
            ("yabot:vip-payment:ch_1", "están reservadas para YABOT"),
        ],
    )
    async def test_bad_and_reserved_keys_are_refused(
        self, service: SubscriptionService, key: str, message: str
    ) -> None:
        """Empty or long keys, and the reserved ``yabot:`` prefix (payments, refunds...), are refused."""
        with pytest.raises(InvalidInputError) as caught:
            await service.grant(ANA, days=1, actor=DIANA, idempotency_key=key)
        assert message in caught.value.message


class TestEndings:
    async def test_revoke_ends_an_active_vip_now(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Revoking moves the end to now and closes the period; the event carries the reason."""
        await service.grant(ANA, days=30, actor=DIANA, idempotency_key="g")
        clock.advance(DAY)
        change = await service.revoke(ANA, actor=DIANA, idempotency_key="r", reason="Normas del canal")
        assert change.subscription.vip_until == clock.now() == change.subscription.ended_at
        assert change.entry.seconds == -29 * 86_400
        revoked = (await recorded_events(storage))[-1]
        assert isinstance(revoked, SubscriptionRevoked)
        assert revoked.reason == "Normas del canal"
        assert not await service.vip.is_vip(ANA)

    async def test_revoke_and_cancel_need_an_active_vip(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Nobody, a lapsed VIP or an ended one cannot be revoked or cancelled; nothing changes."""
        for attempt in range(3):
            before = await snapshot(storage)
            for call in (service.revoke, service.cancel):
                with pytest.raises(NotVipError):
                    await call(ANA, actor=DIANA, idempotency_key=f"x{attempt}")
            assert await snapshot(storage) == before
            if attempt == 0:
                await service.grant(ANA, days=1, actor=DIANA, idempotency_key="g")
                clock.advance(2 * DAY)  # lapsed, not swept
            else:
                await service.expire(ANA)

    async def test_cancel_turns_renewal_off_once(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Cancelling keeps the end; cancelling again is refused; a new grant turns renewal back on."""
        granted = await service.grant(ANA, days=30, actor=DIANA, idempotency_key="g")
        change = await service.cancel(ANA, actor=DIANA, idempotency_key="c")
        assert change.subscription.vip_until == granted.subscription.vip_until
        assert change.subscription.cancelled_at == clock.now()
        assert isinstance((await recorded_events(storage))[-1], SubscriptionCancelled)
        with pytest.raises(RenewalAlreadyCancelledError):
            await service.cancel(ANA, actor=DIANA, idempotency_key="c2")
        assert (await service.cancel(ANA, actor=DIANA, idempotency_key="c")).replayed
        renewed = await service.grant(ANA, days=1, actor=DIANA, idempotency_key="g2")
        assert renewed.subscription.cancelled_at is None

    async def test_expire_closes_only_what_ran_out(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Expiring does nothing before the end, closes a lapsed VIP once, and nothing afterwards."""
        assert await service.expire(ANA) is None
        await service.grant(ANA, days=2, actor=DIANA, idempotency_key="g")
        assert await service.expire(ANA) is None
        clock.advance(2 * DAY)  # exactly the end: no longer VIP
        assert not await service.vip.is_vip(ANA)
        change = await service.expire(ANA)
        assert change is not None
        assert (change.entry.kind, change.entry.seconds, change.entry.actor) == (
            EntryKind.EXPIRE,
            0,
            "system:yabot",
        )
        assert change.subscription.ended_at == clock.now()
        assert await service.expire(ANA) is None
        expired = [e for e in await recorded_events(storage) if isinstance(e, SubscriptionExpired)]
        assert len(expired) == 1


class TestPayments:
    async def test_a_payment_applies_once_per_charge(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """A Stars payment gives its plan's days; the same charge delivered twice applies once."""
        first = await service.pay(ANA, MONTH, "ch_1")
        again = await service.pay(ANA, MONTH, "ch_1")
        assert again.replayed
        assert again.entry == first.entry
        assert (first.entry.source, first.entry.reference, first.entry.plan_id) == (
            SourceKind.PAYMENT,
            "ch_1",
            MONTH,
        )
        assert first.entry.actor == "user:11"
        assert first.subscription.vip_until == clock.now() + 30 * DAY
        assert first.subscription.plan_id == MONTH
        started = [e for e in await recorded_events(storage) if isinstance(e, SubscriptionStarted)]
        assert [(e.reference, e.plan_id) for e in started] == [("ch_1", MONTH)]
        assert (await storage.audit_queries.page(limit=10, offset=0)).total == 0  # the fan is no admin

    async def test_a_charge_is_one_fans_and_one_plans(self, service: SubscriptionService) -> None:
        """The same charge id for another fan or plan is refused; an unknown plan too."""
        await service.pay(ANA, MONTH, "ch_1")
        with pytest.raises(IdempotencyKeyReusedError):
            await service.pay(LUIS, MONTH, "ch_1")
        with pytest.raises(IdempotencyKeyReusedError):
            await service.pay(ANA, WEEK, "ch_1")
        with pytest.raises(UnknownPlanError) as caught:
            await service.pay(ANA, "vip-mensul", "ch_2")
        assert (
            caught.value.message
            == "No existe ningún plan con el id «vip-mensul» (¿quiso decir «vip-mensual»?)."
        )

    async def test_a_refund_takes_back_what_the_charge_bought(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Refunding a charge removes its days from the end, once; an unknown charge is refused."""
        await service.grant(ANA, days=10, actor=DIANA, idempotency_key="g")
        await service.pay(ANA, WEEK, "ch_1")
        clock.advance(DAY)
        change = await service.refund("ch_1", actor=DIANA, reason="Pidió la devolución")
        assert change.entry.seconds == -7 * 86_400
        assert change.subscription.vip_until == clock.now() + 9 * DAY
        refunded = (await recorded_events(storage))[-1]
        assert isinstance(refunded, SubscriptionRefunded)
        assert (refunded.charge_id, refunded.access_ended) == ("ch_1", False)
        assert (await service.refund("ch_1", actor=DIANA)).replayed
        with pytest.raises(ChargeNotFoundError) as caught:
            await service.refund("ch_9", actor=DIANA)
        assert caught.value.message == "Ningún VIP se pagó con el cargo ch_9."

    async def test_a_refund_of_more_than_is_left_ends_the_vip(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """When the charge bought more than remains, the VIP ends now and the event says access ended."""
        await service.pay(ANA, MONTH, "ch_1")
        clock.advance(20 * DAY)
        change = await service.refund("ch_1", actor=DIANA)
        assert change.entry.seconds == -10 * 86_400
        assert change.subscription.ended_at == clock.now() == change.subscription.vip_until
        refunded = (await recorded_events(storage))[-1]
        assert isinstance(refunded, SubscriptionRefunded)
        assert refunded.access_ended

    async def test_a_refund_from_an_earlier_period_takes_nothing_now(
        self, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """A payment whose period is over bought nothing of the current VIP: the refund takes nothing off."""
        await service.pay(ANA, WEEK, "ch_1")
        clock.advance(8 * DAY)
        current = await service.grant(ANA, days=30, actor=DIANA, idempotency_key="g")
        change = await service.refund("ch_1", actor=DIANA)
        assert change.entry.seconds == 0
        assert change.subscription.vip_until == current.subscription.vip_until


class TestRecords:
    async def test_admin_actions_are_audited_with_their_events_correlation(
        self, service: SubscriptionService, storage: InMemoryStorage
    ) -> None:
        """An admin change writes one audit line with the event's correlation id; a replay writes none."""
        with correlation_scope(CorrelationId("cli-1")):
            change = await service.grant(
                ANA, days=3, actor=Actor.admin(LUIS), idempotency_key="g", reason="Sí"
            )
            await service.grant(ANA, days=3, actor=Actor.admin(LUIS), idempotency_key="g")
        (entry,) = (await storage.audit_queries.page(limit=10, offset=0)).entries
        assert (entry.actor, entry.action, entry.target) == (
            Actor.admin(LUIS),
            "subscriptions.grant",
            "user:11",
        )
        assert entry.correlation_id == change.entry.correlation_id == "cli-1"
        assert entry.detail["days"] == 3
        assert entry.detail["reason"] == "Sí"
        assert entry.detail["entry_id"] == change.entry.entry_id
        started = (await recorded_events(storage))[-1]
        assert started.correlation_id == "cli-1"

    async def test_times_are_whole_seconds(self, service: SubscriptionService, clock: FakeClock) -> None:
        """The clock's fraction of a second is dropped, so every backend stores the history exactly."""
        clock.advance(timedelta(microseconds=654_321))
        change = await service.grant(ANA, days=1, actor=DIANA, idempotency_key="g")
        assert change.entry.created_at.microsecond == 0
        assert change.subscription.vip_until.microsecond == 0

    async def test_lists_and_pages(self, service: SubscriptionService, clock: FakeClock) -> None:
        """``active`` lists VIPs soonest end first (within a window), ``due`` those run out."""
        for user, days in ((UserId(21), 5), (UserId(22), 1), (UserId(23), 3)):
            await service.grant(user, days=days, actor=DIANA, idempotency_key=f"g{user}")
        assert [s.user_id for s in (await service.active()).subscriptions] == [22, 23, 21]
        assert [s.user_id for s in (await service.active(within=3 * DAY)).subscriptions] == [22, 23]
        clock.advance(2 * DAY)
        assert [s.user_id for s in (await service.due()).subscriptions] == [22]
        for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"within": -DAY}):
            with pytest.raises(InvalidInputError):
                await service.active(**bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            await service.statement(ANA, limit=0)
