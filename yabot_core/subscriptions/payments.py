"""Paying for VIP in Telegram Stars: the invoice's payload, the pre-checkout check, refunds.

The check is made against the plan catalog, never against what the client sent: the plan named by the
payload must exist and the amount and currency Telegram reports must be the catalog's. A refund gives the
Stars back through Telegram first (the :class:`StarRefunds` port) and then takes back the days they bought.
"""

from dataclasses import dataclass
from typing import Final, Protocol

from yabot_core.audit import Actor
from yabot_core.kernel import DomainError, UserId, checked_note, checked_user_id
from yabot_core.subscriptions.errors import ChargeNotFoundError
from yabot_core.subscriptions.models import VipChange
from yabot_core.subscriptions.plans import Plan, PlanCatalog
from yabot_core.subscriptions.service import SubscriptionService
from yabot_core.subscriptions.validation import checked_reference

STARS: Final = "XTR"
"""Telegram Stars' currency code: invoices in Stars carry it and no payment provider."""
PAYLOAD_PREFIX: Final = "vip:"
"""An invoice payload is ``vip:<plan id>``: at most 68 bytes, within Telegram's 128."""
MAX_PAYLOAD_BYTES: Final = 128


class CheckoutRefusedError(DomainError):
    """A pre-checkout that does not match the catalog: an unknown plan, another amount or currency."""

    code = "pago_rechazado"

    def __init__(self, reason: str, message: str, detail: dict[str, object]) -> None:
        self.reason = reason
        """``plan`` (not on sale) or ``amount`` (another amount or currency)."""
        super().__init__(message, detail=detail)


class PaymentOwnerError(DomainError):
    """A refund named a fan who did not make that payment."""

    code = "pago_de_otro_usuario"

    def __init__(self, charge_id: str, user_id: int, payer: int) -> None:
        super().__init__(
            f"El cargo {charge_id} no lo pagó el usuario {user_id} sino el {payer}; no se reembolsa nada.",
            detail={"charge_id": charge_id[:200], "user_id": user_id, "payer": payer},
        )


class StarRefundRefusedError(DomainError):
    """Telegram refused to refund the Stars of a charge (an unknown charge, another fan's)."""

    code = "reembolso_rechazado"

    def __init__(self, charge_id: str, description: str) -> None:
        super().__init__(
            f"Telegram no ha reembolsado el cargo {charge_id}: {description}",
            detail={"charge_id": charge_id[:200], "telegram": description[:200]},
        )


def invoice_payload(plan: Plan) -> str:
    """The payload of ``plan``'s invoice: it names the plan, and nothing the fan could change."""
    payload = f"{PAYLOAD_PREFIX}{plan.id}"
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:  # a plan id is at most 64 characters of [a-z0-9-]
        msg = f"payload of plan {plan.id} is over {MAX_PAYLOAD_BYTES} bytes"
        raise ValueError(msg)
    return payload


def plan_of(catalog: PlanCatalog, payload: str) -> Plan | None:
    """The plan an invoice payload names, or ``None`` (not ours, or the plan is no longer on sale)."""
    if not payload.startswith(PAYLOAD_PREFIX):
        return None
    return catalog.get(payload.removeprefix(PAYLOAD_PREFIX))


def checked_checkout(catalog: PlanCatalog, payload: str, currency: str, total_amount: int) -> Plan:
    """Return the plan a pre-checkout (or a successful payment) is for, if it matches the catalog.

    Raises:
        CheckoutRefusedError: the plan is unknown, or the currency or the amount are not the catalog's;
            the message is for the fan (Telegram shows it in the payment form).
    """
    plan = plan_of(catalog, payload)
    if plan is None:
        raise CheckoutRefusedError(
            "plan",
            "Ese plan ya no está a la venta. Escriba /vip para ver los planes de hoy.",
            {"payload": payload[:MAX_PAYLOAD_BYTES]},
        )
    if currency != STARS or total_amount != plan.price:
        raise CheckoutRefusedError(
            "amount",
            "El importe no coincide con el precio del plan. Escriba /vip y vuelva a elegirlo, por favor.",
            {"plan_id": plan.id, "currency": currency[:8], "total_amount": total_amount},
        )
    return plan


class StarRefunds(Protocol):
    """Gives a fan back the Stars of one payment (Telegram's ``refundStarPayment``)."""

    async def refund_stars(self, user_id: UserId, charge_id: str) -> None:
        """Refund the charge to the fan who paid it; a charge refunded already counts as done.

        Raises:
            UnavailableError: Telegram could not be reached, or asked to wait (nothing was refunded).
            DomainError: Telegram refused (an unknown charge, another fan's): nothing was refunded.
        """
        ...


@dataclass(frozen=True, slots=True)
class PaymentRefunds:
    """An admin's refund: the Stars back through Telegram, then the days they bought taken back (audited)."""

    service: SubscriptionService
    stars: StarRefunds

    async def refund(
        self, user_id: UserId, charge_id: str, *, actor: Actor, reason: str | None = None
    ) -> VipChange:
        """Refund ``charge_id`` to ``user_id``; once per charge, however often asked.

        Nothing changes unless the charge is a VIP payment of that fan and Telegram refunded the Stars.

        Raises:
            ChargeNotFoundError: no VIP was paid with that charge.
            PaymentOwnerError: another fan paid it.
            InvalidInputError: a bad user id, charge id or reason.
            UnavailableError, DomainError: Telegram did not refund (nothing else happened).
        """
        user = checked_user_id(user_id)
        charge = checked_reference(charge_id)
        checked_note(reason)  # a bad reason refuses before Telegram is asked
        paid = await self.service.payment(charge)
        if paid is None:
            raise ChargeNotFoundError(charge)
        if paid.user_id != user:
            raise PaymentOwnerError(charge, user, paid.user_id)
        await self.stars.refund_stars(user, charge)
        return await self.service.refund(charge, actor=actor, reason=reason)
