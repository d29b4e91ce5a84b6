from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "llrc.search"
    verbose_name = "Search"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from llrc.search.services import forget_concept_words
        from llrc.vocabularies.models import Concept

        # Query words are matched against the concepts' labels in a table of this process
        # (search.concept_words): an edited label is found by its new words from the next search.
        post_save.connect(forget_concept_words, sender=Concept, dispatch_uid="llrc-concept-words")
        post_delete.connect(forget_concept_words, sender=Concept, dispatch_uid="llrc-concept-words")
