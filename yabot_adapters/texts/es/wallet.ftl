# Besitos: /saldo and Diana's gifts.

wallet-command-saldo = Consultar sus besitos y sus últimos movimientos

wallet-balance-header = Permítame consultar el libro de cuentas, <b>{ $nombre }</b>…

wallet-balance-available = { $saldo ->
        [0] Por ahora su cuenta no guarda ningún besito disponible.
       *[other] Dispone usted de <b>{ $saldo } { $saldo ->
        [one] besito
       *[other] besitos
    }</b>.
    }

wallet-balance-held = Otros <b>{ $reservados } { $reservados ->
        [one] besito
       *[other] besitos
    }</b> aguardan reservados, a buen recaudo.

wallet-ledger-empty = Su libro de cuentas aún está en blanco: no consta movimiento alguno. Toda buena historia empieza por una primera página.

wallet-ledger-latest = <b>Últimos movimientos</b>
    { $movimientos }

# One movement: $importe is signed (+10, −3), $fecha already written in the bot's time zone.
wallet-movement = <b>{ $importe }</b> · { $motivo } · { $fecha }
wallet-movement-with-note = <b>{ $importe }</b> · { $motivo }: <i>{ $nota }</i> · { $fecha }

wallet-ledger-more = <i>Le muestro los { $mostrados } más recientes de un total de { $total }.</i>

wallet-grant-received = Permítame interrumpirle con una buena noticia, { $nombre }: Diana le envía <b>{ $cantidad } { $cantidad ->
        [one] besito
       *[other] besitos
    }</b>.

    Su saldo asciende ahora a <b>{ $saldo } { $saldo ->
        [one] besito
       *[other] besitos
    }</b>. Puede consultarlo cuando guste con /saldo.

wallet-grant-received-with-note = Permítame interrumpirle con una buena noticia, { $nombre }: Diana le envía <b>{ $cantidad } { $cantidad ->
        [one] besito
       *[other] besitos
    }</b>.

    { $cantidad ->
        [one] Lo
       *[other] Los
    } acompaña con unas palabras: <i>«{ $nota }»</i>

    Su saldo asciende ahora a <b>{ $saldo } { $saldo ->
        [one] besito
       *[other] besitos
    }</b>. Puede consultarlo cuando guste con /saldo.
