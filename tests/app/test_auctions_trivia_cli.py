"""``yabot subastas`` and ``yabot trivia`` in process (click's runner) on a SQLite file, in Spanish."""

import re
from pathlib import Path

from click.testing import CliRunner

from yabot_app.cli import cli


def yabot(tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {"YABOT_STORAGE": "sqlite", "YABOT_DATA_DIR": str(tmp_path), "YABOT_BOT_TOKEN": ""}
    result = CliRunner().invoke(cli, list(args), prog_name="yabot", env=env)
    return result.exit_code, result.output


def test_an_admin_creates_lists_and_cancels_an_auction(tmp_path: Path) -> None:
    """Create with a duration, list it open, cancel it; a bad item or a missing end is a Spanish error."""
    code, made = yabot(
        tmp_path,
        "subastas",
        "create",
        "llave-dorada",
        "--dura",
        "2h",
        "--minima",
        "10",
        "--antifrancotirador",
        "5",
    )
    assert code == 0, made
    auction_id = re.search(r"Subasta (\w+) creada\.", made)
    assert auction_id is not None
    assert "«Llave dorada» abierta, sin pujas, mínima 10" in made
    code, listed = yabot(tmp_path, "subastas", "list", "--estado", "abiertas")
    assert (code, auction_id[1] in listed) == (0, True)
    assert yabot(tmp_path, "subastas", "cancel", auction_id[1]) == (
        0,
        f"Subasta {auction_id[1]} cancelada.\n",
    )
    assert yabot(tmp_path, "subastas", "list", "--estado", "abiertas") == (0, "No hay subastas.\n")
    code, shown = yabot(tmp_path, "subastas", "create", "nada", "--dura", "1h", "--minima", "1")
    assert code == 1
    assert "El objeto «nada» no está en el catálogo." in shown
    code, shown = yabot(tmp_path, "subastas", "create", "llave-dorada", "--minima", "1")
    assert (code, "Indique el final con --fin o con --dura" in shown) == (1, True)


def test_an_admin_creates_a_question_reads_its_results_and_cancels_it(tmp_path: Path) -> None:
    """Create (options, the right one counted from 1), list, results with no answers yet, cancel."""
    code, made = yabot(
        tmp_path,
        "trivia",
        "create",
        "¿Qué flor prefiere Diana?",
        *("--opcion", "La rosa", "--opcion", "El lirio"),
        *("--correcta", "1", "--premio", "5", "--dura", "30m"),
    )
    assert code == 0, made
    found = re.search(r"Pregunta (\w+) creada", made)
    assert found is not None
    question_id = found[1]
    code, listed = yabot(tmp_path, "trivia", "list")
    assert "«¿Qué flor prefiere Diana?» abierta, fans" in listed
    code, results = yabot(tmp_path, "trivia", "results", question_id)
    assert code == 0
    assert "  Respuestas: 0\n" in results
    assert "  1. La rosa (correcta): 0\n" in results
    assert yabot(tmp_path, "trivia", "cancel", question_id) == (0, f"Pregunta {question_id} cancelada.\n")
    code, shown = yabot(
        tmp_path,
        "trivia",
        "create",
        "¿Sola?",
        "--opcion",
        "Sí",
        "--correcta",
        "1",
        "--premio",
        "1",
        "--dura",
        "1m",
    )
    assert code == 1
    assert "Pregunta 1: debe tener entre 2 y 10 opciones." in shown
