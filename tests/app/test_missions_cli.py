"""``yabot missions assign|list`` in process (click's runner) on a SQLite file: Spanish, and idempotent."""

from pathlib import Path

from click.testing import CliRunner

from yabot_app.cli import cli


def yabot(tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {"YABOT_STORAGE": "sqlite", "YABOT_DATA_DIR": str(tmp_path), "YABOT_BOT_TOKEN": ""}
    result = CliRunner().invoke(cli, list(args), prog_name="yabot", env=env)
    return result.exit_code, result.output


def test_an_admin_assigns_a_mission_once_and_lists_it(tmp_path: Path) -> None:
    """Assigning twice keeps one mission; the list shows its progress; an unknown id is a Spanish error."""
    assert yabot(tmp_path, "missions", "assign", "42", "bienvenida-vip") == (
        0,
        "Misión «Bienvenida al VIP» (bienvenida-vip) asignada al usuario 42.\n",
    )
    assert yabot(tmp_path, "missions", "assign", "42", "bienvenida-vip")[0] == 0
    code, shown = yabot(tmp_path, "missions", "list", "42")
    assert (code, shown) == (0, "  bienvenida-vip: «Bienvenida al VIP» 0/1 (en curso)\n")
    code, shown = yabot(tmp_path, "missions", "assign", "42", "bienvenida")
    assert code == 1
    assert "Error: No existe ninguna misión con el id «bienvenida» (¿quiso decir «bienvenida-vip»?)." in shown
    assert yabot(tmp_path, "missions", "list", "7") == (0, "Usuario 7: sin misiones.\n")
