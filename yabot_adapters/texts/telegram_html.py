"""Whether a text is HTML that Telegram accepts; it refuses the whole message otherwise.

The rules are the Bot API's HTML style: a few tags, properly nested, and every ``<``, ``>`` and ``&`` that is
not part of a tag or an entity written as ``&lt;``, ``&gt;`` or ``&amp;``.
"""

import re
from typing import Final

TELEGRAM_TAGS: Final = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip
_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-zA-Z][\w-]*)(?:\s[^<>]*)?>"
    r"|&(?:lt|gt|amp|quot|#\d+|#[xX][0-9a-fA-F]+);"
    r"|(?P<bare>[<>&])"
)
_WRITE_AS: Final = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def html_problem(text: str) -> str | None:
    """What Telegram would reject in ``text``, in Spanish for the creator, or ``None`` if it is fine."""
    open_tags: list[str] = []
    for token in _TOKEN.finditer(text):
        if bare := token.group("bare"):
            return f"hay un «{bare}» suelto (para que se vea, escriba {_WRITE_AS[bare]})"
        tag = token.group("tag")
        if tag is None:
            continue  # an entity
        tag = tag.lower()
        if tag not in TELEGRAM_TAGS:
            return f"Telegram no admite la etiqueta <{tag}>"
        if not token.group("close"):
            open_tags.append(tag)
        elif not open_tags or open_tags.pop() != tag:
            return f"</{tag}> cierra una etiqueta que no está abierta justo antes"
    if open_tags:
        return f"falta cerrar <{open_tags[-1]}> con </{open_tags[-1]}>"
    return None
