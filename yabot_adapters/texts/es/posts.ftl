# Scheduled posts: what Lucien tells the admins when a post could not be published.

posts-failed = Lamento comunicarle que una publicación programada no ha salido.

    Publicación <code>{ $id }</code> para el canal { $canal }: { $estado }.
    Motivo: <i>{ $error }</i>

    Revise el canal y, si hace falta, prográmela de nuevo con <code>yabot posts schedule</code>.

## /admin: scheduling a post and the upcoming ones (button texts are plain text)

posts-admin-button-schedule = 📝 Programar publicación
posts-admin-button-upcoming = 🗓 Próximas publicaciones
posts-admin-button-channel = { $canal ->
        [vip] 💎 Canal VIP
       *[gratuito] 📢 Canal gratuito
    }
posts-admin-button-in-an-hour = ⏱ En 1 hora
posts-admin-button-tonight = 🌙 Esta noche, 21:00
posts-admin-button-tomorrow = ☀️ Mañana, 10:00
posts-admin-button-protect = { $protegida ->
        [si] 🔒 Protegida: sí (pulse para quitar)
       *[no] 🔓 Protegida: no (pulse para proteger)
    }
posts-admin-button-preview = 👁 Vista previa
posts-admin-button-confirm = ✅ Confirmar y programar
posts-admin-button-change = ✏️ Cambiar algo
posts-admin-button-another = 📝 Programar otra
posts-admin-button-cancel-yes = Sí, cancelarla

posts-admin-compose = 📝 <b>Programar publicación</b>

    Envíeme la publicación tal como quiere que la vean: un texto, o una foto (o un vídeo) con su pie. Respeto las negritas y los enlaces.

posts-admin-not-publishable = ⚠️ Eso no sé publicarlo: envíeme un texto, o una foto o un vídeo con su pie.

posts-admin-channel = ¿En qué canal la publico?

posts-admin-no-channels = ⚠️ No hay canales configurados. Indique <code>YABOT_FREE_CHANNEL_ID</code> o <code>YABOT_VIP_CHANNEL_ID</code> y vuelva a intentarlo.

posts-admin-when = ¿Cuándo sale? Elija una hora o escríbala (<code>21:30</code>, <code>24/12 21:30</code> o <code>24/12/2026 21:30</code>), hora de { $zona }.

posts-admin-bad-time = ⚠️ No entiendo esa hora, o ya pasó. Escríbala como <code>21:30</code> o <code>24/12 21:30</code>.

posts-admin-summary = { $tipo ->
        [foto] 🖼 Una foto
        [video] 🎬 Un vídeo
        [album] 🖼 Un álbum
       *[texto] ✍️ Un texto
    } para el { $canal ->
        [vip] 💎 canal VIP
       *[gratuito] 📢 canal gratuito
    }, el <b>{ $cuando }</b>. { $protegida ->
        [si] 🔒 Protegida: no se podrá reenviar ni guardar.
       *[no] 🔓 Sin protección: se podrá reenviar.
    }

posts-admin-options = { $resumen }

    Pulse «Vista previa» para verla como la verán sus fans.

posts-admin-refused = ⚠️ Telegram no acepta esta publicación: { $motivo }

posts-admin-confirm = Arriba la tiene tal como saldrá.

    { $resumen }

    ¿La programo?

posts-admin-scheduled = ✅ Programada: saldrá en el { $canal ->
        [vip] canal VIP
       *[gratuito] canal gratuito
    } el <b>{ $cuando }</b> (publicación <code>{ $id }</code>).

posts-admin-failed = ⚠️ No se pudo: { $motivo }

posts-admin-upcoming = 🗓 <b>Próximas publicaciones</b>

    { $lista }

    Pulse el número de una para cancelarla.

posts-admin-upcoming-line = { $numero }. { $cuando } · { $canal } · { $tipo } · { $texto }

posts-admin-upcoming-none = 🗓 No hay publicaciones programadas.

posts-admin-cancel-confirm = ¿Cancelo la publicación del <b>{ $cuando }</b> en el canal { $canal }? «{ $texto }»

posts-admin-cancel-gone = Esa publicación ya no se puede cancelar: salió, está saliendo o se canceló.

posts-admin-cancelled = ✅ Publicación cancelada.
