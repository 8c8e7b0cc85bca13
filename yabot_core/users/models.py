"""Who the bot knows: a user's profile as Telegram (or an operator) described it."""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.kernel import MAX_USER_ID, UserId


class UserSource(StrEnum):
    """How YABOT first learned of a user."""

    TELEGRAM = "telegram"
    OPERATOR = "operator"


class UserProfile(BaseModel):
    """The mutable part of a user: names as Telegram reports them (all optional but the id)."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId = Field(gt=0, le=MAX_USER_ID)
    first_name: str | None = Field(default=None, max_length=256)
    last_name: str | None = Field(default=None, max_length=256)
    username: str | None = Field(default=None, max_length=64)
    language_code: str | None = Field(default=None, max_length=16)

    @property
    def display_name(self) -> str:
        """The name to address the user by, falling back to ``@username`` and then the id."""
        if self.first_name:
            return self.first_name
        if self.username:
            return f"@{self.username}"
        return f"usuario {self.user_id}"


class User(UserProfile):
    """A registered user.

    ``blocked_at`` is when the user blocked the bot (Telegram then refuses every message to them); ``None``
    while they can be written to. Unblocking the bot, or writing to it again, clears it.
    """

    source: UserSource
    registered_at: AwareDatetime
    updated_at: AwareDatetime
    blocked_at: AwareDatetime | None = None

    @property
    def reachable(self) -> bool:
        """Whether the bot can write to the user (as far as YABOT knows: they have not blocked it)."""
        return self.blocked_at is None

    def profile(self) -> UserProfile:
        """Return just the profile fields, to compare with a fresh one."""
        return UserProfile.model_validate(self.model_dump(include=set(UserProfile.model_fields)))
