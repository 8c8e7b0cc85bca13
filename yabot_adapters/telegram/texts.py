"""Lucien's words: the one catalog of what the bot says, in Spanish, as Telegram HTML.

Lucien is Diana's butler: elegant, warm, slightly formal, always "usted", discreet, with a touch of wit.
Every function escapes what it is given (names, notes, error messages), so callers pass plain text.
"""

from collections.abc import Sequence
from datetime import datetime, tzinfo
from html import escape
from typing import Final

from yabot_adapters.telegram.commands import MenuEntry
from yabot_core.wallet import LedgerEntry

_MONTHS: Final = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")

START_DESCRIPTION: Final = "Saludar a Lucien"
BALANCE_DESCRIPTION: Final = "Consultar sus besitos y sus últimos movimientos"



# --- small pieces -------------------------------------------------------------------------------------


def number(value: int) -> str:
    """Write a whole number the Spanish way, with a dot between thousands (``12.500``)."""
    return f"{value:,}".replace(",", ".")


def besitos(amount: int) -> str:
    """``1 besito``, ``12 besitos``."""
    return f"{number(amount)} besito" if abs(amount) == 1 else f"{number(amount)} besitos"


def signed(amount: int) -> str:
    """A ledger amount with its sign: ``+10``, ``−3`` (a true minus sign, as in print)."""
    return f"+{number(amount)}" if amount >= 0 else f"−{number(-amount)}"


def _them(amount: int, verb: str) -> str:
    """``depositarlo`` for one besito, ``depositarlos`` for more."""
    return f"{verb}lo" if amount == 1 else f"{verb}los"


def moment(when: datetime, timezone: tzinfo) -> str:
    """A date and time as Lucien writes it in the ledger: ``1 ene 2026, 13:00``."""
    local = when.astimezone(timezone)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


# --- /start -------------------------------------------------------------------------------------------


def greeting_new(name: str, welcome_besitos: int) -> str:
    """What a user hears the first time they meet Lucien."""
    parts = [
        f"Le doy la bienvenida, <b>{escape(name)}</b>.",
        "Permítame presentarme: soy Lucien, el mayordomo de Diana. Estoy a su servicio para que su "
        "estancia en esta casa sea tan grata como usted merece.",
    ]
    if welcome_besitos > 0:
        parts.append(
            f"Diana le ha dejado <b>{besitos(welcome_besitos)}</b> como regalo de bienvenida. "
            f"Me estoy ocupando de {_them(welcome_besitos, 'depositar')} en su cuenta "
            "mientras lee estas líneas."
        )
    parts.append("Cuando desee saber cuántos besitos guarda, no tiene más que escribir /saldo.")
    return "\n\n".join(parts)


def greeting_returning(name: str) -> str:
    """What a user who already knows Lucien hears on /start."""
    return (
        f"¡Qué alegría tenerle de vuelta, <b>{escape(name)}</b>!\n\n"
        "Todo sigue en su sitio, tal como lo dejó. Si desea consultar sus besitos, escriba /saldo; "
        "del resto me encargo yo."
    )


# --- /saldo -------------------------------------------------------------------------------------------


def balance(
    name: str,
    *,
    spendable: int,
    held: int,
    entries: Sequence[LedgerEntry],
    total: int,
    timezone: tzinfo,
) -> str:
    """The balance and the latest ledger movements (``entries`` newest first, ``total`` of them all)."""
    parts = [f"Permítame consultar el libro de cuentas, <b>{escape(name)}</b>…"]
    if spendable > 0:
        lines = [f"Dispone usted de <b>{besitos(spendable)}</b>."]
    else:
        lines = ["Por ahora su cuenta no guarda ningún besito disponible."]
    if held > 0:
        lines.append(f"Otros <b>{besitos(held)}</b> aguardan reservados, a buen recaudo.")
    parts.append("\n".join(lines))
    if not entries:
        parts.append(
            "Su libro de cuentas aún está en blanco: no consta movimiento alguno. "
            "Toda buena historia empieza por una primera página."
        )
        return "\n\n".join(parts)
    movements = [_movement(entry, timezone) for entry in entries]
    parts.append("<b>Últimos movimientos</b>\n" + "\n".join(movements))
    if total > len(entries):
        parts.append(f"<i>Le muestro los {len(entries)} más recientes de un total de {number(total)}.</i>")
    return "\n\n".join(parts)


