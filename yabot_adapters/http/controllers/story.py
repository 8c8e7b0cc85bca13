"""The story over HTTP: a fan's progress in every story they started, and one fragment as written.

A fragment is cacheable: it carries an ``ETag`` made of its story, the story's version and a digest of what
is published, and a request naming that tag in ``If-None-Match`` is answered 304 with no body. Publishing a
changed story (a restart with new content) changes the tag, so every cached copy is refreshed; the VIP check
runs before the tag is compared, so a cache never lets a fan who is no longer VIP keep reading.

Its response schemas live here too: they belong to the story module, which owns this file.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any, Final, Literal, Self

from litestar import Controller, Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.openapi import ResponseSpec
from litestar.params import PathParameter, QueryParameter
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from yabot_adapters.http.auth import USER_DATA, Access, protected
from yabot_adapters.http.auth.principals import Fan, Principal
from yabot_adapters.http.errors import API_ERROR_RESPONSES, USER_NOT_FOUND
from yabot_adapters.http.parameters import UserIdInPath
from yabot_adapters.http.schemas import ErrorBody, error_response
from yabot_core.kernel import ForbiddenError, UserId
from yabot_core.story import STORY_READ, Fragment, Narrative, StoryProgress, VipFragmentError
from yabot_core.subscriptions import VipStatus
from yabot_core.users import UserDirectory

STORY_CONTENT: Final = Access(scope=STORY_READ, any_fan=True)
"""The stories' own text: keys with ``story:read`` (or ``admin``), and fans from the Mini App (a VIP
fragment only to a fan who is VIP)."""


@dataclass(frozen=True, slots=True)
class ProgressBody:
    """Where a fan is in one story."""

    story_id: str
    story_title: str | None
    """``null`` for a story the creator removed since."""
    story_version: int
    current_fragment: str
    visited: list[str]
    decisions: int
    flags: list[str]
    completed: bool
    started_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, progress: StoryProgress, title: str | None) -> Self:
        """Project a progress record onto what the API publishes."""
        return cls(
            story_id=progress.story_id,
            story_title=title,
            story_version=progress.story_version,
            current_fragment=progress.current,
            visited=list(progress.visited),
            decisions=progress.step,
            flags=list(progress.flags),
            completed=progress.completed,
            started_at=progress.started_at,
            updated_at=progress.updated_at,
        )


@dataclass(frozen=True, slots=True)
class NarrativeProgressBody:
    """A fan's progress in every story they started, the most recently moved first."""

    user_id: int
    stories: list[ProgressBody]


@dataclass(frozen=True, slots=True)
class ChoiceBody:
    """A choice of a fragment: its words and where it leads (conditions and effects stay in the content)."""

    choice_id: str
    text: str
    target: str
    vip_only: bool


@dataclass(frozen=True, slots=True)
class FragmentBody:
    """One fragment of a story, as the creator wrote it."""

    story_id: str
    fragment_id: str
    title: str
    text: str
    voice: Literal["lucien", "diana"]
    vip: bool
    tags: list[str]
    ending: bool
    media_kind: Literal["foto", "video", "voz"] | None
    media_source: str | None
    choices: list[ChoiceBody]

    @classmethod
    def of(cls, narrative: Narrative, story_id: str, fragment: Fragment) -> Self:
        """Project a fragment onto what the API publishes."""
        from yabot_core.story import vip_gated  # noqa: PLC0415  (read beside its one use)

        story = narrative.library.get(story_id)
        return cls(
            story_id=story_id,
            fragment_id=fragment.id,
            title=fragment.title,
            text=fragment.text,
            voice=fragment.voice.value,
            vip=fragment.vip,
            tags=list(fragment.tags),
            ending=fragment.is_ending,
            media_kind=fragment.media.kind.value if fragment.media else None,
            media_source=fragment.media.source if fragment.media else None,
            choices=[
                ChoiceBody(
                    choice_id=choice.id,
                    text=choice.text,
                    target=choice.target,
                    vip_only=story is not None and vip_gated(choice, story),
                )
                for choice in fragment.choices
            ],
        )


VIP_FRAGMENT: Final = error_response(
    "Un fan que no es VIP pidió un fragmento VIP, o una clave sin el alcance «story:read».",
    ErrorBody(
        "fragmento_solo_vip",
        "Ese fragmento está reservado a quienes acompañan a Diana en su círculo VIP. Si desea unirse,"
        " escriba /vip al bot.",
        {"fragment_id": "invernadero-fondo"},
    ),
    ErrorBody(
        ForbiddenError.code,
        "La clave «panel» no tiene el alcance «story:read».",
        {"required_scope": STORY_READ, "key_id": "3f9a1c0b7e2d4a56"},
    ),
)

