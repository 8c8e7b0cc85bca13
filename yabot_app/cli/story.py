"""``yabot story``: play every branch of the stories before the fans do, and bring stories in from Twine."""

import asyncio
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click

from yabot_app.cli.runtime import fail, load_settings, memory_refused, run
from yabot_app.cli.spanish import SpanishGroup
from yabot_app.terminal import printable

if TYPE_CHECKING:
    from yabot_adapters.content import SourceFile, StoryFile
    from yabot_app.settings import Settings
    from yabot_core.inventory import ItemCatalog

MEDIA_TIMEOUT: Final = 5.0
"""Seconds one media address may take to answer before it counts as not loading."""

_WEB: Final = ("https://", "http://")


@click.group(
    "story",
    cls=SpanishGroup,
    help="Historias: comprobar cada camino antes de publicarla, importar desde Twine.",
)
def story_group() -> None:
    """Story commands."""


@dataclass(frozen=True, slots=True)
class Catalogs:
    """What a story is checked against, as a serving process builds it: items, Lucien's texts, missions."""

    items: "ItemCatalog"
    text_check: Callable[[str], Sequence[str]]
    missions: tuple[str, ...]


@dataclass
class Report:
    """What the check found, as Spanish lines: errors fail it, warnings only when strict."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@story_group.command(
    "check",
    help=(
        "Juega cada camino de las historias, como seguidor gratuito y como VIP, y avisa de callejones sin"
        " salida, fragmentos y finales a los que nadie llega, condiciones que nunca se cumplen, variables que"
        " nadie sustituye, media que no carga y botones demasiado largos. Sin RUTA: las historias de serie y"
        " las de su carpeta de contenido. Sale con 0 si todo está bien y con 1 si hay errores."
    ),
)
@click.argument("path", metavar="RUTA", required=False)
@click.option(
    "--sin-red", "offline", is_flag=True, help="No abre las direcciones de las fotos, vídeos y voces."
)
@click.option("--estricto", "strict", is_flag=True, help="Los avisos también hacen fallar la comprobación.")
@click.option(
    "--almacen",
    "storage",
    is_flag=True,
    help="Cuenta, en el almacenamiento configurado, cuántos seguidores mueve cada fragmento quitado.",
)
def check(path: str | None, offline: bool, strict: bool, storage: bool) -> None:
    """Check stories as start-up would, then play them; print every finding by file, line and fragment."""
    from yabot_adapters.content import ContentError  # noqa: PLC0415  (ruamel only when run)

    settings = load_settings()
    if storage:
        memory_refused(settings)
    targets = _targets(path, settings.content_dir)
    try:
        catalogs = _catalogs(settings)
    except ContentError as exc:
        fail(exc.message)
    report = Report()
    checked = [asyncio.run(_check_file(source, catalogs, report, offline=offline)) for source in targets]
    if storage:
        run(_count_moved(settings, [read for read in checked if read.story is not None], report))
    _print(report)
    if report.errors or (strict and report.warnings):
        raise SystemExit(1)


@story_group.command(
    "import",
    help=(
        "Convierte una historia de Twine (Twee 3) en una historia de YABOT (YAML) y la comprueba. Las macros,"
        " variables, estilos y código de Harlowe o SugarCube no se importan: lo omitido sale como aviso."
    ),
)
@click.argument("path", metavar="ARCHIVO.twee")
@click.option(
    "--salida",
    "output",
    metavar="ARCHIVO.yaml",
    default=None,
    help="Dónde escribir la historia (por defecto, junto al .twee con extensión .yaml).",
)
def import_command(path: str, output: str | None) -> None:
    """Convert, refuse with every error by line (writing nothing), else write the YAML and check it."""
    from yabot_adapters.content import ContentError, SourceFile  # noqa: PLC0415  (ruamel only when run)
    from yabot_adapters.content.stories import dump_story  # noqa: PLC0415
    from yabot_core.story import import_twee  # noqa: PLC0415

    source = Path(path)
    if not source.is_file():
        fail(f"no existe el archivo {path}.")
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"no se puede leer {path} como texto UTF-8 ({type(exc).__name__}).")
    target = Path(output) if output is not None else source.with_suffix(".yaml")
    if target.exists():
        fail(f"{target} ya existe: no lo sobrescribo. Bórrelo o elija otro con --salida.")
    settings = load_settings()  # the catalog and Lucien's texts the check needs: before anything is written
    try:
        catalogs = _catalogs(settings)
    except ContentError as exc:
        fail(exc.message)
    imported = import_twee(text, fallback_title=source.stem)
    for note in imported.notes:
        where = f"{path}, línea {note.line}" + (f" (pasaje «{note.passage}»)" if note.passage else "")
        click.echo(f"{'Error' if note.error else 'Aviso'}: {printable(where)}: {printable(note.message)}")
    if imported.story is None:
        fail(f"{path} no se puede importar: corrija los errores de arriba; no se escribió nada.")
    target.write_text(dump_story(imported.story), encoding="utf-8")
    click.echo(f"Escrita {target}. Comprobándola…")
    report = Report()
    asyncio.run(_check_file(SourceFile.of(target), catalogs, report, offline=True))
    _print(report)
    if report.errors:
        raise SystemExit(1)


def _print(report: Report) -> None:
    for line in report.errors:
        click.echo(f"Error: {printable(line)}")
    for line in report.warnings:
        click.echo(f"Aviso: {printable(line)}")
    for line in report.notes:
        click.echo(printable(line))
    errors, warnings = len(report.errors), len(report.warnings)
    click.echo(f"{_count(errors, 'error', 'errores')} y {_count(warnings, 'aviso', 'avisos')}.")


def _count(number: int, one: str, many: str) -> str:
    return f"1 {one}" if number == 1 else f"{number} {many}"


def _targets(path: str | None, content_dir: Path) -> list["SourceFile"]:
    from yabot_adapters.content import STORIES_DIR, SourceFile  # noqa: PLC0415
    from yabot_adapters.content.stories import story_files  # noqa: PLC0415
    from yabot_app.content import SHIPPED_STORIES  # noqa: PLC0415

    if path is None:
        found = [*story_files(SHIPPED_STORIES), *story_files(content_dir / STORIES_DIR)]
        if not found:
            fail("no hay ninguna historia que comprobar.")
        return found
    chosen = Path(path)
    if chosen.is_dir():
        found = story_files(chosen)
        if not found:
            fail(f"la carpeta {path} no tiene ningún archivo .yaml de historia.")
        return found
    if not chosen.is_file():
        fail(f"no existe el archivo o la carpeta {path}.")
    return [SourceFile.of(chosen)]


def _catalogs(settings: "Settings") -> Catalogs:
    """The items, Lucien's text check and the missions, built as a serving process builds them."""
    from yabot_app.container import build_container  # noqa: PLC0415
    from yabot_app.modules import MODULES  # noqa: PLC0415
    from yabot_app.modules.inventory import InventoryModule  # noqa: PLC0415
    from yabot_app.modules.lucien import LucienModule  # noqa: PLC0415
    from yabot_app.modules.missions import MissionsModule  # noqa: PLC0415
    from yabot_core.story import MANIFEST  # noqa: PLC0415

    needed = set(MANIFEST.depends_on)
    changed = True
    while changed:
        before = len(needed)
        for plug in MODULES:
            if plug.manifest.name in needed:
                needed.update(plug.manifest.depends_on)
        changed = len(needed) != before
    plugs = [plug for plug in MODULES if plug.manifest.name in needed]
    memory = settings.model_copy(update={"storage": "memory"})
    modules = build_container(memory, telegram=False, plugs=plugs).modules()
    return Catalogs(
        items=modules.get(InventoryModule).mochila.catalog,
        text_check=modules.get(LucienModule).lucien.text_problems,
        missions=tuple(mission.id for mission in modules.get(MissionsModule).missions.catalog),
    )


