# Scheduled posts: what Lucien tells the admins when a post could not be published.

posts-failed = Lamento comunicarle que una publicación programada no ha salido.

    Publicación <code>{ $id }</code> para el canal { $canal }: { $estado }.
    Motivo: <i>{ $error }</i>

    Revise el canal y, si hace falta, prográmela de nuevo con <code>yabot posts schedule</code>.
