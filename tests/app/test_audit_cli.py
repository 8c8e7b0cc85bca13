"""``yabot audit`` from the shell, on a real SQLite file: narrowed by time and by actor, refused politely."""

import getpass
from pathlib import Path

from click.testing import CliRunner, Result

from yabot_app.cli.main import cli


def yabot(data_dir: Path, *args: str) -> Result:
    """Run ``yabot ARGS`` in process on the SQLite file under ``data_dir``."""
    env = {"YABOT_STORAGE": "sqlite", "YABOT_DATA_DIR": str(data_dir), "YABOT_WELCOME_BESITOS": "0"}
    return CliRunner().invoke(cli, list(args), env=env, prog_name="yabot")


def test_audit_lists_narrowed_by_time_and_actor(tmp_path: Path) -> None:
    """``yabot audit`` alone lists; ``--since`` and ``--actor`` narrow; nothing matching is said so."""
    granted = yabot(tmp_path, "vip", "grant", "42", "--days", "10")
    assert granted.exit_code == 0, granted.output
    me = getpass.getuser()

    listed = yabot(tmp_path, "audit")
    assert listed.exit_code == 0, listed.output
    assert "1 acción registrada" in listed.output
    assert "subscriptions.grant" in listed.output
    mine = yabot(tmp_path, "audit", "--actor", f"operator:{me}", "--since", "1h", "--limit", "5")
    assert "subscriptions.grant" in mine.output, mine.output
    assert "user:42" in yabot(tmp_path, "audit", "list", "--since", "2000-01-01T00:00Z").output
    future = yabot(tmp_path, "audit", "--since", "2999-01-01T00:00:00+01:00")
    assert future.exit_code == 0
    assert "Nada que cumpla esos filtros." in future.output
    assert "Nada que cumpla" in yabot(tmp_path, "audit", "--actor", "admin:7").output


def test_bad_filters_are_refused_in_spanish(tmp_path: Path) -> None:
    """A malformed actor or time is refused with the kinds or the format to use, and exit code 2."""
    actor = yabot(tmp_path, "audit", "--actor", "diana")
    assert actor.exit_code == 2
    assert "no es un actor: escriba tipo:nombre" in actor.output
    since = yabot(tmp_path, "audit", "--since", "ayer")
    assert since.exit_code == 2
    assert "no es una fecha y hora ISO 8601" in since.output


def test_a_besitos_grant_from_the_shell_is_audited_once(tmp_path: Path) -> None:
    """``yabot wallet grant`` writes who gave how many to whom; the same key again writes nothing."""
    for _ in range(2):
        granted = yabot(tmp_path, "wallet", "grant", "42", "15", "--reason", "Premio", "--key", "premio-42")
        assert granted.exit_code == 0, granted.output
    listed = yabot(tmp_path, "audit", "--actor", f"operator:{getpass.getuser()}")
    assert "1 acción registrada" in listed.output, listed.output
    assert "wallet.grant" in listed.output
    assert "amount=15" in listed.output


def test_an_item_gift_from_the_shell_is_audited_once(tmp_path: Path) -> None:
    """``yabot items grant`` writes who gave which item to whom; the same key again writes nothing."""
    for _ in range(2):
        given = yabot(tmp_path, "items", "grant", "42", "carta-rota-izquierda", "--key", "carta-42")
        assert given.exit_code == 0, given.output
    listed = yabot(tmp_path, "audit", "--user", "42")
    assert "1 acción registrada" in listed.output, listed.output
    assert "inventory.grant" in listed.output
    assert "item_id=carta-rota-izquierda" in listed.output
