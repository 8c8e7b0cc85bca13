"""Sample shipped texts and a creator's ``content/`` folder, written afresh for each test."""

import textwrap
from pathlib import Path

import pytest

SHIPPED = """\
-casa = la casa de Diana
saldo-resumen = { $nombre }, guarda usted { $count ->
        [one] { $count } besito
       *[other] { $count } besitos
    }.
saludo = Bienvenido a { -casa }, <b>{ $nombre }</b>.
    .variante-2 = Le esperábamos, <b>{ $nombre }</b>.
    .variante-3 = Qué alegría verle, <b>{ $nombre }</b>.
firma = Su seguro servidor, Lucien.
despedida = Hasta pronto. { firma }
movimientos = Sus movimientos:
    { $lista }
"""


def write(path: Path, text: str) -> Path:
    """Write a ``.ftl`` file (creating its folders), dedented so tests can indent their samples."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(name="shipped")
def shipped_fixture(tmp_path: Path) -> list[Path]:
    return [write(tmp_path / "shipped" / "core.ftl", SHIPPED)]


@pytest.fixture(name="content")
def content_fixture(tmp_path: Path) -> Path:
    """The creator's folder, as under YABOT_DATA_DIR; tests drop their files in it."""
    folder = tmp_path / "data" / "content"
    folder.mkdir(parents=True)
    return folder
