"""The subscriptions module's /admin screens: a fan's VIP granted or revoked, VIP tokens made and withdrawn.

They call the same services as ``yabot vip grant|revoke`` and ``yabot vip tokens``, as the admin pressing
(``admin:<id>`` in the audit log). The fan's screen draws a tap id into its grant buttons (callback data),
part of the grant's idempotency key: a double tap, or Telegram delivering the press twice, grants once; the
screen drawn after a grant has a new tap id, so a deliberate second press grants again. A revocation's key
is the revoked period's (nothing to revoke twice).
"""

import secrets
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import ManagedTextInput, TextInput
from aiogram_dialog.widgets.kbd import Back, Button, Cancel, Column, Group, SwitchTo
from aiogram_dialog.widgets.text import Format

from yabot_adapters.telegram.admin.screens import acting_admin, audit_failure, choices, render, served
from yabot_adapters.texts import Html
from yabot_core.audit import user_target
from yabot_core.kernel import MAX_USER_ID, Clock, UserId, YabotError
from yabot_core.subscriptions import TOKENS_TARGET, SubscriptionService, VipToken, VipTokens
from yabot_core.users import UserDirectory

GRANT_DAYS: Final = (7, 30, 90)
"""The grants one press gives, in days."""

BATCHES: Final = (1, 5, 10, 25)
"""How many tokens one batch may make, from the menu."""

TAP_BYTES: Final = 6
"""Random bytes of a grant button's tap id (8 characters in its callback data)."""

LISTED: Final = 10
"""Tokens the list shows (the newest)."""


class VipAdminScreen(StatesGroup):
    """Which fan, their VIP, the revocation's confirmation."""

    ask = State()
    fan = State()
    revoke = State()


class TokensScreen(StatesGroup):
    """The newest tokens, a batch's plan and size, the codes made, the one to withdraw."""

    listing = State()
    plan = State()
    count = State()
    created = State()
    revoke = State()


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d/%m/%Y")


def _with_notice(manager: DialogManager, text: str) -> str:
    notice = manager.dialog_data.pop("notice", "")
    return f"{notice}\n\n{text}" if notice else text


# --- a fan's VIP ------------------------------------------------------------------------------------------


def fan_id(text: str) -> int:
    """A Telegram user id as an admin types it.

    Raises:
        ValueError: not a positive whole number within Telegram's ids.
    """
    cleaned = text.strip()
    if not cleaned.isdecimal() or not 0 < int(cleaned) <= MAX_USER_ID:
        raise ValueError(cleaned)
    return int(cleaned)


async def _asked(_message: Message, _widget: ManagedTextInput[int], manager: DialogManager, fan: int) -> None:
    manager.dialog_data["fan"] = fan
    await manager.switch_to(VipAdminScreen.fan)


async def _not_an_id(
    _message: Message, _widget: ManagedTextInput[int], manager: DialogManager, _error: ValueError
) -> None:
    manager.dialog_data["notice"] = render(manager, "subscriptions-admin-not-an-id")


