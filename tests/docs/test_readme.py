"""The README stays true: its configuration table lists every setting with its real default."""

import re
from pathlib import Path

from pydantic_core import PydanticUndefined

from yabot_app.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_rows() -> dict[str, str]:
    rows = re.findall(r"^\| `(YABOT_[A-Z_]+)` \| (.+?) \|", README.read_text(encoding="utf-8"), re.MULTILINE)
    return dict(rows)


def shown_default(name: str) -> str:
    field = Settings.model_fields[name]
    value = field.default if field.default is not PydanticUndefined else field.default_factory()  # type: ignore[misc]
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    if value is None:
        return "(unset)"
    if value == []:
        return "(empty)"
    return f"`{value}`"


def test_every_setting_is_documented_with_its_default() -> None:
    """Each setting has a README row naming its env var and its actual default, and no row is stale."""
    rows = readme_rows()
    expected = {f"YABOT_{name.upper()}": shown_default(name) for name in Settings.model_fields}
    assert rows == expected


def test_the_first_screen_gives_the_two_commands() -> None:
    """The README's first 30 lines say what YABOT is and show `make run` and `make test`."""
    head = "\n".join(README.read_text(encoding="utf-8").splitlines()[:30])
    assert "Telegram" in head
    assert "make run" in head
    assert "make test" in head
