"""Lucien's voice as the core sees it: messages named by id, rendered with the reader's context."""

from collections.abc import Collection, Sequence
from typing import Protocol


class Phrasebook(Protocol):
    """Renders texts (the creator's content, so the core never holds them) as Telegram HTML.

    Rendering never fails: an unknown id or a missing variable is logged by the adapter and a safe fallback
    text is returned, so a typo in the creator's text cannot stop a delivery.
    """

    def render(self, message_id: str, /, **args: object) -> str:
        """Return the message ``message_id`` with ``args`` filled in (one of its variants, if it has some)."""
        ...

    def render_text(self, text: str, /, **args: object) -> str:
        """Return an operator's own ``text`` (plain text, which may use ``{ $variable }``) filled in."""
        ...

    def text_problems(self, text: str, variables: Collection[str]) -> Sequence[str]:
        """Say in Spanish what keeps an operator's ``text`` from rendering with ``variables`` (none: fine)."""
        ...
