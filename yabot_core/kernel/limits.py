"""Limits every module and adapter agrees on."""

import re
from typing import Final

MAX_USER_ID: Final = 2**53 - 1
"""Telegram user ids have at most 52 significant bits; beyond 2**53 JavaScript clients would round them, and
every backend stores ids as 64-bit integers anyway."""

MAX_KEY_LENGTH: Final = 200
"""Idempotency keys are the caller's words (an update id, a command's ``--key``): bounded, not parsed."""

MAX_NOTE_LENGTH: Final = 200
"""A note travels with a movement to the fan (Lucien reads it out): a sentence, not a letter."""

REASON_CODE: Final = re.compile(r"[a-z][a-z0-9_]{0,39}")
"""Why besitos or items moved, as stored: a stable code (``admin_grant``, ``store_purchase``...) of at most
40 lowercase letters, digits and underscores, a letter first. Match it with ``fullmatch``."""
