# Broadcasts and notifications: /notificaciones, where fans choose what Lucien may tell them.

broadcasts-command-notificaciones = Elegir qué avisos recibir

broadcasts-preferences = Usted decide qué avisos desea recibir de la casa, <b>{ $nombre }</b>. Pulse una categoría para activarla o desactivarla.

broadcasts-category-on = ✅ { $categoria }

broadcasts-category-off = 🔕 { $categoria }

broadcasts-category-changed = { $activa ->
        [si] Anotado: volverá a recibir avisos de «{ $categoria }».
       *[no] Anotado: no le molestaré más con avisos de «{ $categoria }».
    }

broadcasts-category-unknown = Esa categoría ya no existe; le muestro las que hay.
