"""API keys through real processes: created and revoked from the shell while `yabot run` serves."""

import sqlite3
from pathlib import Path

import pytest

from tests.e2e.process import Served, issue_key, yabot, yabot_env
from yabot_app.modules import MODULES
from yabot_app.modules.composed import offered_scopes
from yabot_app.settings import SQLITE_FILE

pytestmark = pytest.mark.slow

BESITOS = "/api/v1/users/42/besitos"  # nobody is registered: a key that opens the route gets a 404


async def test_a_key_revoked_in_another_process_is_refused_on_the_next_request(tmp_path: Path) -> None:
    """Create a key from the shell, use it against `yabot run`, revoke it from the shell: the very next
    request is a 401 ``clave_revocada``. Storage keeps only the key's hash; the listing never shows it."""
    env = yabot_env(tmp_path)
    authorization = await issue_key(env, tmp_path, "users:read", name="panel")
    token = authorization.removeprefix("Bearer ")
    async with Served(env, tmp_path) as served:
        anonymous = await served.get(BESITOS)
        opened = await served.get(BESITOS, authorization)

        revoked = await yabot("apikey", "revoke", "panel", env=env, cwd=tmp_path)
        refused = await served.get(BESITOS, authorization)
        assert await served.stop() == 0

    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "credenciales_ausentes")
    assert (opened.status_code, opened.json()["code"]) == (404, "usuario_no_encontrado")
    assert revoked.returncode == 0, revoked.stderr
    assert "revocada: ya no abre la API" in revoked.stdout
    assert (refused.status_code, refused.json()["code"]) == (401, "clave_revocada")

    listing = await yabot("apikey", "list", env=env, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "«panel»  users:read" in listing.stdout
    assert "revocada el" in listing.stdout
    secret = token.split("_", 2)[2]
    assert secret not in listing.stdout
    with sqlite3.connect(tmp_path / "data" / SQLITE_FILE) as conn:
        stored = conn.execute("SELECT * FROM api_keys").fetchall()
    assert len(stored) == 1
    assert not any(secret in str(value) for value in stored[0])


async def test_the_shell_refuses_bad_keys_in_spanish(tmp_path: Path) -> None:
    """An unknown scope is refused with the offered ones (and a guess); nothing is created."""
    env = yabot_env(tmp_path)

    unknown = await yabot("apikey", "create", "panel", "--scope", "users:reed", env=env, cwd=tmp_path)
    missing = await yabot("apikey", "revoke", "nadie", env=env, cwd=tmp_path)
    listing = await yabot("apikey", "list", env=env, cwd=tmp_path)

    assert unknown.returncode == 1
    assert "No existe el alcance «users:reed» (¿quiso decir «users:read»?)" in unknown.stderr
    every = ", ".join(sorted(offered_scopes(MODULES)))  # the core's and every registered module's
    assert f"Los alcances son: {every}." in unknown.stderr
    assert missing.returncode == 1
    assert "No hay ninguna clave con el id «nadie»" in missing.stderr
    assert listing.stdout.startswith("No hay ninguna clave.")
