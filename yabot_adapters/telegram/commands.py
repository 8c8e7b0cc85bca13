"""The bot's commands as users see them: the menu Telegram shows, /ayuda, the fallback's list."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """A command (without the slash) and its Spanish description, as the catalog renders it (Telegram HTML).

    /ayuda shows the description as it is; the command menu Telegram draws takes plain text
    (:func:`~yabot_adapters.telegram.texts.plain_text`).
    """

    command: str
    description: str
