# Trivia: /trivia (quiz polls on or off), and Lucien's word when a right answer earned besitos.

trivia-command-trivia = Recibir (o dejar de recibir) las preguntas de trivia

trivia-on = Anotado: le haré llegar las preguntas de trivia de Diana. Acertarlas a tiempo tiene premio en besitos. Escriba /trivia otra vez si prefiere no recibirlas.

trivia-off = Como desee: no le enviaré más preguntas de trivia. Escriba /trivia si cambia de opinión.

trivia-rewarded = ¡Respuesta correcta! Diana le premia con { $cantidad } { $cantidad ->
        [one] besito
       *[other] besitos
    }.
