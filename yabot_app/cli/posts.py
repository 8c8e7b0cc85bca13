"""``yabot posts``: schedule a post to the free or VIP channel, list them, cancel one before it leaves."""

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import Delay, Moment, operator
from yabot_app.cli.runtime import load_settings, local_time, memory_refused, run, with_container
from yabot_app.cli.spanish import NonBlankText, PositiveInt, SpanishGroup
from yabot_app.modules.posts import PostsModule
from yabot_app.terminal import printable
from yabot_core.posts import MAX_REMOVE_AFTER, Post, PostChannel, PostState, post_content

if TYPE_CHECKING:
    from yabot_app.container import Container

_HOURS = int(MAX_REMOVE_AFTER.total_seconds() // 3600)


@click.group(
    "posts",
    cls=SpanishGroup,
    help="Publicaciones programadas en el canal gratuito o VIP: programarlas, listarlas, cancelarlas.",
)
def posts_group() -> None:
    """Scheduled posts' commands."""


@posts_group.command(
    help="Programa una publicación: texto, una foto, un vídeo o un álbum (de 2 a 10 fotos y vídeos)."
)
@click.argument("channel", metavar="CANAL", type=click.Choice([str(channel) for channel in PostChannel]))
@click.option("--text", "text", metavar="TEXTO", default="", help="El texto (o el pie de las fotos).")
@click.option("--photo", "photos", metavar="FOTO", multiple=True, help="Una foto: file_id de Telegram o URL.")
@click.option(
    "--video", "videos", metavar="VIDEO", multiple=True, help="Un vídeo: file_id de Telegram o URL."
)
@click.option(
    "--in", "delay", metavar="DEMORA", type=Delay(), default=None, help="Dentro de cuánto: 10m, 2h…"
)
@click.option(
    "--at", "moment", metavar="MOMENTO", type=Moment(), default=None, help="A qué hora, en ISO 8601."
)
@click.option("--protect", is_flag=True, help="Sin reenviar ni guardar (en el canal VIP, siempre).")
@click.option(
    "--remove-after",
    "remove_after",
    metavar="HORAS",
    type=PositiveInt("Las horas", _HOURS),
    default=None,
    help=f"Retirarla del canal tantas horas después de publicarla (1 a {_HOURS}).",
)
def schedule(  # noqa: PLR0917  (click passes each option by name)
    channel: str,
    text: str,
    photos: tuple[str, ...],
    videos: tuple[str, ...],
    delay: timedelta | None,
    moment: datetime | None,
    protect: bool,
    remove_after: int | None,
) -> None:
    """Schedule a post; without --in or --at it leaves at once (through the serving process)."""
    settings = load_settings()
    memory_refused(settings)
    if delay is not None and moment is not None:
        raise click.UsageError("indique --in o --at, no ambas.")
    media = [("foto", photo) for photo in photos] + [("video", video) for video in videos]

    async def work(container: "Container") -> None:
        content = post_content(text, media)  # a Spanish error, through run()
        service = container.modules().get(PostsModule).posts
        at = moment or (container.clock().now() + delay if delay is not None else None)
        post = await service.schedule(
            PostChannel(channel),
            content,
            at=at,
            protect=protect,
            remove_after=None if remove_after is None else timedelta(hours=remove_after),
            actor=operator(),
        )
        when = local_time(post.due_at, settings.zone, seconds=True)
        shield = "protegida" if post.protect else "sin proteger"
        click.echo(
            f"Publicación {post.post_id} ({post.content.kind}, {shield}) para el canal {channel}: {when}."
        )
        click.echo(f"Cancélela antes con: yabot posts cancel {post.post_id}")

    run(with_container(settings, work))


@posts_group.command(help="Cancela una publicación que aún no ha salido.")
@click.argument("post_id", metavar="ID", type=NonBlankText("El id no puede estar vacío."))
def cancel(post_id: str) -> None:
    """Cancel a scheduled post."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        post = await container.modules().get(PostsModule).posts.cancel(post_id, actor=operator())
        click.echo(f"Publicación {post.post_id} cancelada: no se publicará.")

    run(with_container(settings, work))


@posts_group.command("list", help="Lista las publicaciones, las más próximas primero.")
@click.option("--pending", is_flag=True, help="Solo las que aún no han salido.")
@click.option(
    "--limit", default=20, show_default=True, type=PositiveInt("El límite", 1000), help="De 1 a 1000."
)
def list_posts(pending: bool, limit: int) -> None:
    """Show posts, soonest first."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        service = container.modules().get(PostsModule).posts
        states = [PostState.SCHEDULED, PostState.PUBLISHING] if pending else []
        found = await service.listing(states=states, limit=limit)
        if not found:
            click.echo("No hay publicaciones.")
            return
        for post in found:
            click.echo(_line(post, settings.zone))

    run(with_container(settings, work))


def _line(post: Post, zone: tzinfo) -> str:
    when = local_time(post.due_at, zone)
    shield = "protegida" if post.protect else "-"
    text = printable(post.content.text[:50])
    kind = post.content.kind
    return f"{post.post_id}  {when}  {post.channel:<9} {post.state:<11} {kind:<6} {shield:<9} {text}"
