"""A fan's missions over HTTP: those under way, with progress, and those done; an admin gives one.

Its response schemas live here too: they belong to the missions module, which owns this file.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final, Literal, Self

from litestar import Controller, Request, get, post
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, JSONBody

from yabot_adapters.http.auth import USER_DATA, Access, protected
from yabot_adapters.http.auth.principals import KeyHolder
from yabot_adapters.http.errors import API_ERROR_RESPONSES, USER_NOT_FOUND
from yabot_adapters.http.parameters import UserIdInPath
from yabot_adapters.http.schemas import ErrorBody, error_response
from yabot_core.audit import Actor
from yabot_core.kernel import MAX_USER_ID, ForbiddenError, UserId
from yabot_core.missions import (
    MAX_MISSION_ID_LENGTH,
    MISSIONS_WRITE,
    Missions,
    MissionStatus,
    MissionsView,
    UserMission,
)
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


ASSIGNS: Final = Access(scope=MISSIONS_WRITE)


@dataclass(frozen=True, slots=True)
class AssignmentRequest:
    """Give ``mission_id`` (an id of the missions catalog) to the fan ``user_id``."""

    user_id: Annotated[int, Body(ge=1, le=MAX_USER_ID)]
    mission_id: Annotated[str, Body(min_length=1, max_length=MAX_MISSION_ID_LENGTH)]


@dataclass(frozen=True, slots=True)
class AssignmentBody:
    """The fan's mission after the assignment (the first one, if they already had it)."""

    user_id: int
    mission_id: str
    source: str
    assigned_at: datetime
    progress: int
    completions: int

    @classmethod
    def of(cls, mission: UserMission) -> Self:
        """Project a fan's mission onto the response."""
        return cls(
            user_id=mission.user_id,
            mission_id=mission.mission_id,
            source=mission.source,
            assigned_at=mission.assigned_at,
            progress=mission.progress,
            completions=mission.completions,
        )


ASSIGNED: Final = ResponseSpec(
    AssignmentBody,
    description="La misión del usuario (la que ya tenía, si se asigna otra vez).",
    generate_examples=False,
    examples=[
        Example(
            summary="Asignada por un administrador",
            value={
                "user_id": 42,
                "mission_id": "bienvenida-vip",
                "source": "admin",
                "assigned_at": "2026-01-31T18:30:00Z",
                "progress": 0,
                "completions": 0,
            },
        )
    ],
)
UNKNOWN_MISSION: Final = error_response(
    "El catálogo no tiene esa misión.",
    ErrorBody(
        "mision_desconocida", "No existe ninguna misión con el id «bienvenda-vip».", {"mission_id": "x"}
    ),
)
EXPIRED: Final = error_response(
    "La misión ya caducó: no se asigna.",
    ErrorBody("mision_caducada", "La misión «navidad» ya ha caducado.", {"mission_id": "navidad"}),
)


def mission_assignments_controller(missions: Missions) -> type[Controller]:
    """The admins' route that gives a fan a mission, audited under the API key's name."""

    class MissionAssignmentsController(Controller):
        """Missions given by admins."""

        path = "/admin/missions"
        tags = ["misiones"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(ASSIGNS)
        @post(
            "/assignments",
            status_code=200,
            summary="Asignar una misión a un usuario",
            description=(
                "Da al usuario la misión del catálogo (un usuario desconocido queda registrado). Si ya la "
                "tenía, devuelve la que tenía y no cambia nada. Queda en el registro de auditoría con el "
                "nombre de la clave. Pide el alcance `missions:write`."
            ),
            responses={200: ASSIGNED, **API_ERROR_RESPONSES, 404: UNKNOWN_MISSION, 409: EXPIRED},
        )
        async def assign(
            self, request: Request[Any, Any, Any], data: JSONBody[AssignmentRequest]
        ) -> AssignmentBody:
            """Assign and audit in one unit of work."""
            principal = request.user
            if not isinstance(principal, KeyHolder):  # pragma: no cover  (the guard lets keys only)
                raise ForbiddenError
            mission = await missions.assign(
                UserId(data.user_id), data.mission_id, actor=Actor.api_key(principal.key.name)
            )
            return AssignmentBody.of(mission)

    return MissionAssignmentsController
