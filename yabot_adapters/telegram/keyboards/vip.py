"""The /vip keyboard: one button per plan, its callback data naming the plan by id (or a digest of it).

A plan id may be 64 characters, more than fits beside the prefix in Telegram's 64 bytes: ids of up to
:data:`RAW_ID_LIMIT` characters travel as they are, longer ones as ``~`` and a 72-bit BLAKE2b digest in
base64url, resolved against the catalog (``~`` is no slug character, so a digest is never an id).
"""

import base64
import hashlib
from collections.abc import Callable, Sequence
from typing import Final

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from yabot_core.subscriptions import Plan, PlanCatalog

RAW_ID_LIMIT: Final = 56
"""The longest plan id carried as it is (``vb:`` and 56 characters stay well within 64 bytes)."""

_DIGEST_MARK: Final = "~"


class VipBuy(CallbackData, prefix="vb"):
    """Buy a plan: send its invoice."""

    plan: str


def plan_ref(plan_id: str) -> str:
    """How a button names a plan: its id, or ``~`` and a digest of a long one."""
    if len(plan_id) <= RAW_ID_LIMIT:
        return plan_id
    digest = hashlib.blake2b(plan_id.encode(), digest_size=9).digest()
    return _DIGEST_MARK + base64.urlsafe_b64encode(digest).decode()


def plan_named(catalog: PlanCatalog, ref: str) -> Plan | None:
    """The plan a button names, or ``None`` (withdrawn since the button was drawn)."""
    if not ref.startswith(_DIGEST_MARK):
        return catalog.get(ref)
    return next((plan for plan in catalog if plan_ref(plan.id) == ref), None)


def plan_keyboard(plans: Sequence[Plan], label: Callable[[Plan], str]) -> InlineKeyboardMarkup:
    """One button per plan, one per row, in the catalog's order."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label(plan), callback_data=VipBuy(plan=plan_ref(plan.id)).pack())]
            for plan in plans
        ]
    )
