# Lucien to the creator and her admins, about the house itself: problems, reminders, and their end.
# Each problem's text is plain (no HTML): it is placed inside the opening, reminder and resolution texts.

operations-alert-opened = Lamento interrumpirle: hay un contratiempo en la casa.

    { $problema }

    Le avisaré en cuanto se resuelva.

operations-alert-reminder = Me permito recordarle que el contratiempo sigue ahí desde hace { $minutos } minutos.

    { $problema }

operations-alert-resolved = Todo vuelve a su orden: resuelto, tras { $minutos } minutos.

    { $problema }

operations-problem-storage = El almacenamiento no responde: las peticiones reciben una disculpa y lo pendiente espera en cola.
operations-problem-telegram = Telegram no responde: los mensajes esperan en la cola hasta que vuelva.
operations-problem-outbox = Se acumulan { $eventos } eventos pendientes de entrega (el aviso salta a partir de { $umbral }).
operations-problem-module = El módulo { $modulo } no está sano ({ $comprobacion }): { $motivo }
operations-problem-sla = { $medida } supera su objetivo de { $objetivo } desde hace { $minutos } minutos.
operations-problem-handler = El encargo { $manejador } no ha podido atender el evento { $evento } tras { $intentos } intentos.
    Motivo: { $error }
    Cuando la causa esté resuelta, puede reenviarlo una vez con: yabot events replay { $id }
    (yabot events dead-letters lista los demás de este encargo; el aviso se cierra cuando no quede ninguno.)
operations-problem-inconsistency = La conciliación ha encontrado datos que no cuadran ({ $comprobacion }): { $detalle } Puede revisarlo con yabot reconcile.
operations-handler-waiting = { $eventos ->
    [one] Queda 1 evento fallido de este encargo por reenviar.
   *[other] Quedan { $eventos } eventos fallidos de este encargo por reenviar.
}