def _movement(entry: LedgerEntry, timezone: tzinfo) -> str:
    label = escape(entry.reason.label)
    if entry.note:
        label += f": <i>{escape(entry.note)}</i>"
    return f"<b>{signed(entry.amount)}</b> · {label} · {moment(entry.created_at, timezone)}"


# --- anything else ------------------------------------------------------------------------------------


def _menu(entries: Sequence[MenuEntry]) -> str:
    return "\n".join(f"/{entry.command} — {escape(entry.description)}" for entry in entries)


def help_menu(name: str, entries: Sequence[MenuEntry]) -> str:
    """/ayuda: what Lucien can do, from every module's commands."""
    return f"A su servicio, {escape(name)}. Esto es lo que puedo hacer por usted:\n\n{_menu(entries)}"


def unknown_command(name: str, entries: Sequence[MenuEntry]) -> str:
    """A command Lucien does not know."""
    return (
        f"Me temo que esa orden no figura entre mis atribuciones, {escape(name)}. "
        f"Puedo ofrecerle:\n\n{_menu(entries)}"
    )


def not_understood(name: str, entries: Sequence[MenuEntry]) -> str:
    """Plain text, a sticker, a photo: Lucien listens, and says what he can do."""
    return (
        f"Le escucho con atención, {escape(name)}, aunque por ahora solo sé atender estas peticiones:"
        f"\n\n{_menu(entries)}"
    )


# --- notifications ------------------------------------------------------------------------------------


def grant_received(amount: int, note: str | None, balance_after: int) -> str:
    """Diana (an operator) sent the user besitos."""
    parts = [
        f"Permítame interrumpirle con una buena noticia: Diana le envía <b>{besitos(amount)}</b>.",
    ]
    if note:
        pronoun = "Lo" if amount == 1 else "Los"
        parts.append(f"{pronoun} acompaña con unas palabras: <i>«{escape(note)}»</i>")
    parts.append(
        f"Su saldo asciende ahora a <b>{besitos(balance_after)}</b>. "
        "Puede consultarlo cuando guste con /saldo."
    )
    return "\n\n".join(parts)


def handler_gave_up(handler: str, event_type: str, attempts: int, error: str, dead_letter_id: str) -> str:
    """For the creator and her admins: a handler failed an event every time; how to replay it."""
    return (
        "Lamento comunicarle un contratiempo en la casa.\n\n"
        f"El encargo <code>{escape(handler)}</code> no ha podido atender el evento "
        f"<code>{escape(event_type)}</code> tras {attempts} intentos.\n"
        f"Motivo: <i>{escape(error[:500])}</i>\n\n"
        "Cuando la causa esté resuelta, puede reenviarlo una vez con:\n"
        f"<code>yabot events replay {escape(dead_letter_id)}</code>"
    )


# --- errors -------------------------------------------------------------------------------------------


def refused(message: str) -> str:
    """A known error (a ``YabotError``): its Spanish message, in Lucien's words."""
    return f"Le ruego que me disculpe: no he podido atender su petición.\n\n<i>{escape(message)}</i>"


def unavailable(message: str) -> str:
    """A transient error: something we depend on is away for a moment."""
    return (
        "Le ruego que me disculpe: en este preciso momento no puedo atender su petición.\n\n"
        f"<i>{escape(message)}</i>"
    )


def unexpected() -> str:
    """Anything we did not foresee: an apology, never the details."""
    return (
        "Le ruego que me disculpe: algo se ha torcido entre bastidores y no he podido atender su "
        "petición. Ya he dado aviso para que se revise; si lo desea, inténtelo de nuevo en unos instantes."
    )
