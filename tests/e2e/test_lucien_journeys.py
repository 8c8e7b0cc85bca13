"""Lucien's scheduled messages through real `yabot` processes: scheduled in the shell, kept on restart."""

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import pytest

from tests.e2e.process import Result, Served, yabot, yabot_env
from yabot_adapters.telegram.testing import FakeTelegramServer

pytestmark = pytest.mark.slow

GUARD: Final = 60.0
"""Seconds to wait for what must happen before calling it a hang (never a timing assert)."""

MARTA: Final = 61
SCHEDULED = re.compile(
    r"^Mensaje (?P<key>\S+) programado para \d\d/\d\d/\d{4} \d\d:\d\d:\d\d \(UTC\)\.\n"
    r"Cancélelo antes con: yabot lucien cancel (?P=key)\n$"
)


@pytest.fixture(name="telegram")
async def telegram_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:  # only chats that wrote to the bot can be written to
        yield server


def ok(result: Result) -> str:
    """The output of a command that must succeed (its stderr in the failure otherwise)."""
    assert (result.returncode, result.stderr) == (0, ""), result
    return result.stdout


def line_of(listing: str, key: str) -> str:
    (line,) = [line for line in listing.splitlines() if key in line]
    return line


@pytest.mark.timeout(300)
async def test_a_scheduled_message_survives_a_restart_and_arrives_once(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """Scheduled from the shell, pending across a restart, sent once by the next process with the name."""
    env = yabot_env(tmp_path, bot_token=telegram.token, telegram_api_url=telegram.base_url)
    # The first process looks at timers and at the outbox only hourly (a shell command cannot wake it), so
    # nothing it is given leaves before the restart however slow the machine: the heir must do it.
    first = Served({**env, "YABOT_OUTBOX_POLL_INTERVAL": "3600"}, tmp_path)
    await first.start()
    try:
        await first.wait_for_output("Bot de Telegram escuchando", timeout=GUARD)
        telegram.feed(telegram.message_update(MARTA, "/start", first_name="Marta"))
        (greeting,) = await telegram.wait_for_messages(MARTA, 1, timeout=GUARD)
        assert "Marta" in greeting
        granted = ok(
            await yabot("wallet", "grant", str(MARTA), "5", "--reason", "Constancia", env=env, cwd=tmp_path)
        )
        assert granted.startswith(f"Concedidos 5 besitos a Marta ({MARTA}).")

        sent = SCHEDULED.match(
            ok(
                await yabot(
                    "lucien",
                    "send",
                    str(MARTA),
                    "Hola, { $nombre }: tiene { $saldo } besitos.",
                    "--in",
                    "3s",
                    env=env,
                    cwd=tmp_path,
                )
            )
        )
        assert sent, "unexpected output of yabot lucien send"
        doomed = SCHEDULED.match(
            ok(
                await yabot(
                    "lucien", "send", str(MARTA), "Esto no debe llegar", "--in", "1h", env=env, cwd=tmp_path
                )
            )
        )
        assert doomed, "unexpected output of yabot lucien send"
        key, doomed_key = sent["key"], doomed["key"]

        timers = ok(await yabot("timers", "list", env=env, cwd=tmp_path)).splitlines()
        assert re.fullmatch(r"VENCE\s+TIPO\s+USUARIO\s+CLAVE", timers[0])
        assert [line.split()[-1] for line in timers[1:]] == [f"lucien:{key}", f"lucien:{doomed_key}"]
        assert all("lucien.message" in line and f" {MARTA} " in line for line in timers[1:])
    finally:
        assert await first.stop() == 0, first.printed

    listing = ok(await yabot("lucien", "list", env=env, cwd=tmp_path))
    assert "pendiente" in line_of(listing, key)
    assert "Hola, { $nombre }: tiene { $saldo } besitos." in line_of(listing, key)
    assert not [text for text in telegram.messages(MARTA) if text.startswith("Hola")]

    cancelled = await yabot("lucien", "cancel", doomed_key, env=env, cwd=tmp_path)
    assert ok(cancelled) == f"Mensaje {doomed_key} cancelado: no se enviará.\n"
    again = await yabot("lucien", "cancel", doomed_key, env=env, cwd=tmp_path)
    assert (again.returncode, again.stdout, again.stderr) == (
        1,
        "",
        f"Error: El mensaje {doomed_key} ya estaba cancelado.\n",
    )
    timers = ok(await yabot("timers", "list", env=env, cwd=tmp_path)).splitlines()
    assert [line.split()[-1] for line in timers[1:]] == [f"lucien:{key}"]

    heir = Served({**env, "YABOT_OUTBOX_POLL_INTERVAL": "0.2"}, tmp_path)
    await heir.start()
    try:
        await telegram.wait_until(
            lambda: any(text.startswith("Hola") for text in telegram.messages(MARTA)), timeout=GUARD
        )
        for _ in range(300):  # marked sent in the commit right after Telegram's answer
            listing = ok(await yabot("lucien", "list", env=env, cwd=tmp_path))
            if "enviado" in line_of(listing, key):
                break
            await asyncio.sleep(0.2)
        assert "enviado" in line_of(listing, key), listing
        assert "cancelado" in line_of(listing, doomed_key)
        assert ok(await yabot("timers", "list", env=env, cwd=tmp_path)) == "No hay avisos pendientes.\n"
        refused = await yabot("lucien", "cancel", key, env=env, cwd=tmp_path)
        assert (refused.returncode, refused.stderr) == (1, f"Error: El mensaje {key} ya se envió.\n")
    finally:
        assert await heir.stop() == 0, heir.printed

    hello = [text for text in telegram.messages(MARTA) if text.startswith("Hola")]
    assert hello == ["Hola, Marta: tiene 5 besitos."]
    assert not [text for text in telegram.messages(MARTA) if "no debe llegar" in text]
    assert "Traceback" not in first.printed + heir.printed


async def test_bad_messages_are_refused_in_spanish_from_the_shell(tmp_path: Path) -> None:
    """Unknown users, unknown variables, bad delays and memory storage: one Spanish line, nothing stored."""
    env = yabot_env(tmp_path)
    ok(await yabot("wallet", "grant", "62", "1", "--reason", "Hola", env=env, cwd=tmp_path))
    for args, code, expected in (
        (("99", "Hola"), 1, "Error: No hay ningún usuario registrado con el id 99.\n"),
        (
            ("62", "Hola, { $apodo }"),
            1,
            "Error: El texto usa { $apodo }, que Lucien no conoce; puede usar: { $nombre }, { $saldo },"
            " { $vip_dias }, { $vip_hasta }.\n",
        ),
        (("62", "Hola", "--in", "mañana"), 2, "«mañana» no es una demora: use un número y s, m, h o d"),
        (("62", "Hola", "--at", "2026-12-24T20:00"), 2, "no dice su zona horaria: añada Z o un desfase"),
        (("62", "Hola", "--in", "1m", "--at", "2026-12-24T20:00Z"), 2, "indique --in o --at, no ambas."),
        (("62", "   "), 2, "El mensaje no puede estar vacío."),
    ):
        result = await yabot("lucien", "send", *args, env=env, cwd=tmp_path)
        assert (result.returncode, result.stdout) == (code, ""), result
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
    memory = await yabot("lucien", "send", "62", "Hola", env={**env, "YABOT_STORAGE": "memory"}, cwd=tmp_path)
    assert (memory.returncode, memory.stderr) == (
        1,
        "Error: con YABOT_STORAGE=memory los datos viven solo dentro de `yabot run`; use sqlite o mongo.\n",
    )
    assert (
        ok(await yabot("lucien", "list", env=env, cwd=tmp_path))
        == "Lucien no tiene mensajes programados ni enviados.\n"
    )
    assert ok(await yabot("timers", "list", env=env, cwd=tmp_path)) == "No hay avisos pendientes.\n"
