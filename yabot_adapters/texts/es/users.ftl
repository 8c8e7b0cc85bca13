# /start: Lucien meets a fan.

users-command-start = Saludar a Lucien

users-greeting-new = Le doy la bienvenida, <b>{ $nombre }</b>.

    Permítame presentarme: soy Lucien, el mayordomo de Diana. Estoy a su servicio para que su estancia en esta casa sea tan grata como usted merece.

users-greeting-gift = Diana le ha dejado <b>{ $regalo } { $regalo ->
        [one] besito
       *[other] besitos
    }</b> como regalo de bienvenida. Me estoy ocupando de { $regalo ->
        [one] depositarlo
       *[other] depositarlos
    } en su cuenta mientras lee estas líneas.

users-greeting-howto = Cuando desee saber cuántos besitos guarda, no tiene más que escribir /saldo. Y si quiere saber todo lo que puedo hacer por usted, escriba /ayuda.

users-greeting-returning = ¡Qué alegría tenerle de vuelta, <b>{ $nombre }</b>!

    Todo sigue en su sitio, tal como lo dejó. Si desea consultar sus besitos, escriba /saldo; del resto me encargo yo.
