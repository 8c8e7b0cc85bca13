"""The plans on sale: Spanish keys, Telegram's invoice limits, unique ids, suggestions for a mistyped id."""

import pytest
from pydantic import ValidationError

from yabot_core.subscriptions import InvalidPlanCatalogError, Plan, PlanCatalog, UnknownPlanError


def plan(**fields: object) -> Plan:
    data = {"id": "vip-mensual", "nombre": "VIP un mes", "dias": 30, "precio": 500, "descripcion": "Un mes."}
    return Plan.model_validate({**data, **fields})


def test_a_plan_reads_the_creators_words() -> None:
    """Spanish keys (with or without accents) fill the English fields; it reads as the operator sees it."""
    read = Plan.model_validate(
        {"id": "vip-anual", "nombre": " VIP un año ", "días": 365, "precio": 4000, "descripción": "Un año."}
    )
    assert (read.id, read.name, read.days, read.price) == ("vip-anual", "VIP un año", 365, 4000)
    assert str(read) == "VIP un año (365 días, 4.000 estrellas)"
    assert str(plan(dias=1)) == "VIP un mes (1 día, 500 estrellas)"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": "VIP Mensual"}, "«VIP Mensual» no sirve como id"),
        ({"id": "VIP Mensual"}, "(¿quiso decir «vip-mensual»?)"),
        ({"nombre": "x" * 33}, "at most 32 characters"),
        ({"descripcion": "x" * 256}, "at most 255 characters"),
        ({"dias": 0}, "greater than or equal to 1"),
        ({"precio": 10_001}, "less than or equal to 10000"),
        ({"estrellas": 3}, "Extra inputs are not permitted"),
    ],
)
def test_a_plan_telegram_could_not_sell_is_refused(fields: dict[str, object], message: str) -> None:
    """A bad id, a name or description beyond Telegram's invoice limits, no days, a typo'd price: refused."""
    with pytest.raises(ValidationError) as caught:
        plan(**fields)
    assert message in str(caught.value)


def test_a_catalog_has_each_id_once_and_suggests_the_one_meant() -> None:
    """Two plans with one id are refused, every repetition listed; an unknown id suggests the closest."""
    with pytest.raises(InvalidPlanCatalogError) as caught:
        PlanCatalog((plan(), plan(nombre="Otro"), plan()))
    repeated = (
        "plan «vip-mensual»: el id «vip-mensual» ya lo usa el plan n.º 1 de la lista; cada id debe ser único."
    )
    assert [str(p) for p in caught.value.problems] == [repeated, repeated]
    catalog = PlanCatalog((plan(), plan(id="vip-semanal", dias=7)))
    assert [p.id for p in catalog] == ["vip-mensual", "vip-semanal"]
    assert "vip-semanal" in catalog
    assert catalog.get("nada") is None
    with pytest.raises(UnknownPlanError) as unknown:
        catalog.plan("vip-semana")
    assert (
        unknown.value.message == "No existe ningún plan con el id «vip-semana» (¿quiso decir «vip-semanal»?)."
    )
