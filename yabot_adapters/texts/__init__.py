"""Lucien's words as Fluent (``.ftl``) texts: shipped per module, overridable by the creator, Telegram HTML.

``load_catalog`` reads the shipped files and the creator's ``content/`` folder and returns the ``Catalog``
with the problems found in the creator's files (Spanish, with file and line); ``Catalog.render`` writes a
message. ``yabot_adapters.texts.checks`` finds ``render`` calls in the code that do not match the catalog.
The creator's guide is ``docs/texts.md``.
"""

from yabot_adapters.texts.catalog import FALLBACK_TEXT, Catalog, Html, TextArg, format_number
from yabot_adapters.texts.loading import ShippedTextsError, TextProblem, load_catalog

__all__ = [
    "FALLBACK_TEXT",
    "Catalog",
    "Html",
    "ShippedTextsError",
    "TextArg",
    "TextProblem",
    "format_number",
    "load_catalog",
]
