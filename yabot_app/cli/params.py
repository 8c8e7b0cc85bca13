"""Parameters several commands take, spelled the same way everywhere (name, checks, Spanish help)."""

import click

from yabot_app.cli.spanish import NonBlankText, PositiveInt
from yabot_core.kernel import MAX_USER_ID

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
