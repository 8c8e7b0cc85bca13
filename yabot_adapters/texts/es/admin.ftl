# The /admin menu: Lucien at the service of Diana and her admins. Button texts are plain text (no tags).

admin-refused = Le ruego que me disculpe, <b>{ $nombre }</b>, pero esa puerta solo se abre para Diana y quienes la ayudan a llevar la casa. Si cree que debería tener la llave, hable con ella; entretanto, sigo a su servicio para todo lo demás (/ayuda).

admin-menu = 🗝 <b>Panel de administración</b>

    A sus órdenes. ¿Qué desea revisar?

admin-button-close = Cerrar
admin-button-back = ⬅️ Volver
admin-button-refresh = 🔄 Actualizar
admin-button-statistics = 📊 Estadísticas
admin-button-dead-letters = 🧯 Eventos fallidos
admin-button-upcoming = 🗓 Próximamente
admin-button-replay = 🔁 Reenviar

## Statistics

admin-statistics = 📊 <b>Estadísticas</b>

    👥 Fans registrados: <b>{ $fans }</b>
    💎 VIP ahora: <b>{ $vips }</b>
    ⭐ Ingresos: <b>{ $estrellas }</b> estrellas ({ $pagos ->
        [one] un pago
       *[other] { $pagos } pagos
    }, a precio de catálogo)
    💋 Besitos en circulación: <b>{ $besitos }</b>
    🧯 Eventos fallidos: <b>{ $minimo ->
        [si] { $fallidos } o más
       *[no] { $fallidos }
    }</b>

## Dead letters

admin-dead-letters = 🧯 <b>Eventos fallidos</b>, a la espera de que alguien los reenvíe (arregle antes la causa):

    { $lista }

    Pulse el número de uno para verlo.

admin-dead-letters-none = 🧯 No hay eventos fallidos. Todo en orden.

# One line per dead letter.
admin-dead-letter-line = <b>{ $numero }.</b> { $evento } → { $manejador } ({ $cuando })

admin-dead-letter = 🧯 <b>{ $evento }</b> para <code>{ $manejador }</code>, tras { $intentos } intentos:

    <i>{ $error }</i>

admin-dead-letters-gone = Ese evento ya no está a la espera: alguien lo reenvió.

admin-replay-done = ✅ Reenviado: { $evento } entregado a <code>{ $manejador }</code>.

admin-replay-failed = ⚠️ No se pudo reenviar: { $motivo }

admin-replay-unavailable = ⚠️ Este proceso no puede reenviar eventos. Use <code>yabot events replay</code>.

## Upcoming

admin-upcoming = 🗓 <b>Próximamente</b>, lo primero arriba:

    { $lista }

admin-upcoming-none = 🗓 No hay nada programado.

# One line per timer.
admin-upcoming-line = • { $cuando }: <code>{ $tipo }</code> (usuario { $usuario })
