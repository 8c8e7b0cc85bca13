"""The kernel's Spanish helpers: numbers grouped by thousands, a hint at a mistyped word, accents dropped."""

import pytest

from yabot_core.kernel import REASON_CODE, did_you_mean, spanish_number, unaccented


class TestSpanish:
    @pytest.mark.parametrize(
        ("value", "written"), [(7, "7"), (1_000, "1.000"), (1_000_000_000_000, "1.000.000.000.000")]
    )
    def test_numbers_are_grouped_by_thousands_with_dots(self, value: int, written: str) -> None:
        """Spanish texts write 1.000.000, not 1,000,000."""
        assert spanish_number(value) == written

    def test_a_close_word_is_suggested_and_a_far_one_is_not(self) -> None:
        """Only an option close to the typed word is offered, quoted as the messages quote it."""
        assert did_you_mean("nombr", ["nombre", "descripcion"]) == " (¿quiso decir «nombre»?)"
        assert did_you_mean("zz", ["nombre", "descripcion"]) == ""
        assert did_you_mean("nombre", []) == ""

    def test_accents_are_dropped(self) -> None:
        """``descripción`` reads as ``descripcion``; ñ loses its tilde too."""
        assert unaccented("descripción cantidad_máxima año") == "descripcion cantidad_maxima ano"


class TestReasonCode:
    @pytest.mark.parametrize("code", ["admin_grant", "a", "x" * 40, "store_purchase_2"])
    def test_stable_codes_match(self, code: str) -> None:
        """A reason code is a letter, then up to 39 lowercase letters, digits or underscores."""
        assert REASON_CODE.fullmatch(code)

    @pytest.mark.parametrize("code", ["", "x" * 41, "Admin", "2x", "mal motivo", "tilde_ñ", "a-b"])
    def test_anything_else_does_not(self, code: str) -> None:
        """Capitals, a leading digit, spaces, dashes, accents and 41 characters are no reason code."""
        assert not REASON_CODE.fullmatch(code)
