"""How texts for people write things in Spanish: numbers, a hint at a mistyped word, words without accents."""

import difflib
import unicodedata
from collections.abc import Sequence


def spanish_number(value: int) -> str:
    """A whole number as Spanish texts write it: ``1.000.000``."""
    return f"{value:,}".replace(",", ".")


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """Return `` (¿quiso decir «x»?)`` for the closest option to a mistyped ``word``, or an empty string."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (¿quiso decir «{close[0]}»?)" if close else ""


def unaccented(text: str) -> str:
    """Return ``text`` without accents: ``descripción`` becomes ``descripcion``."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
