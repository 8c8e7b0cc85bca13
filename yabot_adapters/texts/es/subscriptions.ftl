# VIP: the channel's door, reminders before the end, and the goodbye when it comes.

# A new VIP's personal invite link ($enlace): single use, or asking to join (then approved at once).
vip-invitacion = <b>{ $nombre }</b>, las puertas del canal VIP de Diana se abren para usted.
    Este es su enlace personal: <a href="{ $enlace }">entrar al canal VIP</a>.
    Es solo suyo y caduca pronto; si lo comparte, dejará de servir.

# Before the end: $horas is 72 or 24; $vip_hasta the last day.
vip-recordatorio = { $horas ->
        [24] <b>{ $nombre }</b>, permítame recordarle que su acceso VIP termina mañana, el { $vip_hasta }.
       *[other] <b>{ $nombre }</b>, su acceso VIP termina dentro de tres días, el { $vip_hasta }.
    } Si desea seguir al otro lado de la puerta, renueve con /vip.

# The VIP ended: the fan was shown out of the channel.
vip-caducado = Su acceso VIP ha llegado a su fin, <b>{ $nombre }</b>, y con él su lugar en el canal VIP.
    Diana guarda su sitio: cuando desee volver, /vip le abrirá de nuevo la puerta.

# A join request from someone without VIP, declined.
vip-solicitud-rechazada = Lamento no poder abrirle la puerta del canal VIP: no consta una suscripción VIP a su nombre.
    Si desea entrar, con /vip podrá ver los planes y unirse en un momento.
