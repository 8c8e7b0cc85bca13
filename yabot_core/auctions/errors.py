"""The auctions' errors, each with a stable code and a Spanish message."""

from yabot_core.kernel import ConflictError, DomainError, NotFoundError


class AuctionNotFoundError(NotFoundError):
    """No auction has that id."""

    code = "subasta_no_encontrada"

    def __init__(self, auction_id: str) -> None:
        super().__init__(
            f"No existe ninguna subasta con el id {auction_id}.", detail={"auction_id": auction_id}
        )


class AuctionNotOpenError(DomainError):
    """A bid on an auction that has not started, has ended, or was cancelled."""

    code = "subasta_cerrada"

    def __init__(self, auction_id: str, phase: str) -> None:
        texts = {
            "upcoming": "La subasta aún no ha empezado.",
            "ended": "La subasta ya ha terminado.",
            "closed": "La subasta ya ha terminado.",
            "cancelled": "La subasta fue cancelada.",
        }
        super().__init__(
            texts.get(phase, "La subasta no admite pujas."),
            detail={"auction_id": auction_id, "phase": phase},
        )


class BidTooLowError(DomainError):
    """A bid below the auction's next minimum (the minimum bid, or the leading bid plus the increment)."""

    code = "puja_insuficiente"

    def __init__(self, *, amount: int, minimum: int) -> None:
        super().__init__(
            f"La puja debe ser de al menos {minimum} besitos (ofreciste {amount}).",
            detail={"amount": amount, "minimum": minimum},
        )


class AuctionAlreadySettledError(ConflictError):
    """Cancelling an auction that already closed (its winner paid)."""

    code = "subasta_ya_resuelta"

    def __init__(self, auction_id: str, status: str) -> None:
        verb = "cerró" if status == "closed" else "fue cancelada"
        super().__init__(
            f"La subasta {auction_id} ya {verb}.", detail={"auction_id": auction_id, "status": status}
        )
