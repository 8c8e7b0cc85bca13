"""Small pieces the bot's texts are built from: dates, signed amounts, lists of commands.

The words themselves are content (``yabot_adapters/texts/es/*.ftl``, overridable by the creator); handlers
render them through the catalog (``texts.render("id", ...)``) they receive as workflow data.
"""

from collections.abc import Sequence
from datetime import datetime, tzinfo
from html import unescape
from typing import Final

from yabot_adapters.telegram.commands import MenuEntry
from yabot_adapters.texts import Html, format_number
from yabot_core.kernel import Phrasebook

ALERT_LIMIT: Final = 200
"""Telegram shows at most 200 characters in a callback query's alert or notice."""

_MONTHS: Final = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


def signed(amount: int) -> str:
    """A ledger amount with its sign: ``+10``, ``−3`` (a true minus sign, as in print)."""
    return f"+{format_number(amount)}" if amount >= 0 else f"−{format_number(-amount)}"


def moment(when: datetime, timezone: tzinfo) -> str:
    """A date and time as Lucien writes it in the ledger: ``1 ene 2026, 13:00``."""
    local = when.astimezone(timezone)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def paragraphs(*parts: str) -> str:
    """Rendered texts one after another, a blank line between them (empty ones left out)."""
    return "\n\n".join(part for part in parts if part)


def menu(texts: Phrasebook, entries: Sequence[MenuEntry]) -> Html:
    """The list of commands, one per line, as a fragment for ``bot-help`` and its siblings."""
    return Html(
        "\n".join(
            texts.render("bot-menu-line", orden=entry.command, descripcion=Html(entry.description))
            for entry in entries
        )
    )


def plain_text(html: str) -> str:
    """A rendered text as plain text (alerts show no HTML): the few tags the catalog uses go, entities too."""
    for tag in ("<b>", "</b>", "<i>", "</i>", "<code>", "</code>"):
        html = html.replace(tag, "")
    return unescape(html)
