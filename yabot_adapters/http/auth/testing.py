"""Sign ``initData`` as Telegram does for a Mini App: for tests, benchmarks and a local Mini App.

The HMAC is the one the Bot API documents (a key derived from the bot token with ``WebAppData``); the
result is the query string ``Telegram.WebApp.initData`` holds, ready for ``Authorization: tma <initData>``.
"""

import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import urlencode


def sign_init_data(
    user_id: int | None, auth_date: datetime, *, bot_token: str, first_name: str = "Ana"
) -> str:
    """``initData`` for ``user_id`` signed at ``auth_date`` for the bot with ``bot_token``.

    ``None``: no ``user`` field, as Telegram signs it for some launches.
    """
    data = {"auth_date": str(int(auth_date.timestamp())), "query_id": "AAHdF6IQAAAAAN0XohDhrOrc"}
    if user_id is not None:
        data["user"] = json.dumps({"id": user_id, "first_name": first_name}, separators=(",", ":"))
    check = "\n".join(f"{key}={value}" for key, value in sorted(data.items()))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    data["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(data)