async def _ask(dialog_manager: DialogManager, **_: object) -> dict[str, str]:
    return {
        "text": _with_notice(dialog_manager, render(dialog_manager, "subscriptions-admin-ask")),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _fan(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    fan = UserId(int(dialog_manager.dialog_data["fan"]))
    service = served(dialog_manager, "subscriptions", SubscriptionService)
    zone: ZoneInfo = dialog_manager.middleware_data["timezone"]
    try:
        name = (await served(dialog_manager, "users", UserDirectory).get(fan)).display_name
    except YabotError:
        name = "—"
    until = await service.vip.vip_until(fan)
    text = (
        render(
            dialog_manager, "subscriptions-admin-fan-vip", fan=str(fan), nombre=name, hasta=_day(until, zone)
        )
        if until is not None
        else render(dialog_manager, "subscriptions-admin-fan-free", fan=str(fan), nombre=name)
    )
    tap = dialog_manager.dialog_data.setdefault("tap", secrets.token_urlsafe(TAP_BYTES))
    return {
        "text": _with_notice(dialog_manager, text),
        "vip": until is not None,
        "revoke": render(dialog_manager, "subscriptions-admin-button-revoke"),
        "other": render(dialog_manager, "subscriptions-admin-button-other"),
        "back": render(dialog_manager, "admin-button-back"),
        "grants": [
            (f"{days}:{tap}", render(dialog_manager, "subscriptions-admin-button-grant", dias=days))
            for days in GRANT_DAYS
        ],
    }


async def _grant(_callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    """Grant the pressed button's days; its tap id makes a double tap one grant."""
    days_text, _, tap = item.partition(":")
    if not days_text.isdecimal() or int(days_text) not in GRANT_DAYS or not tap:
        return  # not one of the buttons (a forged press): nothing to do
    days = int(days_text)
    fan = UserId(int(manager.dialog_data["fan"]))
    service = served(manager, "subscriptions", SubscriptionService)
    zone: ZoneInfo = manager.middleware_data["timezone"]
    try:
        change = await service.grant(
            fan, days=days, actor=acting_admin(manager), idempotency_key=f"admin-vip:{fan}:{tap}"
        )
    except YabotError as exc:
        await audit_failure(manager, "subscriptions.grant", user_target(fan), exc)
        manager.dialog_data["notice"] = render(manager, "subscriptions-admin-failed", motivo=exc.message)
        return
    manager.dialog_data["notice"] = render(
        manager,
        "subscriptions-admin-granted",
        dias=change.entry.days or days,
        hasta=_day(change.entry.vip_until, zone),
    )
    if not change.replayed:
        manager.dialog_data["tap"] = secrets.token_urlsafe(TAP_BYTES)  # the next press is a new grant


async def _confirm_revoke(dialog_manager: DialogManager, **_: object) -> dict[str, str]:
    fan = str(dialog_manager.dialog_data["fan"])
    return {
        "text": render(dialog_manager, "subscriptions-admin-revoke-confirm", fan=fan),
        "yes": render(dialog_manager, "subscriptions-admin-button-revoke-yes"),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _revoke(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    fan = UserId(int(manager.dialog_data["fan"]))
    service = served(manager, "subscriptions", SubscriptionService)
    current = await service.status(fan)
    period = current.period_started_at.isoformat() if current else "ninguno"
    try:
        await service.revoke(fan, actor=acting_admin(manager), idempotency_key=f"admin-revoke:{fan}:{period}")
    except YabotError as exc:
        await audit_failure(manager, "subscriptions.revoke", user_target(fan), exc)
        manager.dialog_data["notice"] = render(manager, "subscriptions-admin-failed", motivo=exc.message)
    else:
        manager.dialog_data["notice"] = render(manager, "subscriptions-admin-revoked")
    await manager.switch_to(VipAdminScreen.fan)


def vip_dialog() -> Dialog:
    """Which fan (typed id), their VIP now, grants of 7, 30 or 90 days, a revocation after a confirmation."""
    return Dialog(
        Window(
            Format("{text}"),
            TextInput(id="fan_id", type_factory=fan_id, on_success=_asked, on_error=_not_an_id),
            Cancel(Format("{back}"), id="back"),
            state=VipAdminScreen.ask,
            getter=_ask,
        ),
        Window(
            Format("{text}"),
            Group(
                choices("grant", "grants", _grant),
                width=len(GRANT_DAYS),
            ),
            SwitchTo(Format("{revoke}"), id="revoke", state=VipAdminScreen.revoke, when="vip"),
            SwitchTo(Format("{other}"), id="other", state=VipAdminScreen.ask),
            Cancel(Format("{back}"), id="back"),
            state=VipAdminScreen.fan,
            getter=_fan,
        ),
        Window(
            Format("{text}"),
            Button(Format("{yes}"), id="yes", on_click=_revoke),
            Back(Format("{back}"), id="back"),
            state=VipAdminScreen.revoke,
            getter=_confirm_revoke,
        ),
        name="subscriptions.admin_vip",
    )


# --- tokens -----------------------------------------------------------------------------------------------


def _state(token: VipToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "retirado"
    if token.expires_at is not None and token.expires_at <= now:
        return "caducado"
    return "agotado" if token.left() == 0 else "activo"


async def _tokens(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    tokens = served(dialog_manager, "vip_tokens", VipTokens)
    page = await tokens.page(limit=LISTED)
    clock: Clock = dialog_manager.middleware_data["subscriptions_clock"]
    now = clock.now()
    active = [token for token in page.tokens if _state(token, now) == "activo"]
    dialog_manager.dialog_data["active"] = [token.code for token in active]
    lines = [
        render(
            dialog_manager,
            "subscriptions-admin-token-line",
            codigo=token.code,
            plan=token.plan_id,
            usados=token.used,
            usos=token.uses,
            estado=_state(token, now),
        )
        for token in page.tokens
    ]
    text = (
        render(dialog_manager, "subscriptions-admin-tokens", lista=Html("\n".join(lines)), total=page.total)
        if page.tokens
        else render(dialog_manager, "subscriptions-admin-tokens-none")
    )
    return {
        "text": _with_notice(dialog_manager, text),
        "create": render(dialog_manager, "subscriptions-admin-button-create"),
        "withdraw": render(dialog_manager, "subscriptions-admin-button-withdraw"),
        "back": render(dialog_manager, "admin-button-back"),
        "any_active": bool(active),
        "active": [(str(index), token.code) for index, token in enumerate(active)],
    }


async def _plans(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    plans = served(dialog_manager, "subscriptions", SubscriptionService).plans
    return {
        "text": render(dialog_manager, "subscriptions-admin-choose-plan"),
        "plans": [(plan.id, str(plan)) for plan in plans],
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _plan_chosen(_callback: CallbackQuery, _widget: Any, manager: DialogManager, plan_id: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    manager.dialog_data["plan"] = plan_id
    await manager.switch_to(TokensScreen.count)


async def _counts(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    return {
        "text": render(
            dialog_manager, "subscriptions-admin-choose-count", plan=dialog_manager.dialog_data["plan"]
        ),
        "counts": [(str(count), str(count)) for count in BATCHES],
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _create(_callback: CallbackQuery, _widget: Any, manager: DialogManager, count: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    if not count.isdecimal() or int(count) not in BATCHES:
        return  # not one of the buttons (a forged press): nothing to do
    tokens = served(manager, "vip_tokens", VipTokens)
    try:
        made = await tokens.create(
            str(manager.dialog_data["plan"]), actor=acting_admin(manager), count=int(count)
        )
    except YabotError as exc:
        await audit_failure(manager, "subscriptions.tokens_create", TOKENS_TARGET, exc)
        manager.dialog_data["notice"] = render(manager, "subscriptions-admin-failed", motivo=exc.message)
        await manager.switch_to(TokensScreen.listing)
        return
    manager.dialog_data["created"] = [token.code for token in made]
    await manager.switch_to(TokensScreen.created)


async def _created(dialog_manager: DialogManager, **_: object) -> dict[str, str]:
    codes = dialog_manager.dialog_data.get("created", [])
    return {
        "text": render(
            dialog_manager,
            "subscriptions-admin-tokens-created",
            codigos=Html("\n".join(f"<code>{code}</code>" for code in codes)),
            cuantos=len(codes),
        ),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _withdrawable(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    codes: list[str] = dialog_manager.dialog_data.get("active", [])
    return {
        "text": render(dialog_manager, "subscriptions-admin-choose-withdraw"),
        "active": [(str(index), code) for index, code in enumerate(codes)],
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _withdraw(_callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    codes: list[str] = manager.dialog_data.get("active", [])
    if item.isdecimal() and int(item) < len(codes):
        code = codes[int(item)]
        try:
            await served(manager, "vip_tokens", VipTokens).revoke(code, actor=acting_admin(manager))
        except YabotError as exc:
            await audit_failure(manager, "subscriptions.tokens_revoke", TOKENS_TARGET, exc)
            manager.dialog_data["notice"] = render(manager, "subscriptions-admin-failed", motivo=exc.message)
        else:
            manager.dialog_data["notice"] = render(
                manager, "subscriptions-admin-token-withdrawn", codigo=code
            )
    await manager.switch_to(TokensScreen.listing)


def tokens_dialog() -> Dialog:
    """The newest tokens; a batch made for a plan; one withdrawn (each audited by the tokens service)."""
    return Dialog(
        Window(
            Format("{text}"),
            SwitchTo(Format("{create}"), id="create", state=TokensScreen.plan),
            SwitchTo(Format("{withdraw}"), id="withdraw", state=TokensScreen.revoke, when="any_active"),
            Cancel(Format("{back}"), id="back"),
            state=TokensScreen.listing,
            getter=_tokens,
        ),
        Window(
            Format("{text}"),
            Column(choices("plan", "plans", _plan_chosen)),
            SwitchTo(Format("{back}"), id="back", state=TokensScreen.listing),
            state=TokensScreen.plan,
            getter=_plans,
        ),
        Window(
            Format("{text}"),
            Group(
                choices("count", "counts", _create),
                width=len(BATCHES),
            ),
            SwitchTo(Format("{back}"), id="back", state=TokensScreen.plan),
            state=TokensScreen.count,
            getter=_counts,
        ),
        Window(
            Format("{text}"),
            SwitchTo(Format("{back}"), id="back", state=TokensScreen.listing),
            state=TokensScreen.created,
            getter=_created,
        ),
        Window(
            Format("{text}"),
            Column(choices("code", "active", _withdraw, label="✖️ {item[1]}")),
            SwitchTo(Format("{back}"), id="back", state=TokensScreen.listing),
            state=TokensScreen.revoke,
            getter=_withdrawable,
        ),
        name="subscriptions.admin_tokens",
    )
