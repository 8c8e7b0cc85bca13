"""VIP tokens: codes an admin hands out that give a plan's days of VIP to whoever redeems them.

A code is ``vip-`` and 16 characters of base64url (96 random bits): it fits a Telegram deep link
(``/start <code>``, at most 64 characters of ``[A-Za-z0-9_-]``) and cannot be guessed. A token may be
redeemed ``uses`` times, once per fan, until ``expires_at``; storage moves its count only from the count it
was read at, so a single-use code redeemed by fifty fans at once makes exactly one VIP.
"""

import re
import secrets
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.kernel import DomainError, NotFoundError, UserId

CODE_PREFIX: Final = "vip-"
CODE: Final = re.compile(r"vip-[A-Za-z0-9_-]{16}")
"""A code's shape; match with ``fullmatch``. What does not match is no code of ours (nothing is looked up)."""
MAX_TOKEN_USES: Final = 100_000
MAX_TOKENS_AT_ONCE: Final = 500


class VipToken(BaseModel):
    """A redeemable code: ``days`` of VIP (its plan's, when it was made), ``used`` of ``uses`` redeemed."""

    model_config = ConfigDict(frozen=True)

    code: str
    plan_id: str
    days: int = Field(ge=1)
    uses: int = Field(ge=1)
    used: int = Field(ge=0)
    expires_at: AwareDatetime | None = None
    created_at: AwareDatetime
    created_by: str
    revoked_at: AwareDatetime | None = None
    """When an admin withdrew it (a leaked code): from then on nobody may redeem it."""
    revoked_by: str | None = None

    def left(self) -> int:
        """How many more fans may redeem it."""
        return max(self.uses - self.used, 0)


class VipTokenPage(BaseModel):
    """A page of tokens, newest first, and how many there are."""

    model_config = ConfigDict(frozen=True)

    tokens: tuple[VipToken, ...]
    total: int
    limit: int
    offset: int


class TokenRedemption(BaseModel):
    """One fan's redemption of one token, and the history entry of the VIP it gave."""

    model_config = ConfigDict(frozen=True)

    code: str
    user_id: UserId
    entry_id: str
    redeemed_at: AwareDatetime


def mint_code() -> str:
    """A new code from the operating system's randomness."""
    return CODE_PREFIX + secrets.token_urlsafe(12)


def is_code(text: str) -> bool:
    """Whether ``text`` has a code's shape."""
    return isinstance(text, str) and CODE.fullmatch(text) is not None


class UnknownTokenError(NotFoundError):
    """No token has that code (or the text is no code at all)."""

    code = "codigo_vip_desconocido"
    default_message = "Ese código VIP no existe. Compruebe que lo ha copiado entero."


class TokenUsedUpError(DomainError):
    """Every use of the token is taken."""

    code = "codigo_vip_agotado"
    default_message = "Ese código VIP ya se ha canjeado todas las veces que permitía."


class TokenExpiredError(DomainError):
    """The token's time to be redeemed is over."""

    code = "codigo_vip_caducado"
    default_message = "Ese código VIP ha caducado."


class TokenRevokedError(DomainError):
    """An admin withdrew the token."""

    code = "codigo_vip_revocado"
    default_message = "Ese código VIP ya no es válido: lo retiraron."


class TokenAlreadyRedeemedError(DomainError):
    """This fan redeemed this token already (a token counts once per fan)."""

    code = "codigo_vip_ya_canjeado"
    default_message = "Usted ya canjeó ese código VIP."
