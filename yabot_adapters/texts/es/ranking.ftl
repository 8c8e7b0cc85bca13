# The ranking: /ranking, the fans who earned most besitos this week and ever; hiding from it and coming back.

ranking-command-ranking = Ver quién ha ganado más besitos

ranking-header = Permítame leerle el libro de honor de la casa, <b>{ $nombre }</b>: quién ha ganado más besitos.

ranking-week-title = <b>Esta semana</b>
ranking-all-time-title = <b>Desde siempre</b>

ranking-empty = <i>Nadie ha ganado besitos todavía.</i>

# One line per fan; $puesto is the place (ties share one).
ranking-line = { $puesto }. { $nombre } · { $besitos } { $besitos ->
        [one] besito
       *[other] besitos
    }

ranking-you = Usted ocupa el puesto <b>{ $puesto }</b> con { $besitos } { $besitos ->
        [one] besito
       *[other] besitos
    }.
ranking-you-none = Usted aún no figura en esta tabla.

ranking-hidden-note = <i>Usted pidió no aparecer en el ranking. Escriba /ranking mostrarme para volver a él.</i>
ranking-hide-hint = <i>Si prefiere no aparecer, escriba /ranking ocultarme.</i>

ranking-hidden = Como usted desee, { $nombre }: su nombre ya no figura en el ranking. Sus besitos se siguen contando; escriba /ranking mostrarme cuando quiera volver.

ranking-shown = Bienvenido de nuevo al libro de honor, { $nombre }: su nombre vuelve a figurar en el ranking.

ranking-unknown-option = Disculpe, no entiendo «{ $opcion }». Escriba /ranking para ver la tabla, /ranking ocultarme para no aparecer en ella o /ranking mostrarme para volver.
