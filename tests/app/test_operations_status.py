"""``yabot status``: one screen for an operator, breakers and open problems included (in process, SQLite)."""

import asyncio
from pathlib import Path

from tests.app.test_backups import settings, yabot
from yabot_adapters.storage import opened
from yabot_app.container import build_container
from yabot_app.modules.operations import OperationsModule
from yabot_core.operations import Problem


async def raise_problems(data_dir: Path) -> None:
    container = build_container(settings(data_dir), telegram=False)
    async with opened(container.storage()):
        alerts = container.modules().get(OperationsModule).alerts
        await alerts.raise_problem(Problem(key="telegram", message="operations-problem-telegram"))
        args: dict[str, str | int] = {"eventos": 1500, "umbral": 1000}
        await alerts.raise_problem(Problem(key="cola", message="operations-problem-outbox", args=args))


def test_status_shows_breakers_problems_dead_letters_and_timers(tmp_path: Path) -> None:
    """Healthy: breakers closed, no problems; once processes alert of Telegram and the outbox, both show."""
    healthy = yabot(tmp_path, "status")
    assert healthy.exit_code == 0, healthy.output
    assert (
        "Interruptores (según los avisos de los procesos en marcha): "
        "almacenamiento: cerrado; telegram: cerrado" in healthy.output
    )
    assert "Problemas abiertos: ninguno." in healthy.output
    assert "Eventos fallidos sin reenviar: 0" in healthy.output
    assert "vencidos sin disparar: 0" in healthy.output

    asyncio.run(raise_problems(tmp_path))
    troubled = yabot(tmp_path, "status").output
    assert "telegram: abierto desde" in troubled
    assert "Problemas abiertos: 1" in troubled
    assert "  cola (desde" in troubled
