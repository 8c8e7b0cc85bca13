# The mochila: /mochila, an item up close, using and combining, and Diana's gifts.
# Button texts are plain text (no tags); Telegram shows them as written.

inventory-command-mochila = Abrir su mochila: objetos y pistas

-mochila = mochila

## The list

inventory-list-header = Permítame abrir su { -mochila }, <b>{ $nombre }</b>. Guarda { $total ->
        [one] un objeto
       *[other] { $total } objetos distintos
    }:

inventory-list-empty = Su { -mochila } está vacía por ahora, { $nombre }. Cuando Diana o la historia le confíen algún objeto o alguna pista, lo guardaré aquí con todo cuidado.

# One line per item; $tipo is «pista» or «objeto» (inventory-kind-*).
inventory-list-line = • <b>{ $objeto }</b> × { $cantidad } · <i>{ $tipo }</i>
inventory-list-line-vip = • <b>{ $objeto }</b> × { $cantidad } · <i>{ $tipo }</i> · VIP
inventory-list-line-retired = • { $objeto } × { $cantidad } · <i>ya no figura en el catálogo</i>

inventory-list-hint = Pulse cualquiera de ellos para examinarlo de cerca.

inventory-list-page = <i>Página { $pagina } de { $paginas }</i>

inventory-kind-pista = pista
inventory-kind-objeto = objeto

## One item

inventory-item = <b>{ $objeto }</b> · <i>{ $tipo }</i>

    { $descripcion }

    { $cantidad ->
        [0] Ya no le queda ninguna unidad en su { -mochila }.
        [one] Conserva una unidad en su { -mochila }.
       *[other] Conserva { $cantidad } unidades en su { -mochila }.
    }

inventory-item-vip = <i>Reservado a quienes acompañan a Diana en el canal VIP.</i>

inventory-use-confirm = ¿Desea usted usar <b>{ $objeto }</b>? Una vez que lo use, Lucien se lo guardará y ya no estará en su { -mochila }.

inventory-used-pista = Lucien despliega <b>{ $objeto }</b> y se la lee en voz baja:

    <i>{ $descripcion }</i>

    Después la guarda bajo llave, lejos de miradas indiscretas. { $quedan ->
        [0] Ya no queda ninguna en su { -mochila }.
        [one] Aún conserva una en su { -mochila }.
       *[other] Aún conserva { $quedan } en su { -mochila }.
    }

inventory-used-objeto = Lucien recibe <b>{ $objeto }</b> con una leve reverencia:

    <i>{ $descripcion }</i>

    Queda en buenas manos. { $quedan ->
        [0] Ya no queda ninguno en su { -mochila }.
        [one] Aún conserva uno en su { -mochila }.
       *[other] Aún conserva { $quedan } en su { -mochila }.
    }

## Combining

inventory-combine-choose = ¿Con qué desea combinar <b>{ $objeto }</b>? Esto es lo que podría unirse a ello:

inventory-combine-none = Nada de lo que guarda ahora mismo combina con <b>{ $objeto }</b>. Quizá más adelante, cuando su { -mochila } se llene de nuevos secretos…

inventory-combined = Lucien une con cuidado <b>{ $primero }</b> y <b>{ $segundo }</b>… y ante usted aparece <b>{ $resultado }</b>.

    <i>{ $descripcion }</i>

inventory-stale = Ese objeto ya no existe en la casa de Diana. Abra de nuevo su /mochila, por favor.

## Buttons (plain text)

inventory-button-item = { $objeto } × { $cantidad }
inventory-button-previous = « Anterior
inventory-button-next = Siguiente »
inventory-button-use = Usar
inventory-button-combine = Combinar
inventory-button-back = « Volver a la mochila
inventory-button-back-item = « Volver
inventory-button-confirm-use = Sí, úselo
inventory-button-cancel-use = No, guárdelo
inventory-button-partner = Con { $objeto }
inventory-button-result = Ver { $objeto }

## Diana's gifts (Lucien writes first)

inventory-grant-received = Permítame interrumpirle con una buena noticia, { $nombre }: Diana le envía { $cantidad ->
        [one] <b>{ $objeto }</b>
       *[other] <b>{ $cantidad } × { $objeto }</b>
    }. { $cantidad ->
        [one] Ya lo he guardado
       *[other] Ya los he guardado
    } en su { -mochila }{ $total ->
        [one] .
       *[other] , donde ahora tiene { $total }.
    }

    { $cantidad ->
        [one] Puede examinarlo
       *[other] Puede examinarlos
    } cuando guste con /mochila.

inventory-grant-received-with-note = Permítame interrumpirle con una buena noticia, { $nombre }: Diana le envía { $cantidad ->
        [one] <b>{ $objeto }</b>
       *[other] <b>{ $cantidad } × { $objeto }</b>
    }, con unas palabras: <i>«{ $nota }»</i>

    { $cantidad ->
        [one] Ya lo he guardado
       *[other] Ya los he guardado
    } en su { -mochila }{ $total ->
        [one] .
       *[other] , donde ahora tiene { $total }.
    } { $cantidad ->
        [one] Puede examinarlo
       *[other] Puede examinarlos
    } cuando guste con /mochila.
