"""Scheduled posts over HTTP, for admins: list them, schedule one, cancel one before it leaves."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, Self

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from yabot_adapters.http.auth import ADMIN_ONLY, protected
from yabot_adapters.http.auth.principals import KeyHolder
from yabot_adapters.http.errors import API_ERROR_RESPONSES
from yabot_adapters.http.schemas import ErrorBody, error_response
from yabot_core.audit import Actor
from yabot_core.kernel import ForbiddenError
from yabot_core.posts import MAX_REMOVE_AFTER, Post, PostChannel, PostState, ScheduledPosts, post_content

_MAX_HOURS = int(MAX_REMOVE_AFTER.total_seconds() // 3600)

NOT_FOUND = error_response(
    "Ninguna publicación tiene ese id.",
    ErrorBody("publicacion_no_encontrada", "No hay ninguna publicación con el id «p-1».", {"post_id": "p-1"}),
)
NOT_EDITABLE = error_response(
    "La publicación ya salió, se está enviando, falló o se canceló.",
    ErrorBody(
        "publicacion_no_editable",
        "La publicación «p-1» ya no se puede cambiar: está publicada.",
        {"post_id": "p-1", "state": "publicada"},
    ),
)
PostIdInPath = Annotated[str, PathParameter(min_length=1, max_length=64, description="Id de la publicación.")]


@dataclass(frozen=True, slots=True)
class MediaRequest:
    """A photo or a video: a Telegram ``file_id`` or an HTTP(S) URL."""

    kind: Literal["foto", "video"]
    file: str


@dataclass(frozen=True, slots=True)
class ScheduledPostRequest:
    """A post to schedule: text and/or 1 to 10 media, the channel, when, protection, timed removal."""

    channel: Literal["gratuito", "vip"]
    text: str = ""
    media: tuple[MediaRequest, ...] = ()
    at: datetime | None = None
    protect: bool = False
    remove_after_hours: int | None = None


@dataclass(frozen=True, slots=True)
class ScheduledPostBody:
    """A scheduled post as admins see it."""

    post_id: str
    channel: str
    kind: str
    text: str
    media: list[dict[str, str]]
    due_at: datetime
    protect: bool
    remove_after_hours: float | None
    state: str
    attempts: int
    message_ids: list[int]
    error: str | None
    created_by: str
    published_at: datetime | None

    @classmethod
    def of(cls, item: Post) -> Self:
        """Project a post."""
        after = item.remove_after
        return cls(
            post_id=item.post_id,
            channel=str(item.channel),
            kind=item.content.kind,
            text=item.content.text,
            media=[{"kind": str(media.kind), "file": media.file} for media in item.content.media],
            due_at=item.due_at,
            protect=item.protect,
            remove_after_hours=None if after is None else after.total_seconds() / 3600,
            state=str(item.state),
            attempts=item.attempts,
            message_ids=list(item.message_ids),
            error=item.error,
            created_by=item.created_by,
            published_at=item.published_at,
        )


def _actor(request: Request[Any, Any, Any]) -> Actor:
    principal = request.user
    if not isinstance(principal, KeyHolder):  # pragma: no cover  (the guard lets keys only)
        raise ForbiddenError
    return Actor.api_key(principal.key.name)


def posts_controller(posts: ScheduledPosts) -> type[Controller]:
    """The admins' scheduled posts controller over ``posts``."""

    class ScheduledPostsController(Controller):
        """Posts to the free and VIP channels at a time."""

        path = "/admin/scheduled-posts"
        tags = ["publicaciones"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(ADMIN_ONLY)
        @get(
            "/",
            summary="Listar las publicaciones programadas",
            description="Las más próximas primero; con `pending=true`, solo las que aún no han salido.",
            responses=API_ERROR_RESPONSES,
        )
        async def list_posts(
            self,
            pending: Annotated[bool, QueryParameter(description="Solo las que aún no han salido.")] = False,
            limit: Annotated[int, QueryParameter(ge=1, le=200, description="Cuántas (1 a 200).")] = 50,
        ) -> list[ScheduledPostBody]:
            """A listing of ``posts``."""
            states = [PostState.SCHEDULED, PostState.PUBLISHING] if pending else []
            return [ScheduledPostBody.of(item) for item in await posts.listing(states=states, limit=limit)]

        @protected(ADMIN_ONLY)
        @post(
            "/",
            summary="Programar una publicación",
            description=(
                "Texto, una foto, un vídeo o un álbum (2 a 10) para el canal `gratuito` o `vip`, a una hora "
                "(`at`, ISO 8601 con zona; ahora si falta). En el canal VIP siempre va protegida "
                "(`protect_content`). `remove_after_hours` la retira del canal tantas horas después de "
                f"publicarse (1 a {_MAX_HOURS}). Queda en el registro de auditoría."
            ),
            responses=API_ERROR_RESPONSES,
        )
        async def schedule(
            self, request: Request[Any, Any, Any], data: JSONBody[ScheduledPostRequest]
        ) -> ScheduledPostBody:
            """Validate in the core (Spanish errors), schedule, answer the stored post."""
            content = post_content(data.text, [(item.kind, item.file) for item in data.media])
            hours = data.remove_after_hours
            remove = None if hours is None else _removal_after(hours)
            scheduled = await posts.schedule(
                PostChannel(data.channel),
                content,
                at=data.at,
                protect=data.protect,
                remove_after=remove,
                actor=_actor(request),
            )
            return ScheduledPostBody.of(scheduled)

        @protected(ADMIN_ONLY)
        @get(
            "/{post_id:str}",
            summary="Consultar una publicación",
            responses={**API_ERROR_RESPONSES, 404: NOT_FOUND},
        )
        async def one(self, post_id: PostIdInPath) -> ScheduledPostBody:
            """One post (404 with ``publicacion_no_encontrada`` if none has the id)."""
            return ScheduledPostBody.of(await posts.get(post_id))

        @protected(ADMIN_ONLY)
        @delete(
            "/{post_id:str}",
            status_code=200,
            summary="Cancelar una publicación",
            description="Solo antes de que salga (409 `publicacion_no_editable` si ya salió o se canceló).",
            responses={**API_ERROR_RESPONSES, 404: NOT_FOUND, 409: NOT_EDITABLE},
        )
        async def cancel(self, request: Request[Any, Any, Any], post_id: PostIdInPath) -> ScheduledPostBody:
            """Cancel it, audited under the key's name."""
            return ScheduledPostBody.of(await posts.cancel(post_id, actor=_actor(request)))

    return ScheduledPostsController


def _removal_after(hours: int) -> timedelta:
    """``hours`` as the core's ``remove_after``, for it to judge in Spanish.

    Any whole number is accepted from JSON; a number of hours beyond what a timedelta holds would overflow
    on the way, so everything past the most the core allows travels as one hour more, refused alike.
    """
    most = int(MAX_REMOVE_AFTER.total_seconds() // 3600)
    return timedelta(hours=max(-1, min(hours, most + 1)))
