"""Parameters several commands take, spelled the same way everywhere (name, checks, Spanish help)."""

import getpass
import re
from datetime import datetime, timedelta
from typing import Final

import click

from yabot_app.cli.spanish import NonBlankText, PositiveInt
from yabot_core.audit import MAX_ACTOR_NAME_LENGTH, Actor
from yabot_core.kernel import MAX_USER_ID

_DELAY: Final = re.compile(r"(?P<amount>[0-9]{1,7})(?P<unit>s|m|h|d)")
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

USER_ID = PositiveInt("El id de usuario", MAX_USER_ID)
"""A Telegram user id typed at the shell: a whole number from 1 to the largest Telegram gives."""

user_id_argument = click.argument("user_id", metavar="ID_USUARIO", type=USER_ID)
"""The fan a command acts on, as its ``user_id`` argument."""

idempotency_key_option = click.option(
    "--key",
    metavar="CLAVE",
    default=None,
    type=NonBlankText("La clave de idempotencia no puede estar vacía."),
    help="Clave de idempotencia: repetir el comando con la misma clave no duplica.",
)
"""``--key``: a command repeated with the same key does its work once (a fresh key is made if absent)."""


class Delay(click.ParamType[timedelta, str]):
    """``10m``, ``30s``, ``2h``, ``1d``: how long from now."""

    name = "demora"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> timedelta:
        """Parse a delay, or fail with a Spanish message."""
        match = _DELAY.fullmatch(str(value).strip())
        if match is None:
            self.fail(f"«{value}» no es una demora: use un número y s, m, h o d (p. ej. 10m).", param, ctx)
        return timedelta(**{_UNITS[match["unit"]]: int(match["amount"])})


class Moment(click.ParamType[datetime, str]):
    """An ISO 8601 instant with its time zone: ``2026-12-24T20:00:00Z``, ``2026-12-24T20:00+01:00``."""

    name = "momento"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        """Parse an instant, or fail with a Spanish message."""
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"«{value}» no es una fecha y hora ISO 8601 (p. ej. 2026-12-24T20:00:00Z).", param, ctx)
        if moment.tzinfo is None:
            self.fail(f"«{value}» no dice su zona horaria: añada Z o un desfase como +01:00.", param, ctx)
        return moment


def operator() -> Actor:
    """Who runs the command, for the audit log: the system account's name."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment nor in the password database
        name = "desconocido"
    return Actor.operator(name.strip()[:MAX_ACTOR_NAME_LENGTH] or "desconocido")