async def _check_file(
    source: "SourceFile", catalogs: Catalogs, report: Report, *, offline: bool
) -> "StoryFile":
    from yabot_adapters.content.stories import read_story_file  # noqa: PLC0415
    from yabot_adapters.telegram.keyboards.story import unpackable_buttons  # noqa: PLC0415
    from yabot_core.story import Severity, StoryProblem, explore  # noqa: PLC0415

    catalog = catalogs.items
    read = read_story_file(
        source,
        [item.id for item in catalog.items],
        text_check=catalogs.text_check,
        missions=catalogs.missions,
    )
    report.errors.extend(str(problem) for problem in read.problems)
    story = read.story
    if story is None:
        if read.removes:
            report.notes.append(f"{source.shown_as}: quita una historia de serie; nada que jugar.")
        return read
    explored = await explore(story, catalog)
    located = sorted(
        ((finding.severity, read.located(finding.problem)) for finding in explored.findings),
        key=lambda pair: pair[1].line or 0,
    )
    for severity, problem in located:
        (report.errors if severity is Severity.ERROR else report.warnings).append(str(problem))
    for index, place in unpackable_buttons(story):
        fragment = story.fragments[index]
        too_long = (
            f"el botón de la opción «{fragment.choices[place].id}» no cabe en los 64 bytes que Telegram"
            " admite: acorte los ids."
        )
        report.errors.append(
            str(read.located(StoryProblem(index, fragment.label, too_long, ("opciones", place))))
        )
    for index, fragment in enumerate(story):
        if fragment.media is None:
            continue
        level, said = await _media(fragment.media.source, offline=offline)
        if said is not None:
            where = read.located(StoryProblem(index, fragment.label, said, ("media", "fuente")))
            (report.errors if level == "error" else report.warnings).append(str(where))
    report.notes.append(
        f"{source.shown_as}: «{story.header.title}», {len(story)} fragmentos; jugados"
        f" {explored.free_states} estados como seguidor gratuito y {explored.vip_states} como VIP."
    )
    return read


