"""The reconciliation's check of the tienda: sold and bought counters against the purchases they count.

A purchase record commits with its debit (a ledger entry), its mochila operation and both counters, and it
is what a replayed tap reads: the purchases are the truth, a counter is their count kept for a quick «quedan
N». So a drifted counter is repairable: set to its purchases' count, over the version the check saw (a
purchase committed since moved the version, and the repair leaves that counter to the next run). Nothing
else moves: no besitos, no mochila. Lowering a sold counter puts units back on sale; that is right when
the purchases are the truth, which is why it happens only on request (``--reparar``), audited.
"""

from typing import Final, Protocol

from yabot_core.audit import Actor, AuditLog, AuditUnitOfWork
from yabot_core.kernel import spanish_number
from yabot_core.store import BuyerLine, CountMismatch, StockLine, StoreUnitOfWork

STORE_PURCHASES: Final = "store.purchases"
"""The check of the tienda's sold and bought counters against its stored purchases."""
COUNT_REPAIR_ACTION: Final = "operations.store_count_repair"
"""The audit action of a tienda counter set back to its purchases' count."""


class StoreCountUnitOfWork(StoreUnitOfWork, AuditUnitOfWork, Protocol):
    """A unit of work reaching the tienda and the audit log."""


def counter_subject(mismatch: CountMismatch) -> str:
    """What a finding is about, in Spanish: the item's sold counter, or one fan's bought counter."""
    if mismatch.user_id is None:
        return f"tienda, vendidos de «{mismatch.item_id}»"
    return f"tienda, compras del usuario {mismatch.user_id} de «{mismatch.item_id}»"


def counter_description(mismatch: CountMismatch) -> str:
    """The disagreement, in Spanish."""
    return (
        f"el contador dice {spanish_number(mismatch.counted)}, pero hay "
        f"{spanish_number(mismatch.purchases)} compras guardadas"
    )


async def repair_count(
    uow: StoreCountUnitOfWork, mismatch: CountMismatch, audit: AuditLog, actor: Actor
) -> bool:
    """Set the counter to its purchases' count if it is still at the version the check saw; audit it.

    Returns whether it was set (``False``: a purchase moved it since; the next run looks again).
    """
    item, user, version = mismatch.item_id, mismatch.user_id, mismatch.version
    if user is None:
        stock = await uow.store.stock(item)
        if (stock.version if stock else 0) != version:
            return False
        await uow.store.save_stock(StockLine(item_id=item, sold=mismatch.purchases, version=version + 1))
        target = f"item:{item}"
    else:
        buyer = await uow.store.buyer(user, item)
        if (buyer.version if buyer else 0) != version:
            return False
        line = BuyerLine(user_id=user, item_id=item, bought=mismatch.purchases, version=version + 1)
        await uow.store.save_buyer(line)
        target = f"user:{user}/item:{item}"
    detail = {"contador_anterior": mismatch.counted, "compras": mismatch.purchases}
    await audit.record_in(uow, actor, COUNT_REPAIR_ACTION, target, detail=detail)
    return True
