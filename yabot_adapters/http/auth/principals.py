"""Who is calling the API: a fan (signed in through Telegram) or the holder of an API key."""

from dataclasses import dataclass

from yabot_core.apikeys import ApiKey
from yabot_core.kernel import UserId


@dataclass(frozen=True, slots=True)
class Fan:
    """A Telegram user, proven by the Mini App's ``initData``: they reach their own resources only."""

    user_id: UserId

    @property
    def rate_key(self) -> str:
        """What the rate limiter counts this caller's requests by, wherever they come from."""
        return f"fan:{self.user_id}"


@dataclass(frozen=True, slots=True)
class KeyHolder:
    """A service or one of the creator's tools, proven by an API key: it may what its scopes say."""

    key: ApiKey

    @property
    def rate_key(self) -> str:
        """What the rate limiter counts this caller's requests by, wherever they come from."""
        return f"key:{self.key.key_id}"


Principal = Fan | KeyHolder
