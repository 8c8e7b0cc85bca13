"""``yabot posts`` and ``yabot broadcast`` in process (click's runner) on a SQLite file, in Spanish."""

import re
from pathlib import Path

from click.testing import CliRunner

from yabot_app.cli import cli


def yabot(tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {"YABOT_STORAGE": "sqlite", "YABOT_DATA_DIR": str(tmp_path), "YABOT_BOT_TOKEN": "", "TZ": "UTC"}
    result = CliRunner().invoke(cli, list(args), prog_name="yabot", env=env)
    return result.exit_code, result.output


def test_an_operator_schedules_lists_and_cancels_a_post(tmp_path: Path) -> None:
    """An album for the VIP channel is scheduled protected; listed as pending; cancelled once; audited."""
    code, shown = yabot(
        tmp_path, "posts", "schedule", "vip", "--text", "Esta noche", "--photo", "AgAD1", "--video", "BAAD2",
        "--in", "2h", "--remove-after", "24",
    )  # fmt: skip
    assert code == 0, shown
    assert "(album, protegida) para el canal vip" in shown
    post_id = re.search(r"yabot posts cancel (\S+)", shown)[1]  # type: ignore[index]
    code, listed = yabot(tmp_path, "posts", "list", "--pending")
    assert (code, post_id in listed, "programada" in listed) == (0, True, True)
    assert yabot(tmp_path, "posts", "cancel", post_id) == (
        0,
        f"Publicación {post_id} cancelada: no se publicará.\n",
    )
    code, again = yabot(tmp_path, "posts", "cancel", post_id)
    assert (code, "ya no se puede cambiar: está cancelada" in again) == (1, True)
    code, audit = yabot(tmp_path, "audit", "list")
    assert ("posts.schedule" in audit, "posts.cancel" in audit) == (True, True), audit


def test_bad_posts_are_refused_in_spanish(tmp_path: Path) -> None:
    """No text nor media, or a removal past 47 hours: a Spanish error and exit code 1 or 2, nothing stored."""
    code, shown = yabot(tmp_path, "posts", "schedule", "gratuito")
    assert (code, "necesita texto" in shown) == (1, True), shown
    code, shown = yabot(tmp_path, "posts", "schedule", "gratuito", "--text", "Hola", "--remove-after", "48")
    assert code == 2
    assert yabot(tmp_path, "posts", "list") == (0, "No hay publicaciones.\n")


def test_an_operator_creates_follows_and_cancels_a_broadcast(tmp_path: Path) -> None:
    """A broadcast to a list is created (sent by `yabot run`), its status is a bar, a cancel stops it."""
    code, shown = yabot(tmp_path, "broadcast", "send", "lista", "Rebajas", "--user", "5", "--user", "6")
    assert code == 0, shown
    broadcast_id = re.search(r"Difusión (\S+) a «lista»", shown)[1]  # type: ignore[index]
    code, status = yabot(tmp_path, "broadcast", "status", broadcast_id)
    assert (code, status) == (
        0,
        "[....................] 0 % (0/0)  programada: enviados 0, bloqueados 0, omitidos 0, fallidos 0,"
        " inciertos 0\n",
    )
    code, cancelled = yabot(tmp_path, "broadcast", "cancel", broadcast_id)
    assert (code, f"Difusión {broadcast_id} cancelada" in cancelled) == (0, True)
    code, again = yabot(tmp_path, "broadcast", "cancel", broadcast_id)
    assert (code, "ya está cancelada" in again) == (1, True)
    code, shown = yabot(tmp_path, "broadcast", "send", "lista", "Hola")
    assert (code, "lista" in shown) == (1, True), shown
