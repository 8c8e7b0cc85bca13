# The bot's own words, outside any module: the command list, what it did not understand, its apologies.
# Lucien is Diana's butler: elegant, warm, slightly formal, always "usted", discreet, with a touch of wit.

bot-menu-line = /{ $orden } — { $descripcion }

bot-help = A su servicio, { $nombre }. Esto es lo que puedo hacer por usted:

    { $ordenes }

bot-unknown-command = Me temo que esa orden no figura entre mis atribuciones, { $nombre }. Puedo ofrecerle:

    { $ordenes }

bot-not-understood = Le escucho con atención, { $nombre }, aunque por ahora solo sé atender estas peticiones:

    { $ordenes }

bot-command-ayuda = Ver todo lo que Lucien puede hacer por usted

bot-refused = Le ruego que me disculpe: no he podido atender su petición.

    <i>{ $motivo }</i>

bot-unavailable = Le ruego que me disculpe: en este preciso momento no puedo atender su petición.

    <i>{ $motivo }</i>

bot-unexpected = Le ruego que me disculpe: algo se ha torcido entre bastidores y no he podido atender su petición. Ya he dado aviso para que se revise; si lo desea, inténtelo de nuevo en unos instantes.

# Someone writes (or presses buttons) faster than YABOT_TELEGRAM_USER_RATE allows: said once, then a pause.
bot-too-fast = Permítame un respiro, { $nombre }: me llegan sus mensajes más deprisa de lo que puedo atenderlos con el esmero que usted merece. Le ruego que aguarde unos segundos antes de escribirme de nuevo; lo que me envíe entretanto quedará sin respuesta.

# The same, as the brief notice of a pressed button (plain text, at most 200 characters).
bot-too-fast-button = Permítame un respiro, { $nombre }: aguarde unos segundos antes de volver a pulsar, se lo ruego.
