"""``yabot story check`` plays every branch and names each defect by file, line and fragment."""

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from yabot_adapters.content import load_item_catalog, load_story_library
from yabot_adapters.storage import StorageUnitOfWork, opened
from yabot_adapters.telegram.keyboards.story import unpackable_buttons
from yabot_app.cli import cli
from yabot_app.container import build_container
from yabot_app.content import SHIPPED_ITEMS, SHIPPED_STORIES
from yabot_app.settings import Settings
from yabot_core.kernel import FakeClock, UserId
from yabot_core.story import FragmentId, StoryId, StoryProgress

BROKEN = Path(__file__).parent / "fixtures" / "historia-rota.yaml"
SHOWN = "tests/app/fixtures/historia-rota.yaml"


def check(tmp_path: Path, *args: str) -> Result:
    env = {"YABOT_DATA_DIR": str(tmp_path), "YABOT_STORAGE": "memory"}
    return CliRunner().invoke(cli, ["story", "check", *args], prog_name="yabot", env=env)


@pytest.fixture(name="broken", scope="module")
def broken_fixture(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """The broken fixture checked once, as a creator would (no flags: media addresses are opened)."""
    return check(tmp_path_factory.mktemp("datos"), str(BROKEN))


def test_the_shipped_story_is_clean(tmp_path: Path) -> None:
    """Every branch of «El invernadero» can be played, with no flag at all: no errors, no warnings, exit 0."""
    result = check(tmp_path)
    assert result.exit_code == 0, result.output
    assert "0 errores y 0 avisos." in result.output
    assert "29 fragmentos" in result.output


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    """--estricto turns a warning (a Telegram file id, which only the bot can try) into a failure."""
    story = tmp_path / "foto.yaml"
    story.write_text(
        "id: foto\ntitulo: Foto\ninicio: a\nfragmentos:\n  - id: a\n    titulo: A\n    texto: A\n"
        "    media:\n      tipo: foto\n      fuente: AgACAgQAAxkBAAIBQ2ZfotoDeTelegram\n",
        encoding="utf-8",
    )
    lenient = check(tmp_path, str(story))
    assert lenient.exit_code == 0, lenient.output
    assert "0 errores y 1 aviso." in lenient.output
    strict = check(tmp_path, str(story), "--estricto")
    assert strict.exit_code == 1
    assert "0 errores y 1 aviso." in strict.output


def test_a_mission_nobody_defined_is_refused_by_file_line_and_fragment(tmp_path: Path) -> None:
    """A «mision» condition naming no mission of the catalog is a loading error, with a hint."""
    story = tmp_path / "cajon.yaml"
    story.write_text(
        "id: cajon\ntitulo: Cajón\ninicio: a\nfragmentos:\n  - id: a\n    titulo: A\n    texto: A\n"
        "    opciones:\n      - id: abrir\n        texto: Abrir\n        destino: b\n"
        "        condiciones:\n          - mision: primer-regalos\n"
        "      - id: irse\n        texto: Irse\n        destino: b\n"
        "  - id: b\n    titulo: B\n    texto: B\n",
        encoding="utf-8",
    )
    result = check(tmp_path, str(story))
    assert result.exit_code == 1
    assert (
        "cajon.yaml, línea 13 (fragmento «a»): la condición pide la misión «primer-regalos», que no existe"
        " (¿quiso decir «primer-regalo»?)"
    ) in result.output, result.output


@pytest.mark.parametrize(
    ("line", "fragment", "words"),
    [
        (9, "entrada", "«{ $nombre }» llegaría tal cual al seguidor"),
        (12, "entrada", "«AgACAgQAAxkBAAIBQ2ZfotoDeTelegram» es un identificador de archivo de Telegram"),
        (17, "entrada", "las condiciones de la opción «desvan» nunca se cumplen a la vez"),
        (23, "entrada", "la puerta VIP «salon» no la cruza nadie"),
        (27, "entrada", "la condición «marca: secreto» de la opción «salon» nunca se cumple"),
        (49, "fondo", "la media «http://127.0.0.1:1/fondo.jpg» no carga: no se puede abrir (URLError)"),
        (51, "fondo", "callejón sin salida: quien llega por entrada → pozo → fondo"),
        (56, "fondo", "la condición «sin_marca: mojado» de la opción «trepar» nunca se cumple"),
        (58, "desvan", "ningún camino llega a este fragmento"),
        (68, "salon-vip", "ningún camino llega a este pasaje VIP"),
        (73, "final-secreto", "ningún camino llega a este final"),
    ],
)
def test_each_planted_defect_is_named(broken: Result, line: int, fragment: str, words: str) -> None:
    """The broken fixture fails, and each defect names its file, line and fragment."""
    assert broken.exit_code == 1
    assert f"{SHOWN}, línea {line} (fragmento «{fragment}»): {words}" in broken.output, broken.output


def test_nothing_else_is_reported_in_the_fixture(broken: Result) -> None:
    """Reachable fragments with a way on (``entrada``, ``pozo``, ``final-feliz``) draw no finding."""
    result = broken
    assert "10 errores y 1 aviso." in result.output
    assert "(fragmento «pozo»)" not in result.output
    assert "(fragmento «final-feliz»)" not in result.output


def test_a_story_that_does_not_load_is_reported_as_start_up_would(tmp_path: Path) -> None:
    """A broken graph is refused with the loader's own Spanish message, by file and line."""
    bad = tmp_path / "mala.yaml"
    bad.write_text(
        "id: mala\ntitulo: Mala\ninicio: a\nfragmentos:\n  - id: a\n    titulo: A\n    texto: A\n"
        "    opciones:\n      - id: ir\n        texto: Ir\n        destino: b\n",
        encoding="utf-8",
    )
    result = check(tmp_path, str(bad))
    assert result.exit_code == 1
    assert "mala.yaml, línea 11 (fragmento «a»): la opción «ir» lleva a «b», que no existe" in result.output


def test_a_missing_path_is_refused_in_spanish(tmp_path: Path) -> None:
    """A path that is not there: one Spanish line, exit 1."""
    result = check(tmp_path, str(tmp_path / "no-esta.yaml"))
    assert result.exit_code == 1
    assert "no existe el archivo o la carpeta" in result.output


class _Media(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(200 if self.path == "/bien.jpg" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture(name="media_url")
def media_url_fixture() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Media)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=60)


def test_media_that_does_not_load_is_an_error(tmp_path: Path, media_url: str) -> None:
    """A media address answering 404 fails the check; one answering 200 passes."""
    story = tmp_path / "media.yaml"
    story.write_text(
        f"id: media\ntitulo: Media\ninicio: a\nfragmentos:\n"
        f"  - id: a\n    titulo: A\n    texto: A\n"
        f"    media:\n      tipo: foto\n      fuente: {media_url}/bien.jpg\n"
        f"    opciones:\n      - id: ir\n        texto: Ir\n        destino: b\n"
        f"  - id: b\n    titulo: B\n    texto: B\n"
        f"    media:\n      tipo: foto\n      fuente: {media_url}/mal.jpg\n",
        encoding="utf-8",
    )
    result = check(tmp_path, str(story))
    assert result.exit_code == 1
    assert "media.yaml, línea 20 (fragmento «b»): la media" in result.output
    assert "no carga: el servidor responde 404" in result.output
    assert "1 error y 0 avisos." in result.output


def test_buttons_are_packed_as_the_keyboard_packs_them() -> None:
    """The shipped story's buttons fit in 64 bytes; a step too long to carry is caught by the same packing."""
    catalog = load_item_catalog(SHIPPED_ITEMS, None)
    story = next(iter(load_story_library(SHIPPED_STORIES, None, [item.id for item in catalog.items])))
    assert unpackable_buttons(story) == []
    choices = sum(len(fragment.choices) for fragment in story)
    assert len(unpackable_buttons(story, step=10**60)) == choices


TWEE = Path(__file__).parent / "fixtures" / "la-carta.twee"


def story_command(tmp_path: Path, *args: str) -> Result:
    env = {"YABOT_DATA_DIR": str(tmp_path), "YABOT_STORAGE": "memory"}
    return CliRunner().invoke(cli, ["story", *args], prog_name="yabot", env=env)


def test_a_twine_story_imports_and_checks_clean(tmp_path: Path) -> None:
    """The Twee fixture becomes a YAML story that loads and plays clean; what was dropped is a warning."""
    output = tmp_path / "la-carta.yaml"
    result = story_command(tmp_path, "import", str(TWEE), "--salida", str(output))
    assert result.exit_code == 0, result.output
    assert "la-carta.twee, línea 17 (pasaje «Recibidor»): se quitó la macro de SugarCube" in result.output
    assert "la-carta.twee, línea 12 (pasaje «UserScript»): se omite el pasaje entero" in result.output
    assert "«La carta», 4 fragmentos" in result.output
    assert "0 errores y 0 avisos." in result.output
    again = story_command(tmp_path, "check", str(output), "--sin-red")
    assert again.exit_code == 0, again.output


def test_a_twine_story_that_cannot_be_read_writes_nothing(tmp_path: Path) -> None:
    """A link to no passage is refused by line; no YAML is written; exit 1."""
    twee = tmp_path / "rota.twee"
    twee.write_text(":: Start\nHola\n[[Ir->Ninguna]]\n", encoding="utf-8")
    result = story_command(tmp_path, "import", str(twee))
    assert result.exit_code == 1
    assert "rota.twee, línea 3 (pasaje «Start»): el enlace lleva a «Ninguna»" in result.output
    assert "no se escribió nada" in result.output
    assert not (tmp_path / "rota.yaml").exists()


def test_an_existing_output_is_not_overwritten(tmp_path: Path) -> None:
    """The import never writes over a file the creator already has."""
    output = tmp_path / "ya.yaml"
    output.write_text("mío\n", encoding="utf-8")
    result = story_command(tmp_path, "import", str(TWEE), "--salida", str(output))
    assert result.exit_code == 1
    assert "ya existe: no lo sobrescribo" in result.output
    assert output.read_text(encoding="utf-8") == "mío\n"


CUENTO = """id: cuento
titulo: Cuento
version: 2
inicio: a
fragmentos:
  - id: a
    titulo: A
    texto: A
    opciones:
      - id: ir
        texto: Ir
        destino: b2
  - id: b2
    titulo: B
    texto: B
    reemplaza: [b]
"""


async def _fans_at(settings: Settings, *fragments: str) -> None:
    """Store one fan's progress at each fragment, as a release ago."""
    clock = FakeClock()
    async with opened(build_container(settings, telegram=False).storage()) as storage:
        for number, fragment in enumerate(fragments, start=1):
            record = StoryProgress(
                user_id=UserId(number),
                story_id=StoryId("cuento"),
                story_version=1,
                current=FragmentId(fragment),
                visited=(FragmentId("a"), FragmentId(fragment)),
                revision=1,
                started_at=clock.now(),
                updated_at=clock.now(),
            )

            async def work(uow: StorageUnitOfWork, record: StoryProgress = record) -> None:
                await uow.story.save(record)

            await storage.transactions.run(work)


def test_the_storage_flag_counts_the_fans_each_removal_moves(tmp_path: Path) -> None:
    """--almacen reads live progress: fans on a replaced fragment, on a removed one, and on a kept one."""
    story = tmp_path / "cuento.yaml"
    story.write_text(CUENTO, encoding="utf-8")
    settings = Settings.model_validate({"storage": "sqlite", "data_dir": tmp_path})
    asyncio.run(_fans_at(settings, "b", "b", "perdido", "a"))
    env = {"YABOT_DATA_DIR": str(tmp_path), "YABOT_STORAGE": "sqlite"}
    result = CliRunner().invoke(cli, ["story", "check", str(story), "--almacen"], prog_name="yabot", env=env)
    assert result.exit_code == 0, result.output
    assert (
        "cuento.yaml, línea 16 (fragmento «b2»): 2 seguidores están en «b», que ya no existe: pasarán aquí"
        in (result.output)
    )
    assert "1 seguidor está en «perdido», que ya no existe y ningún fragmento reemplaza" in result.output
    assert "4 seguidores en «cuento»; 3 cambiarán de fragmento" in result.output


def test_the_storage_flag_refuses_memory(tmp_path: Path) -> None:
    """With YABOT_STORAGE=memory there is nothing to count: said in Spanish, exit 1."""
    result = check(tmp_path, str(BROKEN), "--almacen")
    assert result.exit_code == 1
    assert "YABOT_STORAGE=memory" in result.output
