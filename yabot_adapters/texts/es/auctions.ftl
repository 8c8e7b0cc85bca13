# Subastas: /subastas (cards with bid buttons), /pujar, and Lucien's notices to the outbid and the winner.

auctions-command-subastas = Ver las subastas abiertas y pujar

auctions-none = Por ahora no hay ninguna subasta abierta. Cuando Diana ponga algo a subasta, se lo anunciaré.

# A card with no bids yet.
auctions-card-empty = <b>Subasta: { $objeto }</b>
    Aún nadie ha pujado. Puja mínima: <b>{ $minimo } besitos</b>.
    Termina: { $fin }
    Código: <code>{ $codigo }</code>

auctions-card = <b>Subasta: { $objeto }</b>
    Puja actual: <b>{ $actual } besitos</b> ({ $pujas ->
        [one] una puja
       *[other] { $pujas } pujas
    }). Para superarla: <b>{ $minimo } besitos</b>.
    Termina: { $fin }
    Código: <code>{ $codigo }</code>

auctions-bid-button = Pujar { $cantidad }

auctions-custom-button = Otra cantidad

auctions-bid-again-button = Volver a pujar

auctions-bid-placed = Su puja de { $cantidad } besitos va en cabeza. Los he reservado; se los devolveré si alguien la supera.

auctions-custom-how = Para pujar otra cantidad escriba: /pujar { $codigo } CANTIDAD (al menos { $minimo }).

auctions-pujar-usage = Escriba /pujar seguido del código de la subasta y la cantidad, por ejemplo: /pujar 1a2b3c4d 50

auctions-outbid = Lamento comunicarle que alguien ha superado su puja por <b>{ $objeto }</b>: ahora va en { $cantidad } besitos. Sus besitos ya están de vuelta en su bolsa. Si aún la desea, basta con { $minimo }.

auctions-outbid-plain = Lamento comunicarle que alguien ha superado su puja por <b>{ $objeto }</b>: ahora va en { $cantidad } besitos. Sus besitos ya están de vuelta en su bolsa. Si aún la desea, basta con { $minimo }: la encontrará en /subastas.

auctions-won = ¡Enhorabuena, { $nombre }! Ha ganado la subasta de <b>{ $objeto }</b> por { $cantidad } besitos. Ya lo he guardado en su mochila.
