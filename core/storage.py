"""Where private files live: plan documents, attachments, generated documents. Streamed only
after a permission check, never served as media."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
