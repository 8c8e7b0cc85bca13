"""VIP tokens and Stars refunds from the shell, through the real `yabot` command and a fake Telegram."""

import re
from pathlib import Path

import pytest

from tests.contracts.subscription_fixtures import MONTH, subscription_service
from tests.e2e.process import yabot, yabot_env
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import opened
from yabot_adapters.system import SystemClock
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.settings import SQLITE_FILE
from yabot_core.kernel import UserId

pytestmark = pytest.mark.slow

CODE_AND_LINK = re.compile(r"  (vip-[A-Za-z0-9_-]{16})  https://t\.me/(\w+)\?start=\1")


async def test_tokens_are_printed_with_their_links_and_audited(tmp_path: Path) -> None:
    """With YABOT_BOT_USERNAME the links use it; with only a token, getMe names the bot; else codes alone."""
    env = yabot_env(tmp_path, bot_username="@DianaBot")
    result = await yabot(
        "vip",
        "tokens",
        "create",
        "--plan",
        "vip-mensual",
        "--count",
        "2",
        "--uses",
        "3",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2 códigos del plan vip-mensual (30 días), canjeables 3 veces cada uno:"
    links = [CODE_AND_LINK.fullmatch(line) for line in lines[1:]]
    assert all(links), lines
    assert {link[2] for link in links if link} == {"DianaBot"}

    async with FakeTelegramServer(bot_username="lucien_de_diana_bot") as server:
        asked = yabot_env(tmp_path, bot_token=server.token, telegram_api_url=server.base_url)
        result = await yabot("vip", "tokens", "create", "--plan", "vip-mensual", env=asked, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        link = CODE_AND_LINK.fullmatch(result.stdout.splitlines()[1])
        assert link is not None
        assert link[2] == "lucien_de_diana_bot"

    bare = await yabot(
        "vip", "tokens", "create", "--plan", "vip-mensual", env=yabot_env(tmp_path), cwd=tmp_path
    )
    assert bare.returncode == 0, bare.stderr
    assert re.fullmatch(r"  vip-[A-Za-z0-9_-]{16}", bare.stdout.splitlines()[1])
    assert "defina YABOT_BOT_USERNAME" in bare.stdout

    leaked = links[0][1] if links[0] else ""
    revoked = await yabot("vip", "tokens", "revoke", leaked, env=env, cwd=tmp_path)
    assert (revoked.returncode, revoked.stdout) == (
        0,
        f"Código {leaked} retirado: nadie más podrá canjearlo (0 lo canjearon).\n",
    ), revoked.stderr
    again = await yabot("vip", "tokens", "revoke", leaked, env=env, cwd=tmp_path)
    assert again.stdout.startswith(f"Nada que hacer: el código {leaked} ya estaba retirado desde el ")
    listed = await yabot("vip", "tokens", "list", env=env, cwd=tmp_path)
    rows = listed.stdout.splitlines()
    assert rows[0] == "Códigos VIP (1-4 de 4; horas en UTC):", listed.stderr
    states = {row.split()[0]: " ".join(row.split()[3:]) for row in rows[1:]}
    assert states[leaked].startswith("usos retirado el ")
    assert sum(state == "usos activo" for state in states.values()) == 3

    audit = await yabot("audit", "list", env=env, cwd=tmp_path)
    assert audit.stdout.count("subscriptions.tokens_create") == 3
    assert audit.stdout.count("subscriptions.tokens_revoke") == 1


async def test_bad_token_requests_are_refused_in_spanish(tmp_path: Path) -> None:
    """An unknown plan, a past end, zero uses: one Spanish line, nothing made."""
    env = yabot_env(tmp_path)
    unknown = await yabot("vip", "tokens", "create", "--plan", "vip-anual", env=env, cwd=tmp_path)
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr.startswith("Error: No existe ningún plan con el id «vip-anual»")
    past = await yabot(
        "vip",
        "tokens",
        "create",
        "--plan",
        "vip-mensual",
        "--expires",
        "2020-01-01T00:00Z",
        env=env,
        cwd=tmp_path,
    )
    assert (past.returncode, past.stdout) == (1, "")
    assert "La caducidad debe ser posterior a ahora" in past.stderr
    zero = await yabot(
        "vip", "tokens", "create", "--plan", "vip-mensual", "--uses", "0", env=env, cwd=tmp_path
    )
    assert zero.returncode == 2
    assert "Los usos debe estar entre 1 y" in zero.stderr
    audit = await yabot("audit", "list", env=env, cwd=tmp_path)
    assert "subscriptions.tokens_create" not in audit.stdout


async def test_an_operator_refunds_a_stars_payment(tmp_path: Path) -> None:
    """refundStarPayment is called, the days are taken back, audited; again: nothing more to do."""
    async with opened(SqliteStorage(tmp_path / "data" / SQLITE_FILE, SystemClock())) as storage:
        service = subscription_service(storage, SystemClock())
        await service.pay(UserId(42), MONTH, "charge-1")
    async with FakeTelegramServer() as server:
        server.stars.payers["charge-1"] = 42
        env = yabot_env(tmp_path, bot_token=server.token, telegram_api_url=server.base_url)
        result = await yabot("vip", "refund", "42", "charge-1", "--reason", "Lo pidió", env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[:2] == [
            "Reembolsado el cargo charge-1 al usuario 42.",
            "Ya no es VIP.",
        ]
        (call,) = server.calls("refundStarPayment")
        assert call.params == {"user_id": 42, "telegram_payment_charge_id": "charge-1"}
        again = await yabot("vip", "refund", "42", "charge-1", env=env, cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith("Ese cargo ya estaba reembolsado")
        other = await yabot("vip", "refund", "43", "charge-1", env=env, cwd=tmp_path)
        assert (other.returncode, other.stdout) == (1, "")
        assert "no lo pagó el usuario 43 sino el 42" in other.stderr
        nobody = await yabot("vip", "refund", "42", "charge-x", env=env, cwd=tmp_path)
        assert nobody.stderr == "Error: Ningún VIP se pagó con el cargo charge-x.\n"
    offline = await yabot("vip", "refund", "42", "charge-1", env=yabot_env(tmp_path), cwd=tmp_path)
    assert offline.returncode == 1
    assert "hace falta YABOT_BOT_TOKEN" in offline.stderr
    audit = await yabot("audit", "list", "--user", "42", env=yabot_env(tmp_path), cwd=tmp_path)
    assert audit.stdout.count("subscriptions.refund") == 1
