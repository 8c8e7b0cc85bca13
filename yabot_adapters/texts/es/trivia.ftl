# Trivia: /trivia (quiz polls on or off), and Lucien's word when a right answer earned besitos.

trivia-command-trivia = Recibir (o dejar de recibir) las preguntas de trivia

trivia-on = Anotado: le haré llegar las preguntas de trivia de Diana. Acertarlas a tiempo tiene premio en besitos. Escriba /trivia otra vez si prefiere no recibirlas.

trivia-off = Como desee: no le enviaré más preguntas de trivia. Escriba /trivia si cambia de opinión.

trivia-rewarded = ¡Respuesta correcta! Diana le premia con { $cantidad } { $cantidad ->
        [one] besito
       *[other] besitos
    }.

# The /admin screen: the latest questions and how each went (the figures of `yabot trivia results`).

trivia-admin-button = ❓ Trivia: resultados

trivia-admin-list = ❓ <b>Trivia</b>: las preguntas más recientes. Elija una para ver cómo fue.

trivia-admin-none = ❓ Aún no hay preguntas de trivia (se crean con <code>yabot trivia create</code> o por la API).

trivia-admin-state-open = abierta
trivia-admin-state-closed = cerrada
trivia-admin-state-cancelled = cancelada

trivia-admin-results = ❓ <b>{ $pregunta }</b>
    Cierre: { $cierre }
    Encuestas enviadas: { $encuestas }
    Respuestas: { $respuestas }
    Aciertos a tiempo (premiados): { $premiados }, { $besitos } besitos en total
    Aciertos fuera de plazo: { $tarde }
    Fallos: { $fallos }

    { $opciones }

trivia-admin-option = { $numero }. { $opcion }: { $votos }
trivia-admin-option-right = { $numero }. { $opcion } ✅: { $votos }
