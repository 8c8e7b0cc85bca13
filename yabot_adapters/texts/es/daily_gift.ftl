# The daily gift: /regalo, once a day in the bot's time zone, with a streak and a surprise.

daily-gift-command-regalo = Recoger el regalo de hoy

daily-gift-claimed = Buenos días tenga usted, <b>{ $nombre }</b>. Diana le ha dejado su regalo de hoy, y yo me honro en entregárselo.

daily-gift-streak = { $racha ->
        [1] Primer día de su racha: <b>{ $besitos } { $besitos ->
            [one] besito
           *[other] besitos
        }</b>.
       *[other] { $racha } días seguidos viniendo a verla: <b>{ $besitos } { $besitos ->
            [one] besito
           *[other] besitos
        }</b>.
    }

daily-gift-surprise-besitos = Y una sorpresa: <b>{ $extra } { $extra ->
        [one] besito
       *[other] besitos
    }</b> más, de su parte.

daily-gift-surprise-item = Y una sorpresa que ya guardé en su mochila: <b>{ $cantidad ->
        [one] { $objeto }
       *[other] { $cantidad } × { $objeto }
    }</b>.

daily-gift-surprise-item-and-besitos = Y una sorpresa: <b>{ $extra } { $extra ->
        [one] besito
       *[other] besitos
    }</b> más y, ya guardado en su mochila, <b>{ $cantidad ->
        [one] { $objeto }
       *[other] { $cantidad } × { $objeto }
    }</b>.

daily-gift-total = En total, <b>{ $total } { $total ->
        [one] besito
       *[other] besitos
    }</b> más en su cuenta. Vuelva mañana: cada día seguido, Diana se muestra un poco más generosa.

# A second /regalo the same day: nothing changes. $horas and $minutos are what is left until midnight.
daily-gift-come-back = Ya recogió usted el regalo de hoy, { $nombre }, y Diana no olvida a quien la visita. Vuelva mañana: { $horas ->
        [0] { $minutos ->
            [one] falta apenas un minuto
           *[other] faltan { $minutos } minutos
        }
        [one] { $minutos ->
            [0] falta una hora
            [one] faltan una hora y un minuto
           *[other] faltan una hora y { $minutos } minutos
        }
       *[other] { $minutos ->
            [0] faltan { $horas } horas
            [one] faltan { $horas } horas y un minuto
           *[other] faltan { $horas } horas y { $minutos } minutos
        }
    } para el próximo.

## The evening reminder (buttons are plain text; notices at most 200 characters).

daily-gift-reminder-on-button = Recuérdemelo cada tarde
daily-gift-reminder-off-button = No me lo recuerde más

daily-gift-reminder-on = Entendido: si a las { $hora } no ha recogido su regalo, me permitiré recordárselo.
daily-gift-reminder-off = Como usted prefiera: no volveré a recordárselo.

daily-gift-reminder = Disculpe la intromisión, { $nombre }: su regalo de hoy aún le espera. Bastará con /regalo antes de medianoche, y su racha seguirá intacta.
