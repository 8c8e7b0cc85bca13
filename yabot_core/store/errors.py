"""The tienda's errors, each with a stable code and a Spanish message that reads well to a fan."""

from yabot_core.kernel import DomainError, ForbiddenError, InvalidInputError, NotFoundError, spanish_number


class NotForSaleError(NotFoundError):
    """The item does not exist, or the creator does not sell it (it has no ``precio``)."""

    code = "objeto_no_a_la_venta"

    def __init__(self, item_id: str) -> None:
        super().__init__("Ese objeto no está a la venta en la tienda de Diana.", detail={"item_id": item_id})


class OutOfStockError(DomainError):
    """Every unit of the item was sold."""

    code = "sin_existencias"

    def __init__(self, *, item_id: str, name: str) -> None:
        super().__init__(
            f"Ya no quedan unidades de «{name}»: se vendieron todas.", detail={"item_id": item_id}
        )


class PurchaseLimitError(DomainError):
    """The fan already bought as many of the item as one fan may."""

    code = "limite_de_compra"

    def __init__(self, *, item_id: str, name: str, limit: int) -> None:
        unit = "una unidad" if limit == 1 else f"{spanish_number(limit)} unidades"
        super().__init__(
            f"De «{name}» cada persona puede comprar {unit}, y usted ya las tiene.",
            detail={"item_id": item_id, "limit": limit},
        )


class VipOnlyItemError(ForbiddenError):
    """A fan who is not VIP tried to buy an item reserved to VIPs."""

    code = "objeto_solo_vip"

    def __init__(self, *, item_id: str, name: str) -> None:
        super().__init__(
            f"«{name}» está reservado a quienes acompañan a Diana en su círculo VIP. Si desea unirse,"
            " escriba /vip.",
            detail={"item_id": item_id},
        )


class InvalidTapError(InvalidInputError):
    """A purchase's tap id (what makes a double tap buy once) is empty, too long, or not plain text."""

    code = "compra_invalida"
    default_message = "La compra no se pudo identificar; abra la tienda de nuevo con /tienda."
