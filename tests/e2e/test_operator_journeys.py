"""Whole journeys through real `yabot` processes: serving, shell grants, crashes, replays."""

import asyncio
import re
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.process import CLICK_ENGLISH, HANG_GUARD, Served, wait_until, yabot, yabot_env
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import opened
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.settings import SQLITE_FILE
from yabot_core.kernel import UserId
from yabot_core.users import UserDirectory, UserProfile

pytestmark = pytest.mark.slow


@pytest.fixture(name="telegram")
async def telegram_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


async def test_serve_grant_from_the_shell_stop_and_restart(tmp_path: Path) -> None:
    """`yabot run` serves /healthz, shows a shell grant, stops cleanly on SIGTERM and keeps the data."""
    env = yabot_env(tmp_path)
    async with Served(env, tmp_path) as served:
        await served.wait_for_output("defina YABOT_BOT_TOKEN")
        assert (await served.read("/api/v1/users/42/besitos")).json()["code"] == "usuario_no_encontrado"

        grant = await yabot(
            "wallet", "grant", "42", "50", "--reason", "Premio del concurso", env=env, cwd=tmp_path
        )
        assert grant.returncode == 0, grant.stderr
        assert "Concedidos 50 besitos" in grant.stdout

        body = (await served.read("/api/v1/users/42/besitos")).json()
        assert body["balance"] == 50
        (item,) = body["history"]["items"]
        assert (item["amount"], item["reason_label"], item["note"]) == (
            50,
            "Regalo de Diana",
            "Premio del concurso",
        )
        code = await served.stop(signal.SIGTERM)
    assert code == 0, served.printed
    assert "YABOT detenido." in served.printed

    async with Served(env, tmp_path) as again:
        assert (await again.read("/api/v1/users/42/besitos")).json()["balance"] == 50
        assert await again.stop() == 0


async def stored_traces(data_dir: Path, user_id: int) -> tuple[bool, list[str]]:
    """Read the SQLite file no process is serving: is ``user_id`` registered, which of their events wait."""
    async with opened(SqliteStorage(data_dir / SQLITE_FILE, SystemClock())) as storage:
        user = await storage.user_queries.get(UserId(user_id))
        owed = {
            record.event_id: record.event_type
            for handler in await storage.outbox.backlog()
            for record in await storage.outbox.pending(handler, 1000)
            if record.user_id == user_id
        }
    return user is not None, sorted(owed.values())


