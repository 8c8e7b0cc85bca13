# Logros: /logros, and Lucien's celebration when one is unlocked.

achievements-command-logros = Ver sus logros y los que tiene cerca

achievements-header = Permítame mostrarle sus logros, <b>{ $nombre }</b>. { $total ->
        [0] Aún no ha desbloqueado ninguno, pero algunos los tiene muy cerca.
        [one] Ya tiene uno.
       *[other] Ya tiene { $total }.
    }

achievements-none = Por ahora Diana no ha preparado logros, { $nombre }. En cuanto los haya, se los enseñaré aquí.

achievements-unlocked-list = <b>Desbloqueados</b>
    { $logros }

achievements-unlocked-line = 🏅 { $logro }

achievements-next = <b>Los próximos</b>
    { $logros }

# One logro still to come: $barra is ▰▰▱▱…
achievements-next-line = <b>{ $logro }</b>
    <i>{ $descripcion }</i>
    { $barra } { $progreso }/{ $objetivo }

achievements-unlocked = ¡Enhorabuena, { $nombre }! Ha desbloqueado el logro <b>{ $logro }</b>. { $besitos ->
        [0] Diana estará orgullosa.
        [one] Le abono <b>un besito</b> en su cuenta.
       *[other] Le abono <b>{ $besitos } besitos</b> en su cuenta.
    }

achievements-unlocked-with-item = ¡Enhorabuena, { $nombre }! Ha desbloqueado el logro <b>{ $logro }</b>. { $besitos ->
        [0] Su recompensa
        [one] Le abono <b>un besito</b> y su recompensa,
       *[other] Le abono <b>{ $besitos } besitos</b> y su recompensa,
    } <b>{ $cantidad ->
        [one] { $objeto }
       *[other] { $cantidad } × { $objeto }
    }</b>, ya está en su mochila.
