"""The code and the shipped texts agree: every text YABOT's code names exists and gets all its variables."""

from pathlib import Path

import pytest

from yabot_adapters.texts import Catalog, load_catalog
from yabot_adapters.texts.checks import (
    ADMIN_SCREEN,
    BOT_COMMAND,
    DIALOG_TEXT,
    RENDER,
    TextCall,
    check_render_calls,
    lucien_calls,
)
from yabot_app.container import BOT_TEXTS, build_container
from yabot_app.modules import MODULES
from yabot_app.modules.composed import shipped_texts
from yabot_app.settings import Settings
from yabot_core.lucien import NAME

ROOT = Path(__file__).resolve().parents[3]
CODE = [ROOT / "yabot_adapters", ROOT / "yabot_app", ROOT / "yabot_core"]


def shipped() -> list[Path]:
    """The files the container loads: the bot's own words, then every registered module's."""
    return [BOT_TEXTS, *shipped_texts(MODULES)]


@pytest.fixture(name="catalog")
def catalog_fixture() -> Catalog:
    catalog, problems = load_catalog(shipped())
    assert problems == []
    return catalog


@pytest.fixture(name="calls")
def calls_fixture(tmp_path: Path) -> list[TextCall]:
    """render, bot commands' descriptions, and Lucien's say / tell_admins with what he adds himself."""
    container = build_container(Settings.model_validate({"storage": "memory", "data_dir": tmp_path}))
    container.modules()  # the modules add their variables to Lucien's context as they are built
    provided = {NAME, *container.kernel().context.names()}
    assert "saldo" in provided
    return [RENDER, BOT_COMMAND, DIALOG_TEXT, ADMIN_SCREEN, *lucien_calls(provided)]


def test_every_text_named_in_the_code_exists_and_gets_its_variables(
    catalog: Catalog, calls: list[TextCall]
) -> None:
    """No render, say, tell_admins or bot command in yabot_* names a missing text or misses a variable."""
    problems = check_render_calls(CODE, catalog, calls=calls)
    assert [str(problem) for problem in problems] == []


def test_lucien_calls_through_constants_are_checked(calls: list[TextCall]) -> None:
    """Without the wallet's texts, its grant notices (say with constants from another module) are reported."""
    without_wallet = [path for path in shipped() if path.name != "wallet.ftl"]
    catalog, _ = load_catalog(without_wallet)
    problems = check_render_calls(CODE, catalog, calls=calls)
    reported = {(problem.file.relative_to(ROOT).as_posix(), problem.detail) for problem in problems}
    assert ("yabot_core/wallet/notices.py", "text 'wallet-grant-received' does not exist") in reported
    assert (
        "yabot_core/wallet/notices.py",
        "text 'wallet-grant-received-with-note' does not exist",
    ) in reported
    assert ("yabot_app/modules/wallet.py", "text 'wallet-command-saldo' does not exist") in reported
