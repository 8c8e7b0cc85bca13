# Missions: /misiones, and Lucien's celebration when one is done.

missions-command-misiones = Ver sus misiones y cuánto le falta

missions-header = Permítame repasar sus encargos, <b>{ $nombre }</b>.

missions-none = Por ahora no tiene usted misiones, { $nombre }. Cuando Diana le confíe alguna, se la anotaré aquí.

missions-active = <b>En curso</b>
    { $misiones }

# One mission under way: $barra is ▰▰▱▱…, $tipo is unica, diaria or semanal.
missions-active-line = <b>{ $mision }</b>{ $tipo ->
        [diaria] { " " }· <i>de hoy</i>
        [semanal] { " " }· <i>de esta semana</i>
       *[other] {""}
    }
    <i>{ $descripcion }</i>
    { $barra } { $progreso }/{ $objetivo }

missions-completed-list = <b>Cumplidas</b>
    { $misiones }

missions-done-line = ✓ { $mision }

missions-completed = ¡Bravo, { $nombre }! Ha cumplido la misión <b>{ $mision }</b>. { $besitos ->
        [0] Diana lo sabrá hoy mismo.
        [one] Le abono <b>un besito</b> en su cuenta.
       *[other] Le abono <b>{ $besitos } besitos</b> en su cuenta.
    }

missions-completed-with-item = ¡Bravo, { $nombre }! Ha cumplido la misión <b>{ $mision }</b>. { $besitos ->
        [0] Su recompensa
        [one] Le abono <b>un besito</b> y su recompensa,
       *[other] Le abono <b>{ $besitos } besitos</b> y su recompensa,
    } <b>{ $cantidad ->
        [one] { $objeto }
       *[other] { $cantidad } × { $objeto }
    }</b>, ya está en su mochila.
