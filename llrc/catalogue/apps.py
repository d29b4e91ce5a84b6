from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete


class CatalogueConfig(AppConfig):
    name = "llrc.catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from llrc.catalogue import services
        from llrc.catalogue.models import ResourceFile

        # A signal rather than a call in each delete: a file row goes with its resource's cascade, from
        # the admin's file inline and from its "delete selected" action, none of which pass through the
        # services. Every one of them must let go of the stored bytes.
        def released(sender: Any, instance: ResourceFile, **kwargs: Any) -> None:
            services.release_deleted_file(instance)

        post_delete.connect(
            released, sender=ResourceFile, weak=False, dispatch_uid="llrc-file-bytes"
        )
