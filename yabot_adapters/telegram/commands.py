"""The bot's commands as users see them: the menu Telegram shows, /ayuda, the fallback's list."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """A command (without the slash) and its Spanish description."""

    command: str
    description: str
