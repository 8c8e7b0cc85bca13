"""The admins' alerts as Lucien words them, sent through the messenger to every ``YABOT_ADMIN_IDS``.

Alerts go straight through the :class:`~yabot_core.lucien.Messenger`, not through Lucien's ``say``: his
personal touches read the storage, and the storage may be what is failing.
"""

import html
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from yabot_core.kernel import Phrasebook, UnavailableError, UserId
from yabot_core.lucien import DeliveryUncertainError, Messenger, RecipientUnreachableError
from yabot_core.operations import AlertRaised, AlertReminded, AlertResolved, Problem, minutes_between

log = logging.getLogger(__name__)

OPENED: Final = "operations-alert-opened"
REMINDER: Final = "operations-alert-reminder"
RESOLVED: Final = "operations-alert-resolved"
WAITING: Final = "operations-handler-waiting"

AlertNotice = AlertRaised | AlertReminded | AlertResolved


def describe(phrasebook: Phrasebook, problem: Problem) -> str:
    """The problem's own sentence, as plain text (it goes inside the opening, reminder or resolution)."""
    return html.unescape(phrasebook.render(problem.message, **problem.args))  # texts: the monitor's ids


def opened_text(phrasebook: Phrasebook, problem: Problem) -> str:
    """What the admins read when ``problem`` starts."""
    return phrasebook.render(OPENED, problema=describe(phrasebook, problem))


def resolved_text(phrasebook: Phrasebook, problem: Problem, since: datetime, now: datetime) -> str:
    """What the admins read when ``problem``, open since ``since``, ends."""
    return phrasebook.render(
        RESOLVED, problema=describe(phrasebook, problem), minutos=minutes_between(since, now)
    )


def notice_text(phrasebook: Phrasebook, event: AlertNotice) -> str:
    """The text of one alert event."""
    if isinstance(event, AlertRaised):
        return opened_text(phrasebook, event.problem)
    if isinstance(event, AlertReminded):
        minutes = minutes_between(event.since, event.occurred_at)
        return phrasebook.render(REMINDER, problema=describe(phrasebook, event.problem), minutos=minutes)
    return resolved_text(phrasebook, event.problem, event.since, event.occurred_at)


def waiting_text(phrasebook: Phrasebook, waiting: int) -> str:
    """The line a handler's reminder ends with: how many of its dead letters still wait for a replay."""
    return phrasebook.render(WAITING, eventos=waiting)


async def tell_admins(messenger: Messenger, admins: Sequence[UserId], text: str) -> None:
    """Send ``text`` to every admin who can be reached.

    Raises:
        UnavailableError: Telegram is away, or did not answer (the bus tries the alert again later).
    """
    for admin in admins:
        try:
            await messenger.send(admin, text)
        except RecipientUnreachableError:
            log.warning("admin %s cannot be reached (blocked the bot, or never started it)", admin)
        except DeliveryUncertainError as exc:
            raise UnavailableError(exc.message, detail=exc.detail) from exc