async def _count_moved(settings: "Settings", files: list["StoryFile"], report: Report) -> None:
    """How many fans each removed fragment moves, read from the live storage (nothing is changed)."""
    from yabot_adapters.storage import opened  # noqa: PLC0415  (drivers only when asked)
    from yabot_app.container import build_container  # noqa: PLC0415
    from yabot_core.story import StoryProblem  # noqa: PLC0415

    async with opened(build_container(settings, telegram=False).storage()) as storage:
        for read in files:
            story = read.story
            assert story is not None  # noqa: S101  (the caller passes loaded stories only)
            counts = await storage.story_queries.fans_by_fragment(story.id)
            moved = 0
            for fragment_id, fans in sorted(counts.items()):
                if story.get(fragment_id) is not None:
                    continue
                moved += fans
                who = "1 seguidor está" if fans == 1 else f"{fans} seguidores están"
                successor = story.successor(fragment_id)
                if successor is not None:
                    index = story.fragments.index(successor)
                    said = f"{who} en «{fragment_id}», que ya no existe: pasarán aquí, que lo reemplaza."
                    where = StoryProblem(index, successor.label, said, ("reemplaza",))
                    report.notes.append(str(read.located(where)))
                else:
                    said = (
                        f"{who} en «{fragment_id}», que ya no existe y ningún fragmento reemplaza:"
                        " volverán al último fragmento que visitaron y siga existiendo, o al inicio."
                    )
                    where = StoryProblem(None, f"historia «{story.id}»", said, ("id",))
                    report.warnings.append(str(read.located(where)))
            total = sum(counts.values())
            report.notes.append(
                f"{read.source.shown_as}: {_count(total, 'seguidor', 'seguidores')} en «{story.id}»;"
                f" {_count(moved, 'cambiará', 'cambiarán')} de fragmento en su próximo /historia."
            )


async def _media(source: str, *, offline: bool) -> tuple[str, str | None]:
    """Whether a fragment's media loads: a level and a message (``None`` when it loads)."""
    if not source.startswith(_WEB):
        return "aviso", (
            f"«{source[:40]}» es un identificador de archivo de Telegram: no se puede comprobar sin el bot."
            " Pruebe el fragmento con /historia."
        )
    if offline:
        return "aviso", f"no se comprobó si «{source[:80]}» carga (--sin-red)."
    reason = await asyncio.to_thread(url_problem, source, MEDIA_TIMEOUT)
    return "error", None if reason is None else f"la media «{source[:80]}» no carga: {reason}."


def url_problem(url: str, timeout: float) -> str | None:
    """Why ``url`` does not load (HEAD, then GET if HEAD is refused), in Spanish; ``None`` if it loads."""
    last = "no responde"
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": "yabot-story-check"})  # noqa: S310  (http(s) only, checked by the caller)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  (same)
                if HTTPStatus.OK <= response.status < HTTPStatus.BAD_REQUEST:
                    return None
                last = f"el servidor responde {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"el servidor responde {exc.code}"
            if exc.code not in {HTTPStatus.METHOD_NOT_ALLOWED, HTTPStatus.NOT_IMPLEMENTED}:
                return last
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            return f"no se puede abrir ({type(exc).__name__})"
    return last
