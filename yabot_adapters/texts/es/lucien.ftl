# Lucien's messages to the creator and her admins.

lucien-handler-gave-up = Lamento comunicarle un contratiempo en la casa.

    El encargo <code>{ $manejador }</code> no ha podido atender el evento <code>{ $evento }</code> tras { $intentos } intentos.
    Motivo: <i>{ $error }</i>

    Cuando la causa esté resuelta, puede reenviarlo una vez con:
    <code>yabot events replay { $id }</code>
