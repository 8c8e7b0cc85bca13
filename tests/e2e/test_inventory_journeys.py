"""The mochila in real `yabot` processes: shell gifts reach a fan, who combines them in the bot."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.process import Served, yabot, yabot_env
from tests.integration.inventory_fan import GUARD, Fan
from yabot_adapters.telegram.testing import FakeTelegramServer

pytestmark = pytest.mark.slow

MARTA = 601
BROKEN = """\
objetos:
  - id: vela
    nombre: Vela
    apilable: quizás
recetas:
  - ingredientes: [vela, llave-dorda]
    resultado: llave-dorada
"""
PROBLEMS = "\n".join(
    [
        "Error: El contenido tiene 3 problemas; corríjalos y vuelva a arrancar:",
        "  content/objetos.yaml, línea 2 (objeto «vela»): falta el campo «descripcion».",
        "  content/objetos.yaml, línea 4 (objeto «vela»): «apilable» debe ser verdadero o falso (sí o no).",
        "  content/objetos.yaml, línea 6 (receta «vela + llave-dorda»): el ingrediente «llave-dorda» no"
        " está en el catálogo (¿quiso decir «llave-dorada»?).\n",
    ]
)


@pytest.fixture(name="telegram")
async def telegram_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


async def test_gifts_from_the_shell_are_announced_listed_and_combined(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """Two `yabot items grant` while `yabot run` serves: Lucien tells, /mochila lists, the fan combines."""
    env = yabot_env(tmp_path, bot_token=telegram.token, telegram_api_url=telegram.base_url)
    served = Served(env, tmp_path)
    fan = Fan(telegram, MARTA, "Marta")
    try:
        await served.start()
        await served.wait_for_output("Bot de Telegram escuchando", timeout=GUARD)
        await fan.command("/start")
        for item in ("carta-rota-izquierda", "carta-rota-derecha"):
            grant = await yabot(
                "items", "grant", str(MARTA), item, "--reason", "Para usted", env=env, cwd=tmp_path
            )
            assert grant.returncode == 0, grant.stderr
            assert grant.stdout.startswith("Concedido: 1 × «Media carta")
        notices = (await telegram.wait_for_messages(MARTA, 3, timeout=GUARD))[1:]
        assert all("Diana le envía <b>Media carta" in notice for notice in notices)

        listing = await fan.command("/mochila")
        assert "Guarda 2 objetos distintos:" in listing.text
        await fan.press("Media carta (izquierda) × 1")
        await fan.press("Combinar")
        combined = await fan.press("Con Media carta (derecha)")
        assert "aparece <b>La carta de Diana</b>" in combined.text
        listing = await fan.press("« Volver a la mochila")
        assert listing.labels == ["La carta de Diana × 1"]

        shown = await yabot("items", "list", str(MARTA), env=env, cwd=tmp_path)
        assert shown.stdout.splitlines() == [
            f"Usuario {MARTA}: 1 objeto en la mochila.",
            "  1 × «La carta de Diana» (pista) · carta-de-diana",
        ]
        inventory = (await served.read(f"/api/v1/users/{MARTA}/inventory")).json()
        assert [(i["item_id"], i["quantity"]) for i in inventory["contents"]["items"]] == [
            ("carta-de-diana", 1)
        ]
    finally:
        code = await served.stop()
    assert code == 0, served.printed
    assert "Traceback" not in served.printed


async def test_broken_content_stops_yabot_with_every_problem(tmp_path: Path) -> None:
    """A broken items file: `yabot run` and shell commands print every problem as `Error: …` and exit 1."""
    content = tmp_path / "data" / "content"
    content.mkdir(parents=True)
    (content / "objetos.yaml").write_text(BROKEN, encoding="utf-8")
    env = yabot_env(tmp_path)
    served = Served(env, tmp_path)
    try:
        with pytest.raises(AssertionError, match="did not answer /healthz"):
            await served.start()
    finally:
        code = await served.stop()
    assert code == 1
    assert PROBLEMS in served.printed + "\n"
    assert "Traceback" not in served.printed
    for args in (("items", "list", "1"), ("items", "grant", "1", "rosa-roja"), ("wallet", "balance", "1")):
        result = await yabot(*args, env=env, cwd=tmp_path)
        assert (result.returncode, result.stderr, result.stdout) == (1, PROBLEMS, "")
