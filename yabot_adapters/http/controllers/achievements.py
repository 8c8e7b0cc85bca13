"""A fan's logros over HTTP: those unlocked, and those still to come with their progress.

Its response schemas live here too: they belong to the achievements module, which owns this file.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Self

from litestar import Controller, get
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example

from yabot_adapters.http.auth import USER_DATA, protected
from yabot_adapters.http.errors import API_ERROR_RESPONSES, USER_NOT_FOUND
from yabot_adapters.http.parameters import UserIdInPath
from yabot_core.achievements import Achievements, AchievementStatus, AchievementsView
from yabot_core.kernel import UserId
from yabot_core.users import UserDirectory


@dataclass(frozen=True, slots=True)
class AchievementBody:
    """One logro of a user: what it asks, how far they are, what it pays, when it was unlocked."""

    achievement_id: str
    title: str
    description: str
    progress: int
    target: int
    unlocked: bool
    unlocked_at: datetime | None
    reward_besitos: int
    reward_item_id: str | None

    @classmethod
    def of(cls, status: AchievementStatus) -> Self:
        """Project a logro's status onto what the API publishes."""
        achievement = status.definition
        return cls(
            achievement_id=achievement.id,
            title=achievement.title,
            description=achievement.description,
            progress=status.progress,
            target=status.target,
            unlocked=status.unlocked,
            unlocked_at=status.unlocked_at,
            reward_besitos=achievement.reward.besitos,
            reward_item_id=achievement.reward.item_id,
        )


@dataclass(frozen=True, slots=True)
class AchievementsBody:
    """A user's logros: unlocked, and still to come, in the catalog's order."""

    user_id: int
    unlocked: list[AchievementBody]
    upcoming: list[AchievementBody]

    @classmethod
    def of(cls, view: AchievementsView) -> Self:
        """Project the logros view onto the response."""
        return cls(
            user_id=view.user_id,
            unlocked=[AchievementBody.of(status) for status in view.unlocked],
            upcoming=[AchievementBody.of(status) for status in view.upcoming],
        )


_EXAMPLE: Final = {
    "user_id": 42,
    "unlocked": [
        {
            "achievement_id": "primera-reaccion",
            "title": "Primera reacción",
            "description": "Reaccione por primera vez a una publicación de Diana.",
            "progress": 1,
            "target": 1,
            "unlocked": True,
            "unlocked_at": "2026-01-31T18:30:00Z",
            "reward_besitos": 5,
            "reward_item_id": None,
        }
    ],
    "upcoming": [
        {
            "achievement_id": "diez-reacciones",
            "title": "Admirador constante",
            "description": "Reaccione a diez publicaciones de Diana.",
            "progress": 1,
            "target": 10,
            "unlocked": False,
            "unlocked_at": None,
            "reward_besitos": 20,
            "reward_item_id": "rosa-roja",
        }
    ],
}

ACHIEVEMENTS: Final = ResponseSpec(
    AchievementsBody,
    description="Los logros del usuario.",
    generate_examples=False,
    examples=[Example(summary="Uno desbloqueado y uno en camino", value=_EXAMPLE)],
)


def achievements_controller(achievements: Achievements, users: UserDirectory) -> type[Controller]:
    """The logros controller over ``achievements`` (bound here once, not resolved on every request)."""

    class AchievementsController(Controller):
        """A user's logros."""

        path = "/users"
        tags = ["logros"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(USER_DATA)
        @get(
            "/{user_id:str}/achievements",
            summary="Consultar los logros de un usuario",
            description=(
                "Devuelve los logros del catálogo para el usuario: los desbloqueados, con su fecha, y "
                "los que aún no tiene, con su progreso hacia el objetivo."
            ),
            responses={200: ACHIEVEMENTS, **API_ERROR_RESPONSES, 404: USER_NOT_FOUND},
        )
        async def user_achievements(self, user_id: UserIdInPath) -> AchievementsBody:
            """Answer only for registered users, so a typo in an id is a 404 rather than no logros."""
            user = await users.get(UserId(user_id))
            return AchievementsBody.of(await achievements.view(user.user_id))

    return AchievementsController
