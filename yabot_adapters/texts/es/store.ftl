# The tienda: /tienda, an item up close, the confirmation, the purchase.
# Button texts are plain text (no tags); Telegram shows them as written.

store-command-tienda = Abrir la tienda de Diana

## The list

store-list-header = Bienvenido a la tienda de Diana, <b>{ $nombre }</b>. Tiene usted <b>{ $saldo } { $saldo ->
        [one] besito
       *[other] besitos
    }</b> para gastar. Esto es lo que hoy puedo ofrecerle:

store-list-empty = Lamento decirle, { $nombre }, que la tienda está cerrada: Diana no ha puesto nada a la venta todavía.

# One line per item for sale; $precio in besitos.
store-list-line = • <b>{ $objeto }</b> · { $precio } { $precio ->
        [one] besito
       *[other] besitos
    }
store-list-line-vip = • <b>{ $objeto }</b> · { $precio } { $precio ->
        [one] besito
       *[other] besitos
    } · VIP
store-list-line-sold-out = • { $objeto } · <i>agotado</i>

store-list-hint = Pulse cualquiera para verlo de cerca.

store-list-page = <i>Página { $pagina } de { $paginas }</i>

## One item

store-item = <b>{ $objeto }</b> · { $precio } { $precio ->
        [one] besito
       *[other] besitos
    }

    { $descripcion }

store-item-left = { $quedan ->
        [0] <i>Agotado: se vendieron todas las unidades.</i>
        [one] <i>Queda una sola unidad.</i>
       *[other] <i>Quedan { $quedan } unidades.</i>
    }

store-item-limit = <i>Cada persona puede comprar { $limite ->
        [one] una unidad
       *[other] { $limite } unidades
    }; usted lleva { $compradas }.</i>

store-item-vip = <i>Reservado a quienes acompañan a Diana en el canal VIP.</i>

store-item-vip-locked = 🔒 <i>Reservado a quienes acompañan a Diana en el canal VIP.</i> Si desea unirse, /vip le abrirá la puerta; en cuanto sea VIP, aquí tendrá el botón para comprarlo.

store-confirm = ¿Desea usted comprar <b>{ $objeto }</b> por <b>{ $precio } { $precio ->
        [one] besito
       *[other] besitos
    }</b>? Tiene { $saldo } { $saldo ->
        [one] besito
       *[other] besitos
    }.

store-bought = Hecho. Le he guardado <b>{ $objeto }</b> en su mochila con todo cuidado. Le quedan <b>{ $saldo } { $saldo ->
        [one] besito
       *[other] besitos
    }</b>.

store-bought-already = Esa compra ya está hecha: <b>{ $objeto }</b> le espera en su mochila.

store-stale = Ese objeto ya no está a la venta. Abra de nuevo la /tienda, por favor.

## Buttons

store-button-item = { $objeto } · { $precio }
store-button-previous = « Anterior
store-button-next = Siguiente »
store-button-buy = Comprar por { $precio }
store-button-confirm = Sí, comprar
store-button-cancel = No, gracias
store-button-back = « Volver a la tienda
