"""A fan at the keyboard of a fake Telegram: sends commands, reads the screens, presses buttons.

The integration and e2e journeys of the mochila share it: it needs only the fake Bot API server, so it
drives a bot polling in the test's process or a real ``yabot run`` alike. Every screen's HTML is checked
as Telegram would (the fake server checks only ``sendMessage``), and every button's callback data is
held to Telegram's 64 bytes.
"""

import time
from dataclasses import dataclass
from typing import Any, Final

from yabot_adapters.telegram.fake_api import bot_user, render_html
from yabot_adapters.telegram.testing import FakeTelegramServer, RecordedCall

GUARD: Final = 60.0
"""Seconds to wait for what the bot should do before calling it a hang (never a timing assert)."""

CALLBACK_DATA_LIMIT: Final = 64


@dataclass(frozen=True)
class Screen:
    """A message as the fan sees it: its HTML text and its buttons (text, callback data), row by row."""

    text: str
    buttons: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, call: RecordedCall) -> "Screen":
        """The screen a ``sendMessage`` or ``editMessageText`` call shows, checked as Telegram would."""
        text = str(call.params.get("text", ""))
        _, problem = render_html(text)
        assert problem is None, f"Telegram would refuse this HTML ({problem}): {text!r}"
        markup = call.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        buttons = tuple((button["text"], button["callback_data"]) for row in rows for button in row)
        for label, data in buttons:
            assert len(data.encode()) <= CALLBACK_DATA_LIMIT, f"button {label!r}: {data!r} is over 64 bytes"
        return cls(text, buttons)

    @property
    def labels(self) -> list[str]:
        """The buttons' texts, in order."""
        return [label for label, _ in self.buttons]

    def data(self, label: str) -> str:
        """The callback data of the button reading exactly ``label``."""
        found = [data for text, data in self.buttons if text == label]
        assert found, f"no button {label!r} on this screen; there are {self.labels}"
        return found[0]


class Fan:
    """One fan in a private chat with the bot."""

    def __init__(self, server: FakeTelegramServer, user_id: int, first_name: str = "Ana") -> None:
        self.server = server
        self.user_id = user_id
        self.first_name = first_name
        self.screen = Screen("", ())
        self.last_press: dict[str, Any] | None = None
        self._presses = 0

    async def command(self, text: str) -> Screen:
        """Send ``text`` and return the bot's reply as the current screen."""
        before = len(self._sent())
        self.server.feed(self.server.message_update(self.user_id, text, first_name=self.first_name))
        await self.server.wait_until(lambda: len(self._sent()) > before, timeout=GUARD)
        self.screen = Screen.of(self._sent()[before])
        return self.screen

    async def press(self, label: str) -> Screen:
        """Press a button of the current screen; wait until the bot answers it; return the edited screen.

        The bot must stop the spinner without an alert, after editing the message in place exactly once.
        """
        edits = len(self.server.calls("editMessageText"))
        answer = await self._press(label)
        assert not answer.params.get("show_alert"), f"the press got an alert: {answer.params.get('text')!r}"
        (edit,) = self.server.calls("editMessageText")[edits:]
        assert edit.params.get("chat_id") == self.user_id
        self.screen = Screen.of(edit)
        return self.screen

    async def press_for_alert(self, label: str) -> str:
        """Press a button the bot must refuse: return the alert, after checking nothing was edited."""
        edits = len(self.server.calls("editMessageText"))
        answer = await self._press(label)
        assert answer.params.get("show_alert") is True, answer.params
        assert len(self.server.calls("editMessageText")) == edits
        return str(answer.params["text"])

    async def press_on_an_old_message(self, label: str) -> Screen:
        """Press a button of a message older than 48 hours (Telegram sends it with date 0: it cannot be
        edited); return the new message the bot sends instead.
        """
        before = len(self._sent())
        answer = await self._press(label, old=True)
        assert not answer.params.get("show_alert"), answer.params
        (sent,) = self._sent()[before:]
        self.screen = Screen.of(sent)
        return self.screen

    async def press_again(self) -> None:
        """Telegram delivers the last press once more (the bot crashed before confirming it); wait for it."""
        assert self.last_press is not None
        answered = len(self.server.calls("answerCallbackQuery"))
        self.server.redeliver(self.last_press)
        await self.server.wait_for_call("answerCallbackQuery", answered + 1, timeout=GUARD)

    async def _press(self, label: str, *, old: bool = False) -> RecordedCall:
        self._presses += 1
        answered = len(self.server.calls("answerCallbackQuery"))
        message: dict[str, Any] = {
            "message_id": 10_000 + self._presses,
            "date": int(time.time()),
            "chat": {"id": self.user_id, "type": "private", "first_name": self.first_name},
            "from": bot_user(self.server.bot_id, self.server.bot_first_name, self.server.bot_username),
            "text": "…",
        }
        if old:  # what Telegram sends of a message it no longer lets the bot touch
            message = {"message_id": message["message_id"], "date": 0, "chat": message["chat"]}
        self.last_press = {
            "update_id": self.server.next_update_id(),
            "callback_query": {
                "id": f"press-{self.user_id}-{self._presses}",
                "from": {"id": self.user_id, "is_bot": False, "first_name": self.first_name},
                "chat_instance": f"ci-{self.user_id}",
                "message": message,
                "data": self.screen.data(label),
            },
        }
        self.server.feed(self.last_press)
        return await self.server.wait_for_call("answerCallbackQuery", answered + 1, timeout=GUARD)

    def _sent(self) -> list[RecordedCall]:
        return [
            call
            for call in self.server.calls("sendMessage")
            if call.ok and call.params.get("chat_id") == self.user_id
        ]
