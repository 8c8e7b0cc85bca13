"""VIP from the shell, through the real `yabot` command: grant, look up, list, revoke, the audit log."""

import asyncio
import re
from pathlib import Path

import pytest

from tests.e2e.process import yabot, yabot_env
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import opened
from yabot_adapters.system import SystemClock
from yabot_app.settings import SQLITE_FILE
from yabot_core.kernel import UserId

pytestmark = pytest.mark.slow


async def test_an_operator_grants_looks_up_lists_and_revokes(tmp_path: Path) -> None:
    """Each command says what it did in Spanish; a repeated key does nothing; the audit log keeps it all."""
    env = yabot_env(tmp_path)

    async def run(*args: str) -> tuple[int, str, str]:
        result = await yabot(*args, env=env, cwd=tmp_path)
        return result.returncode, result.stdout, result.stderr

    code, out, err = await run("vip", "grant", "42", "--days", "30", "--reason", "Regalo de Navidad")
    assert code == 0, err
    assert out.startswith("VIP concedido al usuario 42: 30 días.\nAhora es VIP hasta el ")
    code, out, err = await run("vip", "grant", "42", "--days", "5", "--key", "K1")
    assert (code, out.splitlines()[0]) == (0, "VIP ampliado al usuario 42: 5 días más."), err
    code, out, _ = await run("vip", "grant", "42", "--days", "5", "--key", "K1")
    assert (code, out.splitlines()[0]) == (
        0,
        "Nada que hacer: la clave K1 ya se usó para esta misma concesión.",
    )

    code, out, err = await run("vip", "extend", "42", "--days", "2", "--reason", "Cumpleaños")
    assert (code, out.splitlines()[0]) == (0, "VIP ampliado al usuario 42: 2 días más."), err
    code, out, err = await run("vip", "extend", "77", "--days", "2")
    assert (code, out, err) == (1, "", "Error: El usuario 77 no tiene VIP activo.\n")
    code, out, err = await run("vip", "cancel", "42")
    assert code == 0, err
    assert out.startswith("El VIP del usuario 42 no se renovará: termina el ")

    code, out, _ = await run("vip", "status", "42")
    lines = out.splitlines()
    assert code == 0
    assert re.match(r"Usuario 42: VIP \S.* hasta el \S+ \S+ \(quedan 3\d días( y \d+ h)?\)", lines[0])
    assert lines[1].startswith("  Renovación cancelada el ")
    assert lines[2] == "Historial (4 entradas; horas en UTC):"
    assert "sin renovación" in lines[3]
    assert "ampliación       +2 días" in lines[4]
    assert lines[4].endswith(" — Cumpleaños")
    assert "ampliación       +5 días" in lines[5]
    assert lines[6].endswith(" — Regalo de Navidad")

    code, out, _ = await run("vip", "list", "--expiring-within", "40d")
    assert (code, out.splitlines()[0]) == (0, "1 VIP termina en ese plazo (horas en UTC):")
    assert out.splitlines()[2].split()[2:] == ["42", "regalo", "(sin", "renovación)"]
    code, out, _ = await run("vip", "list", "--expiring-within", "3d")
    assert (code, out) == (0, "Ningún VIP termina en ese plazo.\n")

    code, out, err = await run("vip", "revoke", "42", "--reason", "Incumplió las normas")
    assert code == 0, err
    assert out.startswith("VIP retirado al usuario 42: terminó el ")
    code, out, err = await run("vip", "revoke", "42")
    assert (code, out, err) == (1, "", "Error: El usuario 42 no tiene VIP activo.\n")

    code, out, _ = await run("audit", "list", "--user", "42")
    assert code == 0
    actions = [line.split()[4] for line in out.splitlines()[1:]]
    assert actions == [
        "subscriptions.revoke",
        "subscriptions.cancel",
        "subscriptions.extend",
        "subscriptions.extend",
        "subscriptions.grant",
    ]


async def test_bad_input_from_the_shell_is_refused_in_spanish(tmp_path: Path) -> None:
    """Bad ids, lengths, dates, windows: one Spanish line, exit 2 (usage) or 1 (refused), no change."""
    env = yabot_env(tmp_path)
    usage = (
        (("vip", "grant", "42"), "indique --days o --until, una de las dos."),
        (("vip", "grant", "42", "--days", "3", "--until", "2030-01-01T00:00Z"), "una de las dos"),
        (("vip", "grant", "42", "--days", "0"), "Los días debe estar entre 1 y 3.650."),
        (("vip", "grant", "abc", "--days", "1"), "debe ser un número entero"),
        (("vip", "grant", "42", "--until", "2030-12-31"), "no dice su zona horaria"),
        (("vip", "grant", "42", "--until", "mañana"), "no es una fecha y hora ISO 8601"),
        (("vip", "list", "--expiring-within", "3x"), "no es una demora"),
        (("vip", "list", "--expiring-within", "0d"), "el plazo debe ser mayor que cero."),
        (("vip", "revoke", "42", "--reason", " "), "El motivo no puede estar vacío."),
    )
    results = await asyncio.gather(*(yabot(*args, env=env, cwd=tmp_path) for args, _ in usage))
    for (args, expected), result in zip(usage, results, strict=True):
        assert result.returncode == 2, args
        assert expected in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr

    past = await yabot("vip", "grant", "42", "--until", "2020-01-01T00:00:00Z", env=env, cwd=tmp_path)
    assert (past.returncode, past.stdout) == (1, "")
    assert past.stderr == "Error: La fecha de fin del VIP ya ha pasado: indique una futura.\n"
    async with opened(SqliteStorage(tmp_path / "data" / SQLITE_FILE, SystemClock())) as storage:
        assert await storage.user_queries.get(UserId(42)) is None  # the refused grant registered nobody
        assert await storage.subscription_queries.get(UserId(42)) is None
    nobody = await yabot("vip", "status", "42", env=env, cwd=tmp_path)
    assert (nobody.returncode, nobody.stdout) == (0, "Usuario 42: nunca ha tenido VIP.\n")
