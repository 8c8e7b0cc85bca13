"""/vip and paying for it in Telegram Stars: the fan's status, the plans, the invoice, pre-checkout, payment.

Every amount is the catalog's: the invoice's payload names only the plan, and the pre-checkout is answered
ok only if the plan exists and Telegram's total and currency are the plan's. A successful payment applies
once per ``telegram_payment_charge_id`` (the service's key), so a payment delivered twice extends once and
Lucien confirms once.
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, LabeledPrice, Message, PreCheckoutQuery

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.keyboards.vip import VipBuy, plan_keyboard, plan_named
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import ALERT_LIMIT, paragraphs, plain_text
from yabot_adapters.texts import Html
from yabot_core.kernel import Phrasebook, UserId
from yabot_core.subscriptions import (
    STARS,
    CheckoutRefusedError,
    EntryKind,
    Plan,
    SubscriptionService,
    checked_checkout,
    invoice_payload,
    plan_of,
)
from yabot_core.users import Registration

log = logging.getLogger(__name__)


class PaidMessage(Filter):
    """A message carrying a successful payment (a coroutine: a magic filter would run in a thread)."""

    async def __call__(self, message: Message) -> bool:
        """Whether the message reports a successful payment."""
        return message.successful_payment is not None


def setup() -> Router:
    """Return the VIP router: /vip, its buttons, the pre-checkout and the payment (private chats)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.callback_query.filter(PrivateChat(), registered)
    router.message.register(paid, PaidMessage())
    router.message.register(show_vip, Command("vip"))
    router.callback_query.register(buy, VipBuy.filter())
    router.pre_checkout_query.register(pre_checkout)
    return router


def _day(moment: datetime, timezone: ZoneInfo) -> str:
    return moment.astimezone(timezone).strftime("%d/%m/%Y")


async def show_vip(
    message: Message,
    registration: Registration,
    subscriptions: SubscriptionService,
    texts: Phrasebook,
    timezone: ZoneInfo,
) -> None:
    """The fan's VIP (until when) and the plans on sale, a button per plan."""
    user = registration.user
    until = await subscriptions.vip.vip_until(user.user_id)
    status = (
        texts.render("subscriptions-status-none", nombre=user.display_name)
        if until is None
        else texts.render(
            "subscriptions-status-active", nombre=user.display_name, hasta=_day(until, timezone)
        )
    )
    plans = tuple(subscriptions.plans)
    if not plans:
        await message.answer(paragraphs(status, texts.render("subscriptions-plans-none")))
        return
    lines = "\n".join(
        texts.render(
            "subscriptions-plan-line",
            plan=plan.name,
            dias=plan.days,
            precio=plan.price,
            descripcion=plan.description,
        )
        for plan in plans
    )
    offer = texts.render("subscriptions-plans", planes=Html(lines))
    await message.answer(
        paragraphs(status, offer), reply_markup=plan_keyboard(plans, lambda plan: _button(texts, plan))
    )


def _button(texts: Phrasebook, plan: Plan) -> str:
    return plain_text(texts.render("subscriptions-plan-button", plan=plan.name, precio=plan.price))


async def buy(
    query: CallbackQuery,
    callback_data: VipBuy,
    bot: Bot,
    subscriptions: SubscriptionService,
    texts: Phrasebook,
) -> None:
    """Send the invoice of the pressed plan, in Stars, at the catalog's price."""
    plan = plan_named(subscriptions.plans, callback_data.plan)
    if plan is None:
        alert = plain_text(texts.render("subscriptions-plan-gone"))[:ALERT_LIMIT]
        await query.answer(alert, show_alert=True)
        return
    await bot.send_invoice(
        chat_id=query.from_user.id,
        title=plan.name,
        description=plan.description,
        payload=invoice_payload(plan),
        currency=STARS,
        prices=[LabeledPrice(label=plan.name, amount=plan.price)],
        provider_token="",
    )
    await query.answer()


async def pre_checkout(
    query: PreCheckoutQuery, subscriptions: SubscriptionService, texts: Phrasebook
) -> None:
    """Answer ok only for a plan on sale, in Stars, at the catalog's price; else say why, in Spanish."""
    try:
        checked_checkout(subscriptions.plans, query.invoice_payload, query.currency, query.total_amount)
    except CheckoutRefusedError as exc:
        log.info("pre-checkout %s refused: %s", query.id, exc.detail)
        refusal = (
            texts.render("subscriptions-refused-plan")
            if exc.reason == "plan"
            else texts.render("subscriptions-refused-amount")
        )
        await query.answer(ok=False, error_message=plain_text(refusal))
        return
    await query.answer(ok=True)


async def paid(
    message: Message,
    registration: Registration,
    subscriptions: SubscriptionService,
    texts: Phrasebook,
    timezone: ZoneInfo,
) -> None:
    """Start or extend the fan's VIP, once per charge; Lucien confirms the first time only."""
    payment = message.successful_payment
    if payment is None:  # the filter let only payments through
        return
    user = registration.user
    charge = payment.telegram_payment_charge_id
    plan = plan_of(subscriptions.plans, payment.invoice_payload)
    if plan is None:  # paid for a plan withdrawn after its pre-checkout: an admin settles it by hand
        log.error(
            "payment %s of user %s for an unknown plan: %r", charge, user.user_id, payment.invoice_payload
        )
        await message.answer(texts.render("subscriptions-paid-unknown-plan", cargo=charge))
        return
    change = await subscriptions.pay(UserId(user.user_id), plan.id, charge)
    if change.replayed:
        log.info("payment %s of user %s delivered again: nothing more to do", charge, user.user_id)
        return
    until = _day(change.subscription.vip_until, timezone)
    if change.entry.kind is EntryKind.GRANT:
        await message.answer(
            texts.render("subscriptions-paid-started", nombre=user.display_name, plan=plan.name, hasta=until)
        )
        return
    await message.answer(
        texts.render("subscriptions-paid-extended", nombre=user.display_name, plan=plan.name, hasta=until)
    )
