"""YABOT_BOT_USERNAME: the bot's name for VIP token links, written with or without its @, checked."""

import pytest
from pydantic import ValidationError

from yabot_app.settings import Settings


@pytest.mark.parametrize(
    ("given", "kept"),
    [("@DianaBot", "DianaBot"), ("lucien_bot", "lucien_bot"), ("  ", None), (None, None)],
)
def test_a_username_is_kept_without_its_at(given: str | None, kept: str | None) -> None:
    """The @ is dropped, blank means unset."""
    assert Settings.model_validate({"bot_username": given}).bot_username == kept


@pytest.mark.parametrize("given", ["a b", "@", "1bot", "x" * 33, "bot/../x"])
def test_something_that_is_no_username_is_refused_in_spanish(given: str) -> None:
    """A name Telegram could not have is refused, saying what a username looks like."""
    with pytest.raises(ValidationError, match="debe ser el @usuario del bot"):
        Settings.model_validate({"bot_username": given})
