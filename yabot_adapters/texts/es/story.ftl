# The story: /historia, its scenes and buttons, the VIP gate, and Lucien's word when a fan becomes VIP.
# Button texts are plain text (no tags); Telegram shows them as written.

story-command-historia = Continuar la historia donde la dejó

## A scene: the fragment's title, who tells it, its text ($texto arrives escaped)

story-scene = <b>{ $titulo }</b>

    { $texto }

story-scene-diana = <b>{ $titulo }</b> · <i>habla Diana</i>

    { $texto }

story-scene-vip = <i>Pasaje reservado al círculo VIP. Lo que aquí se lee, aquí se queda.</i>

story-scene-ending = <i>Fin de «{ $historia }».</i> Ha sido un honor acompañarle, { $nombre }. Si desea recorrer la casa de nuevo, pulse el botón.

# Under a scene with a choice closed to a free fan by VIP.
story-scene-vip-invite = 🔒 Permítame una confidencia, { $nombre }: alguna de estas puertas solo se abre para el círculo VIP de Diana. Si desea cruzarla, /vip le espera.

## What the step did

story-given-pista = Lucien le entrega una pista: <b>{ $objeto }</b>. La encontrará en su mochila (/mochila).
story-given-objeto = Lucien guarda en su mochila: <b>{ $objeto }</b>{ $cantidad ->
        [one] {""}
       *[other] {" "}× { $cantidad }
    }.
story-given-besitos = { $besitos ->
        [one] Un besito más para usted.
       *[other] { $besitos } besitos más para usted.
    }

## Buttons

# A choice the fan cannot take yet: 🔒 before its text.
story-choice-locked = 🔒 { $texto }
story-restart = Empezar de nuevo

## Answers to a button (alerts)

story-vip-gate = Ese pasaje está reservado a quienes acompañan a Diana en su círculo VIP, { $nombre }. Si desea unirse, /vip le abrirá la puerta; yo le guardaré el sitio aquí mismo.

story-no-story = Diana aún no ha escrito ninguna historia, { $nombre }. Vuelva pronto, se lo ruego.

## Lucien, when a fan waiting at a VIP gate becomes VIP ($historia, $pasaje: titles)

story-vip-can-continue = { $nombre }, la cortina se ha descorrido para usted. Ya puede seguir «{ $historia }» desde «{ $pasaje }»: escriba /historia y le acompaño.

## /pistas: the pistas the fan keeps, and the pairs the mochila can combine ($objeto, $primero, $segundo: names)

story-command-pistas = Sus pistas y cómo combinarlas
story-pistas = { $nombre }, estas son las pistas que ha ido reuniendo en la casa:
story-pistas-line = · <b>{ $objeto }</b>{ $cantidad ->
        [one] {""}
       *[other] {" "}× { $cantidad }
    }
story-pistas-can-combine = Algunas encajan entre sí. Si desea unirlas, pulse el botón; las guardo juntas en su mochila.
story-pistas-cannot-combine = Ninguna encaja todavía con otra. Siga buscando: la casa guarda más de lo que enseña.
story-pistas-none = Aún no guarda ninguna pista, { $nombre }. La historia (/historia) se las irá dando.
story-pistas-combine = Unir «{ $primero }» y «{ $segundo }»
