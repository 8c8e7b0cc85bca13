"""A fan's missions over HTTP: those under way, with progress, and those done in their current period.

Its response schemas live here too: they belong to the missions module, which owns this file.
"""

from dataclasses import dataclass
from typing import Final, Literal, Self

from litestar import Controller, get
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example

from yabot_adapters.http.auth import USER_DATA, protected
from yabot_adapters.http.errors import API_ERROR_RESPONSES, USER_NOT_FOUND
from yabot_adapters.http.parameters import UserIdInPath
from yabot_core.kernel import UserId
from yabot_core.missions import Missions, MissionStatus, MissionsView
from yabot_core.users import UserDirectory


@dataclass(frozen=True, slots=True)
class MissionBody:
    """One mission of a user: what it asks, how far they are, what it pays."""

    mission_id: str
    title: str
    description: str
    kind: Literal["unica", "diaria", "semanal"]
    progress: int
    target: int
    completed: bool
    completions: int
    reward_besitos: int
    reward_item_id: str | None

    @classmethod
    def of(cls, status: MissionStatus) -> Self:
        """Project a mission's status onto what the API publishes."""
        mission = status.definition
        return cls(
            mission_id=mission.id,
            title=mission.title,
            description=mission.description,
            kind=mission.kind.value,
            progress=status.progress,
            target=status.target,
            completed=status.completed,
            completions=status.completions,
            reward_besitos=mission.reward.besitos,
            reward_item_id=mission.reward.item_id,
        )


@dataclass(frozen=True, slots=True)
class MissionsBody:
    """A user's missions: under way and done (in their current period), in the catalog's order."""

    user_id: int
    active: list[MissionBody]
    completed: list[MissionBody]

    @classmethod
    def of(cls, view: MissionsView) -> Self:
        """Project the missions view onto the response."""
        return cls(
            user_id=view.user_id,
            active=[MissionBody.of(status) for status in view.active],
            completed=[MissionBody.of(status) for status in view.completed],
        )


_EXAMPLE: Final = {
    "user_id": 42,
    "active": [
        {
            "mission_id": "constancia-semanal",
            "title": "Constancia",
            "description": "Recoja el regalo diario tres días de esta semana.",
            "kind": "semanal",
            "progress": 1,
            "target": 3,
            "completed": False,
            "completions": 0,
            "reward_besitos": 15,
            "reward_item_id": "rosa-roja",
        }
    ],
    "completed": [
        {
            "mission_id": "primer-regalo",
            "title": "Su primer regalo",
            "description": "Recoja su primer regalo diario con /regalo.",
            "kind": "unica",
            "progress": 1,
            "target": 1,
            "completed": True,
            "completions": 1,
            "reward_besitos": 10,
            "reward_item_id": None,
        }
    ],
}

MISSIONS: Final = ResponseSpec(
    MissionsBody,
    description="Las misiones del usuario.",
    generate_examples=False,
    examples=[Example(summary="Una en curso y una cumplida", value=_EXAMPLE)],
)


def missions_controller(missions: Missions, users: UserDirectory) -> type[Controller]:
    """The missions controller over ``missions`` (bound here once, not resolved on every request)."""

    class MissionsController(Controller):
        """A user's missions."""

        path = "/users"
        tags = ["misiones"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(USER_DATA)
        @get(
            "/{user_id:str}/missions",
            summary="Consultar las misiones de un usuario",
            description=(
                "Devuelve las misiones asignadas al usuario: las que tiene en curso, con su progreso, y las "
                "que ya cumplió en su periodo actual (una misión diaria o semanal vuelve a estar en curso al "
                "empezar el siguiente). Las caducadas sin cumplir no aparecen."
            ),
            responses={200: MISSIONS, **API_ERROR_RESPONSES, 404: USER_NOT_FOUND},
        )
        async def user_missions(self, user_id: UserIdInPath) -> MissionsBody:
            """Answer only for registered users, so a typo in an id is a 404 rather than no missions."""
            user = await users.get(UserId(user_id))
            return MissionsBody.of(await missions.view(user.user_id))

    return MissionsController
