# Reactions: the notices a fan sees when pressing a reaction button under one of Diana's posts.
# They are shown in Telegram's small pop-up, as plain text (no HTML).

reactions-thanks = { $besitos ->
        [0] Reacción anotada. Diana la verá.
        [one] Reacción anotada: un besito más en su cuenta.
       *[other] Reacción anotada: { $besitos } besitos más en su cuenta.
    }

# A special reaction also gives an item (usually a pista).
reactions-thanks-item = { $besitos ->
        [0] Reacción anotada.
        [one] Reacción anotada: un besito más.
       *[other] Reacción anotada: { $besitos } besitos más.
    } Y algo para su mochila: { $cantidad ->
        [one] { $objeto }
       *[other] { $cantidad } × { $objeto }
    }.

reactions-capped = Reacción anotada. Por hoy ya no puedo sumarle más besitos por reaccionar; mañana, con gusto.

reactions-changed = Reacción cambiada a { $reaccion }. Los besitos de esta publicación ya los tenía.

reactions-removed = Reacción retirada. Los besitos que ganó con ella siguen siendo suyos.

reactions-gone = Esa reacción ya no está disponible.
