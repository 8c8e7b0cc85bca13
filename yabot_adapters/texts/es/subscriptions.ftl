# VIP: /vip, the plans, paying in Telegram Stars, and VIP tokens (/canjear and the links that redeem them).
# Button texts and the payment form's refusals are plain text (no tags); Telegram shows them as written.

subscriptions-command-vip = Ver su VIP y los planes para unirse al canal VIP
subscriptions-command-canjear = Canjear un código VIP

## /vip

subscriptions-status-none = <b>{ $nombre }</b>, por ahora no figura usted entre quienes acompañan a Diana en el canal VIP.

subscriptions-status-active = <b>{ $nombre }</b>, es usted VIP hasta el <b>{ $hasta }</b>. Si desea prolongar su estancia, cualquier plan se suma a los días que ya tiene.

subscriptions-plans = Estos son los planes que Diana ofrece, en estrellas de Telegram:

    { $planes }

    Pulse el que prefiera y le presentaré la factura.

# One line per plan.
subscriptions-plan-line = • <b>{ $plan }</b>: { $dias ->
        [one] un día
       *[other] { $dias } días
    } por { $precio } ⭐
    <i>{ $descripcion }</i>

subscriptions-plan-button = { $plan } · { $precio } ⭐

subscriptions-plans-none = En este momento no hay planes a la venta. Le ruego que vuelva a preguntarme más adelante.

subscriptions-plan-gone = Ese plan ya no está a la venta. Escriba /vip para ver los planes de hoy.

## Paying

subscriptions-refused-plan = Ese plan ya no está a la venta. Escriba /vip para ver los planes de hoy, por favor.
subscriptions-refused-amount = El importe no coincide con el precio del plan. Escriba /vip y vuelva a elegirlo, por favor.

subscriptions-paid-started = Pago recibido, <b>{ $nombre }</b>: gracias de parte de Diana.

    Con <b>{ $plan }</b> es usted VIP hasta el <b>{ $hasta }</b>. Bienvenido a lo más íntimo de esta casa.

subscriptions-paid-extended = Pago recibido, <b>{ $nombre }</b>: gracias de parte de Diana.

    He sumado <b>{ $plan }</b> a su estancia: ahora es usted VIP hasta el <b>{ $hasta }</b>.

subscriptions-paid-unknown-plan = He recibido su pago, pero el plan que eligió ya no figura en el catálogo. No se inquiete: he avisado para que lo resuelvan a mano. Guarde esta referencia, por si se la piden: <code>{ $cargo }</code>.

## VIP tokens

subscriptions-redeem-howto = Para canjear un código VIP, escríbalo después de la orden, así: <code>/canjear vip-…</code>

subscriptions-token-started = Código aceptado, <b>{ $nombre }</b>. Por cortesía de Diana es usted VIP hasta el <b>{ $hasta }</b>. Bienvenido a lo más íntimo de esta casa.

subscriptions-token-extended = Código aceptado, <b>{ $nombre }</b>. He sumado sus días a su estancia: ahora es usted VIP hasta el <b>{ $hasta }</b>.

subscriptions-token-unknown = Lo lamento, pero no encuentro ningún código VIP así. Le ruego que compruebe que lo ha copiado entero, sin espacios de más.

subscriptions-token-already = Usted ya canjeó ese código VIP; cada código vale una sola vez por persona.

subscriptions-token-used-up = Lo lamento: ese código VIP ya se ha canjeado todas las veces que permitía. Si desea unirse al canal VIP, escriba /vip y le mostraré los planes.

subscriptions-token-revoked = Lo lamento: ese código VIP fue retirado y ya no puede canjearse. Si desea unirse al canal VIP, escriba /vip y le mostraré los planes.
subscriptions-token-expired = Lo lamento: ese código VIP ha caducado. Si desea unirse al canal VIP, escriba /vip y le mostraré los planes.
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

## /admin: a fan's VIP and the VIP tokens (button texts are plain text)

subscriptions-admin-button-vip = 💎 VIP de un fan
subscriptions-admin-button-tokens = 🎟 Códigos VIP
subscriptions-admin-button-grant = ➕ { $dias } días
subscriptions-admin-button-revoke = ✖️ Retirar el VIP
subscriptions-admin-button-revoke-yes = Sí, retirarlo
subscriptions-admin-button-other = 🔎 Otro fan
subscriptions-admin-button-create = ➕ Crear códigos
subscriptions-admin-button-withdraw = ✖️ Retirar un código

subscriptions-admin-ask = 💎 <b>VIP de un fan</b>

    Escríbame el número de Telegram del fan (su id, p. ej. <code>123456789</code>).

subscriptions-admin-not-an-id = ⚠️ Eso no parece un id de Telegram: solo cifras, por favor.

subscriptions-admin-fan-vip = 💎 Fan <code>{ $fan }</code> ({ $nombre }): VIP hasta el <b>{ $hasta }</b>.

subscriptions-admin-fan-free = 💎 Fan <code>{ $fan }</code> ({ $nombre }): no es VIP ahora.

subscriptions-admin-granted = ✅ Hecho: { $dias } días más; VIP hasta el <b>{ $hasta }</b>.

subscriptions-admin-revoke-confirm = ¿Retiro el VIP al fan <code>{ $fan }</code>? Dejará de serlo ahora mismo y saldrá del canal VIP.

subscriptions-admin-revoked = ✅ VIP retirado.

subscriptions-admin-failed = ⚠️ No se pudo: { $motivo }

subscriptions-admin-tokens = 🎟 <b>Códigos VIP</b> ({ $total } en total; los más recientes):

    { $lista }

subscriptions-admin-tokens-none = 🎟 Aún no hay códigos VIP.

# One line per token; $estado is activo, retirado, caducado or agotado.
subscriptions-admin-token-line = • <code>{ $codigo }</code> · { $plan } · { $usados }/{ $usos } · { $estado }

subscriptions-admin-choose-plan = 🎟 ¿De qué plan serán los códigos?

subscriptions-admin-choose-count = 🎟 ¿Cuántos códigos de <b>{ $plan }</b>? (cada uno vale para un fan)

subscriptions-admin-tokens-created = ✅ { $cuantos ->
        [one] Este es el código
       *[other] Estos son los { $cuantos } códigos
    }; compártalos con quien desee:

    { $codigos }

subscriptions-admin-choose-withdraw = ✖️ ¿Qué código retiro? Nadie podrá canjearlo después.

subscriptions-admin-token-withdrawn = ✅ Código <code>{ $codigo }</code> retirado.
