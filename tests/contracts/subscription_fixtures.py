"""What the subscription suites share: a small plan catalog, a service over any backend, history builders."""

from datetime import datetime, timedelta
from typing import Final

from yabot_adapters.storage import StorageBackend
from yabot_core.audit import AuditLog
from yabot_core.kernel import Clock, CorrelationId, IdempotencyKey, SequentialIds, UserId
from yabot_core.subscriptions import (
    EntryKind,
    Plan,
    PlanCatalog,
    SourceKind,
    Subscription,
    SubscriptionEntry,
    SubscriptionService,
    apply,
)
from yabot_core.users import UserDirectory

MONTH: Final = "vip-mensual"
WEEK: Final = "vip-semanal"


def small_plans() -> PlanCatalog:
    """Two plans: a month for 500 stars, a week for 150."""
    return PlanCatalog(
        plans=(
            Plan.model_validate(
                {"id": MONTH, "nombre": "VIP un mes", "dias": 30, "precio": 500, "descripcion": "Un mes."}
            ),
            Plan.model_validate(
                {
                    "id": WEEK,
                    "nombre": "VIP una semana",
                    "dias": 7,
                    "precio": 150,
                    "descripcion": "Siete días.",
                }
            ),
        )
    )


def subscription_service(
    storage: StorageBackend, clock: Clock, *, prefix: str = "s", vip_ttl: timedelta | None = None
) -> SubscriptionService:
    """The service over ``storage``, with its own users directory and audit log."""
    ids = SequentialIds(prefix)
    users = UserDirectory(storage.transactions, storage.user_queries, clock, ids)
    audit = AuditLog(storage.audit_queries, clock, ids)
    options = {} if vip_ttl is None else {"vip_ttl": vip_ttl}
    return SubscriptionService(
        transactions=storage.transactions,
        queries=storage.subscription_queries,
        users=users,
        audit=audit,
        plans=small_plans(),
        clock=clock,
        ids=ids,
        **options,
    )


def history_entry(
    current: Subscription | None,
    kind: EntryKind,
    seconds: int,
    *,
    at: datetime,
    key: str,
    user: UserId,
    reference: str | None = None,
    reason: str | None = None,
) -> tuple[SubscriptionEntry, Subscription]:
    """An entry following ``current`` and the subscription after it, as the service would write them."""
    base = at if kind is EntryKind.GRANT or current is None else current.vip_until
    entry = SubscriptionEntry(
        entry_id=f"e-{key}",
        user_id=user,
        sequence=1 if current is None else current.sequence + 1,
        kind=kind,
        days=seconds // 86_400 if kind in (EntryKind.GRANT, EntryKind.EXTEND) else None,
        seconds=seconds,
        vip_until=base + timedelta(seconds=seconds),
        source=SourceKind.PAYMENT if reference else SourceKind.OPERATOR,
        reference=reference,
        reason=reason,
        idempotency_key=IdempotencyKey(key),
        correlation_id=CorrelationId("corr"),
        actor="operator:tests",
        created_at=at,
    )
    return entry, apply(current, entry)
