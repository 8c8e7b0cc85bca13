"""Rendering: Spanish plurals and digits, escaped arguments, trusted HTML, random variants, no crash ever."""

import logging
import random
from decimal import Decimal
from pathlib import Path

import pytest

from tests.adapters.texts.conftest import write
from yabot_adapters.texts import FALLBACK_TEXT, Catalog, Html, format_number, load_catalog

GREETINGS = {
    "Bienvenido a la casa de Diana, <b>Ana</b>.",
    "Le esperábamos, <b>Ana</b>.",
    "Qué alegría verle, <b>Ana</b>.",
}


def _catalog(shipped: list[Path], content: Path | None = None, seed: int = 0) -> Catalog:
    catalog, problems = load_catalog(shipped, content, rng=random.Random(seed))
    assert problems == []
    return catalog


class TestNumbers:
    @pytest.mark.parametrize(
        ("count", "expected"),
        [
            (1, "Ana, guarda usted 1 besito."),
            (5, "Ana, guarda usted 5 besitos."),
            (0, "Ana, guarda usted 0 besitos."),
            (1000, "Ana, guarda usted 1.000 besitos."),
            (12500, "Ana, guarda usted 12.500 besitos."),
            (1_000_000, "Ana, guarda usted 1.000.000 besitos."),
        ],
    )
    def test_plural_and_digits(self, shipped: list[Path], count: int, expected: str) -> None:
        """An int picks the CLDR plural and shows a dot between thousands, four-digit numbers included."""
        assert _catalog(shipped).render("saldo-resumen", nombre="Ana", count=count) == expected

    def test_format_number_matches_texts(self) -> None:
        """Code that writes a number outside a text writes it as texts do."""
        assert [format_number(n) for n in (7, 1000, 12500, -1000)] == ["7", "1.000", "12.500", "-1.000"]

    def test_decimals_use_a_comma(self, shipped: list[Path]) -> None:
        """A fraction is written the Spanish way."""
        rendered = _catalog(shipped).render("saldo-resumen", nombre="Ana", count=Decimal("1234.5"))
        assert rendered == "Ana, guarda usted 1.234,5 besitos."


class TestArguments:
    def test_text_is_escaped(self, shipped: list[Path]) -> None:
        """A hostile name cannot open tags or entities in Telegram HTML."""
        rendered = _catalog(shipped).render("saldo-resumen", nombre="<b>&", count=2)
        assert rendered == "&lt;b&gt;&amp;, guarda usted 2 besitos."

    def test_html_passes_through(self, shipped: list[Path]) -> None:
        """A fragment our code built as HTML reaches the text as it is."""
        lista = Html("<i>+10</i> regalo\n<i>−3</i> compra")
        rendered = _catalog(shipped).render("movimientos", lista=lista)
        assert rendered == "Sus movimientos:\n<i>+10</i> regalo\n<i>−3</i> compra"

    def test_long_fragment_passes_whole(self, shipped: list[Path]) -> None:
        """A fragment longer than fluent.runtime's 2,500-character limit for an argument is shown whole."""
        lista = "\n".join(f"<i>+{n}</i> regalo de Diana" for n in range(150))
        assert len(lista) > 2500
        rendered = _catalog(shipped).render("movimientos", lista=Html(lista))
        assert rendered == f"Sus movimientos:\n{lista}"

    def test_no_isolation_marks(self, shipped: list[Path]) -> None:
        """Telegram would show Unicode isolation marks around arguments, so there are none."""
        rendered = _catalog(shipped).render("saldo-resumen", nombre="Ana", count=3)
        assert "\u2068" not in rendered
        assert "\u2069" not in rendered

    def test_included_message_renders(self, shipped: list[Path]) -> None:
        """A text may include another message."""
        assert _catalog(shipped).render("despedida") == "Hasta pronto. Su seguro servidor, Lucien."


class TestVariants:
    def test_every_variant_is_reachable(self, shipped: list[Path]) -> None:
        """The value and each ``variante…`` attribute all come up."""
        catalog = _catalog(shipped, seed=7)
        seen = {catalog.render("saludo", nombre="Ana") for _ in range(200)}
        assert seen == GREETINGS

    def test_seeded_random_repeats(self, shipped: list[Path]) -> None:
        """The same seed gives the same sequence of variants, so tests can rely on it."""
        first, second = _catalog(shipped, seed=3), _catalog(shipped, seed=3)
        assert [first.render("saludo", nombre="Ana") for _ in range(20)] == [
            second.render("saludo", nombre="Ana") for _ in range(20)
        ]

    def test_override_adds_variants(self, shipped: list[Path], content: Path) -> None:
        """The creator adds variants to a message without touching its original text."""
        write(
            content / "saludos.ftl",
            """\
            firma = Su seguro servidor, Lucien.
                .variante-guino = Lucien, siempre a sus órdenes.
            """,
        )
        catalog = _catalog(shipped, content, seed=1)
        seen = {catalog.render("firma") for _ in range(100)}
        assert seen == {"Su seguro servidor, Lucien.", "Lucien, siempre a sus órdenes."}


class TestNeverCrashes:
    def test_missing_variable_is_logged(self, shipped: list[Path], caplog: pytest.LogCaptureFixture) -> None:
        """A call without a variable the text needs logs an error and shows the fallback text."""
        with caplog.at_level(logging.ERROR, logger="yabot_adapters.texts"):
            rendered = _catalog(shipped).render("saldo-resumen", nombre="Ana")
        assert rendered == FALLBACK_TEXT
        assert "count" in caplog.text

    def test_unknown_id_is_logged(self, shipped: list[Path], caplog: pytest.LogCaptureFixture) -> None:
        """An id that does not exist logs an error and shows the fallback text."""
        with caplog.at_level(logging.ERROR, logger="yabot_adapters.texts"):
            rendered = _catalog(shipped).render("no-existe")
        assert rendered == FALLBACK_TEXT
        assert "'no-existe'" in caplog.text

    def test_unsupported_argument_is_logged(
        self, shipped: list[Path], caplog: pytest.LogCaptureFixture
    ) -> None:
        """A value that is no text argument (a bool) logs an error and shows the fallback text."""
        with caplog.at_level(logging.ERROR, logger="yabot_adapters.texts"):
            rendered = _catalog(shipped).render("saldo-resumen", nombre="Ana", count=True)
        assert rendered == FALLBACK_TEXT
        assert "bool" in caplog.text

    def test_failing_override_falls_back_to_shipped(
        self, shipped: list[Path], content: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """If the creator's text fails with the real arguments, the reader gets the shipped one."""
        write(content / "saldo.ftl", "saldo-resumen = { $nombre } tiene { NUMBER($count) }.\n")
        with caplog.at_level(logging.ERROR, logger="yabot_adapters.texts"):
            rendered = _catalog(shipped, content).render("saldo-resumen", nombre="Ana", count="muchos")
        assert rendered == "Ana, guarda usted muchos besitos."
        assert "shipped" in caplog.text

    def test_ids_and_variables(self, shipped: list[Path]) -> None:
        """The catalog tells which texts exist and what each needs, included messages counted."""
        catalog = _catalog(shipped)
        assert catalog.ids() == {"saldo-resumen", "saludo", "firma", "despedida", "movimientos"}
        assert catalog.variables("saldo-resumen") == {"nombre", "count"}
        assert catalog.variables("despedida") == frozenset()