FRAGMENT_NOT_FOUND: Final = error_response(
    "No existe ese fragmento (o esa historia).",
    ErrorBody(
        "fragmento_desconocido",
        "La historia «el-invernadero» no tiene ningún fragmento «sotano».",
        {"story_id": "el-invernadero", "fragment_id": "sotano"},
    ),
)


NOT_MODIFIED: Final = ResponseSpec(
    None,
    description="El fragmento no ha cambiado desde la copia que nombra `If-None-Match`: úsela.",
    generate_examples=False,
)

CACHE_CONTROL: Final = "private, no-cache"
"""Per caller (a VIP fragment is not for everyone), and revalidated on each use: cheap with the tag."""

ETAG: Final = ResponseHeader(
    name="ETag",
    documentation_only=True,
    description="La versión publicada del fragmento; cambia cuando se publica una que lo cambie.",
)


def fragment_etag(story_id: str, version: int, body: FragmentBody) -> str:
    """The fragment's tag: its story, the story's version, and a digest of what the API publishes of it."""
    published = json.dumps(asdict(body), sort_keys=True, ensure_ascii=False).encode()
    digest = hashlib.blake2b(published, digest_size=8).hexdigest()
    return f'"{story_id}-{version}-{digest}"'


def _names(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (or is ``*``); weak tags compare as strong."""
    if header is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


def story_controller(narrative: Narrative, users: UserDirectory, vip: VipStatus) -> type[Controller]:
    """The story controller over ``narrative`` (bound here once, not resolved on every request)."""

    class StoryController(Controller):
        """Stories and each fan's way through them."""

        path = "/"
        tags = ["historia"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(USER_DATA)
        @get(
            "/users/{user_id:str}/narrative/progress",
            summary="Consultar el progreso de un usuario en las historias",
            description=(
                "Devuelve, para cada historia que el usuario ha empezado, dónde está, por dónde ha pasado, "
                "cuántas decisiones ha tomado, sus marcas y si la ha terminado; la más reciente primero."
            ),
            responses={**API_ERROR_RESPONSES, 404: USER_NOT_FOUND},
        )
        async def progress(self, user_id: UserIdInPath) -> NarrativeProgressBody:
            """Answer only for registered users, so a typo in an id is a 404 rather than no stories."""
            user = await users.get(UserId(user_id))
            records = await narrative.stories_of(user.user_id)
            stories = []
            for record in records:
                story = narrative.library.get(record.story_id)
                stories.append(ProgressBody.of(record, story.header.title if story else None))
            return NarrativeProgressBody(user_id=user.user_id, stories=stories)

        @protected(STORY_CONTENT)
        @get(
            "/fragments/{fragment_id:str}",
            summary="Consultar un fragmento de una historia",
            description=(
                "Devuelve un fragmento tal como lo escribió la creadora: título, texto, voz, medios y "
                "opciones. `story` elige la historia (por omisión, la primera). Lleva `ETag`: con "
                "`If-None-Match` y la misma etiqueta responde 304 sin cuerpo, hasta que se publique una "
                "versión que lo cambie."
            ),
            response_headers=[ETAG],
            responses={
                **API_ERROR_RESPONSES,
                304: NOT_MODIFIED,
                403: VIP_FRAGMENT,
                404: FRAGMENT_NOT_FOUND,
            },
        )
        async def fragment(
            self,
            request: Request[Principal, Any, Any],
            fragment_id: Annotated[str, PathParameter(max_length=64, description="El id del fragmento.")],
            story: Annotated[
                str | None, QueryParameter(max_length=64, description="El id de la historia.")
            ] = None,
        ) -> Response[FragmentBody | None]:
            """Look the fragment up in the loaded library; 304 when the caller's copy is current."""
            first = narrative.library.first
            story_id = story if story is not None else (first.id if first is not None else "")
            found = narrative.fragment(story_id, fragment_id)
            if found.vip and isinstance(request.user, Fan) and not await vip.is_vip(request.user.user_id):
                raise VipFragmentError(found.id)
            body = FragmentBody.of(narrative, story_id, found)
            loaded = narrative.library.get(story_id)
            etag = fragment_etag(story_id, loaded.header.version if loaded else 0, body)
            headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
            if _names(request.headers.get("if-none-match"), etag):
                return Response(None, status_code=HTTP_304_NOT_MODIFIED, headers=headers)
            return Response(body, headers=headers)

    return StoryController
