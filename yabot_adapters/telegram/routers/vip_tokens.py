"""Redeeming VIP tokens: ``/canjear CÓDIGO``, or the code's deep link (``/start vip-…``).

The users module's /start greets; a /start whose payload is a module's deep link (``<kind>-…``) is left to
that module's router (see :mod:`yabot_adapters.telegram.routers.start`). This router takes ``vip-`` ones,
well formed or not, so a mangled link gets a courteous "no such code" rather than a greeting.
"""

from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart, Filter
from aiogram.types import Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import paragraphs
from yabot_core.kernel import Phrasebook, UserId
from yabot_core.subscriptions import (
    CODE_PREFIX,
    EntryKind,
    TokenAlreadyRedeemedError,
    TokenExpiredError,
    TokenRevokedError,
    TokenUsedUpError,
    UnknownTokenError,
    VipTokens,
)
from yabot_core.users import Registration


class VipDeepLink(Filter):
    """A /start whose payload is a VIP token's (``vip-…``)."""

    async def __call__(self, message: Message, command: CommandObject) -> bool:  # noqa: ARG002  (the command decides)
        """Whether the payload has the VIP tokens' prefix."""
        return bool(command.args) and str(command.args).startswith(CODE_PREFIX)


def setup() -> Router:
    """Return the tokens router: /canjear and the VIP deep links (private chats)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(redeem_link, CommandStart(deep_link=True), VipDeepLink())
    router.message.register(redeem_command, Command("canjear"))
    return router


async def redeem_command(
    message: Message,
    *,
    command: CommandObject,
    registration: Registration,
    vip_tokens: VipTokens,
    texts: Phrasebook,
    timezone: ZoneInfo,
) -> None:
    """``/canjear CÓDIGO``: redeem it; without a code, say how."""
    code = (command.args or "").strip()
    if not code:
        await message.answer(texts.render("subscriptions-redeem-howto"))
        return
    await message.answer(await _redeem(registration, code, vip_tokens, texts, timezone))


async def redeem_link(
    message: Message,
    *,
    command: CommandObject,
    registration: Registration,
    vip_tokens: VipTokens,
    texts: Phrasebook,
    timezone: ZoneInfo,
) -> None:
    """``/start vip-…`` from a token's link: a new fan is greeted first, then the code is redeemed."""
    reply = await _redeem(registration, str(command.args), vip_tokens, texts, timezone)
    if registration.created:
        reply = paragraphs(texts.render("users-greeting-new", nombre=registration.user.display_name), reply)
    await message.answer(reply)


async def _redeem(  # noqa: PLR0911  (one answer per reason a code gives nothing, each its own text)
    registration: Registration, code: str, tokens: VipTokens, texts: Phrasebook, timezone: ZoneInfo
) -> str:
    user = registration.user
    try:
        change = await tokens.redeem(UserId(user.user_id), code)
    except UnknownTokenError:
        return texts.render("subscriptions-token-unknown")
    except TokenAlreadyRedeemedError:
        return texts.render("subscriptions-token-already")
    except TokenUsedUpError:
        return texts.render("subscriptions-token-used-up")
    except TokenExpiredError:
        return texts.render("subscriptions-token-expired")
    except TokenRevokedError:
        return texts.render("subscriptions-token-revoked")
    until = change.subscription.vip_until.astimezone(timezone).strftime("%d/%m/%Y")
    if change.entry.kind is EntryKind.GRANT:
        return texts.render("subscriptions-token-started", nombre=user.display_name, hasta=until)
    return texts.render("subscriptions-token-extended", nombre=user.display_name, hasta=until)
