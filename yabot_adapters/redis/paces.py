"""Per-user throttling counted in Redis, so a fan's messages count once whichever process handles them.

The same seam as the in-process limiter (:class:`~yabot_adapters.telegram.throttling.PaceJudge`): a script
counts a user's messages in a window of ``seconds`` and, past ``messages``, answers "warn" once and sets a
quiet key that makes the next ``seconds`` answer "ignore". A fixed window, not aiolimiter's leaky bucket:
at a window's edge a user may get up to twice the allowance through, which is fine for a courtesy limit.
"""

from typing import Final

from yabot_adapters.redis.shared import SharedRedis, shared_state_errors
from yabot_adapters.telegram.throttling import UserPace, Verdict

JUDGE: Final = """
-- KEYS[1] the user's count, KEYS[2] the user's quiet mark; ARGV[1] messages, ARGV[2] window (ms).
-- 0 admit, 1 warn (the first message over), 2 ignore (quiet after a warning).
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if count <= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
redis.call('DEL', KEYS[1])
return 1
"""

_VERDICTS: Final = (Verdict.ADMIT, Verdict.WARN, Verdict.IGNORE)


class RedisPaces:
    """A :class:`PaceJudge` whose counts live in Redis, under ``<prefix>:pace:<user>``."""

    def __init__(self, shared: SharedRedis, pace: UserPace) -> None:
        self._shared = shared
        self._pace = pace
        self._script = shared.client.register_script(JUDGE)
        self._window_ms = max(1, round(pace.seconds * 1000))

    @property
    def pace(self) -> UserPace:
        """The allowance it enforces."""
        return self._pace

    async def judge(self, user_id: int) -> Verdict:
        """Count one message of ``user_id`` and say what to do with it.

        Raises:
            SharedStateUnavailableError: Redis does not answer.
        """
        keys = [self._shared.key("pace", user_id, "count"), self._shared.key("pace", user_id, "quiet")]
        with shared_state_errors():
            answer = await self._script(keys=keys, args=[self._pace.messages, self._window_ms])
        return _VERDICTS[int(answer)]