async def test_bad_input_from_the_shell_is_refused_in_spanish(tmp_path: Path) -> None:
    """Bad ids, amounts, notes, keys and settings get one Spanish line, exit non-zero and change nothing."""
    env = yabot_env(tmp_path)
    for args, expected in (
        (("wallet", "grant", "abc", "5", "--reason", "x"), "debe ser un número entero"),
        (("wallet", "grant", "42", "0", "--reason", "x"), "entre 1 y 1.000.000"),
        (("wallet", "grant", "42", "5"), "falta '--reason'"),
        (("wallet", "grant", "42", "5", "--reason"), "la opción --reason necesita un valor"),
        (("settings", "de", "más"), "sobran los argumentos «de más»"),
        (("wallet", "grant", "42", "5", "--reason", ""), "El motivo no puede estar vacío."),
        (("wallet", "grant", "42", "5", "--reason", "   "), "El motivo no puede estar vacío."),
        (
            ("wallet", "grant", "42", "5", "--reason", "x", "--key", ""),
            "La clave de idempotencia no puede estar vacía.",
        ),
        (("wallet", "grant", "42", " 7 ", "--reason", "x"), "« 7 » no lo es"),
        (("wallet", "grant", "42", "1_0", "--reason", "x"), "«1_0» no lo es"),
        (("wallet", "grant", "42", "\u0663", "--reason", "x"), "«\u0663» no lo es"),
        (("wallet", "grant", "4\u0662", "5", "--reason", "x"), "no lo es"),
    ):
        result = await yabot(*args, env=env, cwd=tmp_path)
        assert result.returncode == 2
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
    broken = await yabot("wallet", "balance", "42", env={**env, "YABOT_STORAGE": "papel"}, cwd=tmp_path)
    assert broken.returncode == 1
    assert "YABOT_STORAGE: debe ser uno de" in broken.stderr
    balance = await yabot("wallet", "balance", "42", env=env, cwd=tmp_path)
    assert "0 besitos disponibles" in balance.stdout

    # Refusals from the core: the registration that would come with the grant is undone with it.
    first = await yabot("wallet", "grant", "45", "5", "--reason", "x", "--key", "K", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    for args, expected in (
        (("43", "5", "--reason", "x" * 201), "Error: La nota no puede tener más de 200 caracteres.\n"),
        (
            ("44", "5", "--reason", "x", "--key", "yabot:mia"),
            "Error: Las claves de idempotencia que empiezan por «yabot:» están reservadas para YABOT.\n",
        ),
        (
            ("46", "5", "--reason", "x", "--key", "K"),
            "Error: Esa clave de idempotencia ya se usó para otra operación distinta.\n",
        ),
    ):
        refused = await yabot("wallet", "grant", *args, env=env, cwd=tmp_path)
        assert (refused.returncode, refused.stderr, refused.stdout) == (1, expected, "")
    data_dir = tmp_path / "data"
    for user_id in (43, 44, 46):
        assert await stored_traces(data_dir, user_id) == (False, [])
    assert await stored_traces(data_dir, 45) == (True, ["besitos.awarded", "user.registered"])


async def test_storage_problems_are_explained_to_the_operator(tmp_path: Path) -> None:
    """A file as data directory, or a newer database: exit 1, a Spanish reason (and cause), no traceback."""
    not_a_directory = tmp_path / "datos"
    not_a_directory.write_text("soy un archivo")
    env = yabot_env(tmp_path, data_dir=str(not_a_directory))
    result = await yabot("wallet", "balance", "1", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Error: No se puede usar el directorio de datos {not_a_directory}: existe pero no es un directorio; "
        "revise YABOT_DATA_DIR.",
        f"Causa: FileExistsError: [Errno 17] File exists: '{not_a_directory}'",
    ]

    env = yabot_env(tmp_path)
    assert (await yabot("wallet", "balance", "1", env=env, cwd=tmp_path)).returncode == 0  # creates the file
    database = tmp_path / "data" / SQLITE_FILE
    conn = sqlite3.connect(database)
    try:
        conn.execute("PRAGMA user_version = 99")
    finally:
        conn.close()
    for args in (("wallet", "balance", "1"), ("run",)):
        result = await yabot(*args, env=env, cwd=tmp_path)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert (
            f"Error: La base de datos {database} es de una versión más reciente de YABOT (disposición 99): "
            "actualice YABOT.\n"
        ) in result.stderr


async def test_help_is_spanish_from_the_shell(tmp_path: Path) -> None:
    """`--help` prints Spanish help (exit 0); a group without its subcommand prints it on stderr (exit 2)."""
    env = yabot_env(tmp_path)
    top = await yabot("--help", env=env, cwd=tmp_path)
    assert top.returncode == 0
    assert top.stdout.startswith("Uso: yabot [OPCIONES] COMANDO [ARGUMENTOS]...\n")
    assert "\nComandos:\n" in top.stdout

    grant = await yabot("wallet", "grant", "--help", env=env, cwd=tmp_path)
    assert grant.returncode == 0
    assert grant.stdout.startswith("Uso: yabot wallet grant [OPCIONES] ID_USUARIO CANTIDAD\n")
    assert "\nOpciones:\n" in grant.stdout
    assert "[obligatorio]" in grant.stdout
    assert "-h, --help      Muestra esta ayuda y sale." in grant.stdout

    bare = await yabot("events", env=env, cwd=tmp_path)
    assert (bare.returncode, bare.stdout) == (2, "")
    assert bare.stderr.startswith("Uso: yabot events [OPCIONES] COMANDO [ARGUMENTOS]...\n")
    assert "dead-letters" in bare.stderr
    assert "Error" not in bare.stderr

    for output in (top.stdout, grant.stdout, bare.stderr):
        assert not CLICK_ENGLISH.search(output), output


async def test_an_event_committed_before_a_sigkill_is_delivered_after_restart(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """SIGKILL after a commit and before delivery loses no event: the next process delivers it, once."""
    env = yabot_env(
        tmp_path,
        bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        outbox_poll_interval="3600",  # this process will not look at the outbox again before it dies
        outbox_lease_seconds="2",
    )
    async with Served(env, tmp_path) as doomed:
        await telegram.wait_for_call("getUpdates", timeout=HANG_GUARD)
        grant = await yabot("wallet", "grant", "77", "25", "--reason", "Sorpresa", env=env, cwd=tmp_path)
        assert grant.returncode == 0, grant.stderr
        assert telegram.messages(77) == []
        await doomed.kill()

    async with Served({**env, "YABOT_OUTBOX_POLL_INTERVAL": "0.2"}, tmp_path) as heir:
        (text,) = await telegram.wait_for_messages(77, 1, timeout=HANG_GUARD)
        assert "25 besitos" in text
        assert "Sorpresa" in text
        assert await heir.stop() == 0
    assert len(telegram.messages(77)) == 1
    dead = await yabot("events", "dead-letters", env=env, cwd=tmp_path)
    assert "No hay eventos fallidos" in dead.stdout


async def test_a_failing_handler_is_dead_lettered_and_replayed_from_the_shell(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """Telegram failing every attempt makes a dead letter, alerted; after the fix, `replay` delivers it once,
    and the alert is resolved."""
    env = yabot_env(
        tmp_path,
        bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        admin_ids="999",
        alert_check_seconds="0.5",  # the monitor's look closes the handler's alert soon after the replay
    )
    telegram.fail("sendMessage", 500, "Internal Server Error", chat_id=88)
    async with Served(env, tmp_path) as served:
        grant = await yabot("wallet", "grant", "88", "30", "--reason", "Paciencia", env=env, cwd=tmp_path)
        assert grant.returncode == 0, grant.stderr
        listing = ""

        async def dead_lettered() -> bool:
            nonlocal listing
            listing = (await yabot("events", "dead-letters", env=env, cwd=tmp_path)).stdout
            return "wallet.grant_notice" in listing

        await wait_until(dead_lettered, "the failing notification was not dead-lettered")
        assert "besitos.awarded" in listing
        attempts = [c for c in telegram.calls("sendMessage") if c.params.get("chat_id") == 88]
        assert len(attempts) == 3
        match = re.search(r"^([0-9a-f]{12})\s", listing, re.MULTILINE)
        assert match, listing
        (alert,) = await telegram.wait_for_messages(999, 1, timeout=HANG_GUARD)
        assert f"yabot events replay {match.group(1)}" in alert
        assert "El encargo wallet.grant_notice" in alert

        telegram.clear_failures()
        replay = await yabot("events", "replay", match.group(1), env=env, cwd=tmp_path)
        assert replay.returncode == 0, replay.stderr
        assert "Reenviado" in replay.stdout
        (text,) = telegram.messages(88)
        assert "30 besitos" in text

        again = await yabot("events", "replay", match.group(1), env=env, cwd=tmp_path)
        assert again.returncode == 1
        assert "ya se reenvió" in again.stderr
        assert len(telegram.messages(88)) == 1
        assert (
            "No hay eventos fallidos" in (await yabot("events", "dead-letters", env=env, cwd=tmp_path)).stdout
        )
        (_, resolved) = await telegram.wait_for_messages(999, 2, timeout=HANG_GUARD)
        assert "resuelto" in resolved
        assert "El encargo wallet.grant_notice" in resolved
        assert await served.stop() == 0
    assert len(telegram.messages(999)) == 2


async def test_two_replays_at_once_with_a_slow_telegram_deliver_one_message(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """Two `yabot events replay ID` started together, Telegram taking 3 s to answer: the fan hears once."""
    env = yabot_env(tmp_path, bot_token=telegram.token, telegram_api_url=telegram.base_url)
    telegram.fail("sendMessage", 500, "Internal Server Error", chat_id=89)
    async with Served(env, tmp_path) as served:
        grant = await yabot("wallet", "grant", "89", "7", "--reason", "Por duplicado", env=env, cwd=tmp_path)
        assert grant.returncode == 0, grant.stderr
        listing = ""

        async def dead_lettered() -> bool:
            nonlocal listing
            listing = (await yabot("events", "dead-letters", env=env, cwd=tmp_path)).stdout
            return "wallet.grant_notice" in listing

        await wait_until(dead_lettered, "the failing notification was not dead-lettered")
        assert await served.stop() == 0  # only the replays may deliver from now on
    match = re.search(r"^([0-9a-f]{12})\s", listing, re.MULTILINE)
    assert match, listing
    telegram.clear_failures()
    telegram.slow("sendMessage", 3)
    first, second = await asyncio.gather(
        *(yabot("events", "replay", match.group(1), env=env, cwd=tmp_path) for _ in range(2))
    )
    assert len(telegram.messages(89)) == 1
    assert sorted([first.returncode, second.returncode]) == [0, 1], (first, second)
    refused = first if first.returncode else second
    assert "ya se está reenviando" in refused.stderr or "ya se reenvió" in refused.stderr
    assert "Traceback" not in refused.stderr


async def test_a_fan_talks_to_the_running_bot(tmp_path: Path, telegram: FakeTelegramServer) -> None:
    """Through the real process: /start greets in Spanish, the welcome gift lands, /saldo shows it."""
    env = yabot_env(
        tmp_path, bot_token=telegram.token, telegram_api_url=telegram.base_url, welcome_besitos="10"
    )
    async with Served(env, tmp_path) as served:
        await served.wait_for_output("Bot de Telegram escuchando")
        telegram.feed(telegram.message_update(501, "/start", first_name="Marta"))
        (greeting,) = await telegram.wait_for_messages(501, 1, timeout=HANG_GUARD)
        assert "Marta" in greeting
        assert "Lucien" in greeting

        async def welcomed() -> bool:
            return bool((await served.read("/api/v1/users/501/besitos")).json().get("balance") == 10)

        await wait_until(welcomed, "the welcome gift did not land")
        telegram.feed(telegram.message_update(501, "/saldo", first_name="Marta"))
        texts = await telegram.wait_for_messages(501, 2, timeout=HANG_GUARD)
        assert "10 besitos" in texts[1]
        assert "Regalo de bienvenida" in texts[1]
        assert await served.stop() == 0


async def test_a_taken_port_is_reported_in_spanish(tmp_path: Path) -> None:
    """A taken API port gets one Spanish line and exit code 1 from `yabot run`, without a traceback."""
    env = yabot_env(tmp_path)
    with socket.create_server(("127.0.0.1", int(env["YABOT_API_PORT"]))):
        result = await yabot("run", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "el puerto ya está en uso (¿otro YABOT en marcha?). Revise YABOT_API_HOST y YABOT_API_PORT." in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


async def test_a_name_with_terminal_escapes_is_printed_escaped(tmp_path: Path) -> None:
    """A Telegram name carrying ESC/OSC sequences reaches the operator's terminal escaped, never raw."""
    env = yabot_env(tmp_path)
    hostile = "Eva\x1b]0;hacked\x07\x1b[2J\u202e"
    async with opened(SqliteStorage(tmp_path / "data" / SQLITE_FILE, SystemClock())) as storage:
        users = UserDirectory(storage.transactions, storage.user_queries, SystemClock(), UuidGenerator())
        await users.register(UserProfile(user_id=UserId(321), first_name=hostile))
    grant = await yabot("wallet", "grant", "321", "3", "--reason", "Hola\x1b[31m", env=env, cwd=tmp_path)
    assert grant.returncode == 0, grant.stderr
    assert "Concedidos 3 besitos a Eva\\x1b]0;hacked\\x07\\x1b[2J\\u202e (321)." in grant.stdout
    balance = await yabot("wallet", "balance", "321", env=env, cwd=tmp_path)
    assert "Hola\\x1b[31m" in balance.stdout
    for output in (grant.stdout, grant.stderr, balance.stdout, balance.stderr):
        assert "\x1b" not in output
        assert "\u202e" not in output
