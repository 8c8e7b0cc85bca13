"""How texts for people write things in Spanish: whole numbers grouped by thousands."""


def spanish_number(value: int) -> str:
    """A whole number as Spanish texts write it: ``1.000.000``."""
    return f"{value:,}".replace(",", ".")
