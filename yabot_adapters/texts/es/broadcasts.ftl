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

## /admin: a broadcast composed, its audience, its preview, its live progress (button texts are plain text)

broadcasts-admin-button-broadcast = 📣 Difusión
broadcasts-admin-button-audience = { $audiencia ->
        [vip] 💎 Los VIP
        [gratuitos] 👥 Los que no son VIP
        [por_vencer] ⏳ VIP que vencen en 3 días
       *[todos] 📣 Todos los fans
    }
broadcasts-admin-button-confirm = ✅ Confirmar y enviar
broadcasts-admin-button-change = ✏️ Cambiar el mensaje
broadcasts-admin-button-stop = ⏹ Detener la difusión
broadcasts-admin-button-stop-yes = Sí, detenerla

broadcasts-admin-compose = 📣 <b>Difusión</b>

    Escríbame el mensaje que debo hacer llegar a los fans (texto, hasta { $maximo } caracteres; lo envío tal cual, sin formato).

broadcasts-admin-bad-text = ⚠️ Necesito un texto de entre 1 y { $maximo } caracteres.

broadcasts-admin-audience = ¿A quién se lo envío?

broadcasts-admin-category = ¿De qué trata? Quien haya pedido no recibir avisos de esa clase (/notificaciones) no lo recibirá.

broadcasts-admin-preview = Así lo recibirán:

    <blockquote>{ $mensaje }</blockquote>

    Para: <b>{ $audiencia ->
        [vip] los VIP
        [gratuitos] los fans que no son VIP
        [por_vencer] los VIP que vencen en 3 días
       *[todos] todos los fans
    }</b>, { $fans ->
        [one] un fan
       *[other] { $fans } fans
    } ahora mismo (menos quienes no quieran avisos de «{ $categoria }» o me hayan bloqueado).

    ¿Lo envío?

broadcasts-admin-progress = { $estado ->
        [terminada] ✅ <b>Difusión terminada</b>
        [cancelada] ⏹ <b>Difusión detenida</b>
        [programada] ⏳ <b>Difusión a punto de empezar</b>
       *[enviando] 📣 <b>Difusión en curso</b>
    }

    <code>{ $barra }</code> ({ $hechos }/{ $total })

    ✅ Enviados: <b>{ $enviados }</b>
    🚫 Bloqueados: <b>{ $bloqueados }</b>
    ⚠️ Fallidos: <b>{ $fallidos }</b>
    🔕 Sin avisos de esta clase: <b>{ $omitidos }</b>

broadcasts-admin-stop-confirm = ¿Detengo la difusión? Quienes aún no la hayan recibido ya no la recibirán.

broadcasts-admin-stopped = ⏹ Difusión detenida.

broadcasts-admin-failed = ⚠️ No se pudo: { $motivo }

broadcasts-admin-button-running = 📣 { $texto }

broadcasts-admin-running = { $cuantas ->
        [one] Hay una difusión en marcha: púlsela para ver cómo va o detenerla.
       *[other] Hay { $cuantas } difusiones en marcha: pulse una para ver cómo va o detenerla.
    }

    { $pregunta }
