"""/ranking: this week's and the all-time top fans by besitos earned, the fan's own place; hiding from it.

``/ranking ocultarme`` leaves the fan out of every table, ``/ranking mostrarme`` brings them back.
"""

from typing import Final

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import paragraphs
from yabot_core.kernel import NotFoundError, Phrasebook, UserId
from yabot_core.ranking import Placed, Ranking, Table
from yabot_core.users import Registration, UserDirectory

LEADERS: Final = 10
HIDE: Final = frozenset({"ocultarme", "ocultar"})
SHOW: Final = frozenset({"mostrarme", "mostrar"})


def setup() -> Router:
    """Return the ranking router (private chats: hiding is a private wish)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(show_ranking, Command("ranking"))
    return router


async def show_ranking(
    message: Message,
    command: CommandObject,
    *,
    registration: Registration,
    ranking: Ranking,
    users: UserDirectory,
    texts: Phrasebook,
) -> None:
    """The two tables and the fan's place; or hide / show the fan, as the argument asks."""
    user = registration.user
    option = (command.args or "").strip().lower()
    if option in HIDE | SHOW:
        hidden = option in HIDE
        await ranking.set_hidden(user.user_id, hidden=hidden)
        if hidden:
            reply = texts.render("ranking-hidden", nombre=user.display_name)
        else:
            reply = texts.render("ranking-shown", nombre=user.display_name)
        await message.answer(reply)
        return
    if option:
        await message.answer(texts.render("ranking-unknown-option", opcion=option[:40]))
        return
    board = await ranking.board(user.user_id, limit=LEADERS)
    names = await _names(users, [row.user_id for row in (*board.week.leaders, *board.all_time.leaders)])
    note = texts.render("ranking-hidden-note") if board.hidden else texts.render("ranking-hide-hint")
    await message.answer(
        paragraphs(
            texts.render("ranking-header", nombre=user.display_name),
            _table(texts, texts.render("ranking-week-title"), board.week, names, hidden=board.hidden),
            _table(texts, texts.render("ranking-all-time-title"), board.all_time, names, hidden=board.hidden),
            note,
        )
    )


def _table(texts: Phrasebook, title: str, table: Table, names: dict[UserId, str], *, hidden: bool) -> str:
    lines = "\n".join(_line(texts, row, names) for row in table.leaders) or texts.render("ranking-empty")
    parts = [title, lines]
    if not hidden:
        if table.me is not None:
            parts.append(texts.render("ranking-you", puesto=table.me.place, besitos=table.me.earned))
        else:
            parts.append(texts.render("ranking-you-none"))
    return "\n".join(parts)


def _line(texts: Phrasebook, row: Placed, names: dict[UserId, str]) -> str:
    return texts.render("ranking-line", puesto=row.place, nombre=names[row.user_id], besitos=row.earned)


async def _names(users: UserDirectory, ids: list[UserId]) -> dict[UserId, str]:
    """Each leader's display name (a fan YABOT forgot shows as «alguien»)."""
    names: dict[UserId, str] = {}
    for user_id in dict.fromkeys(ids):
        try:
            names[user_id] = (await users.get(user_id)).display_name
        except NotFoundError:
            names[user_id] = "alguien"
    return names
