from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from experts.backup import restore


class Command(BaseCommand):
    help = "Restore a backup_data directory into this project's EMPTY database and file stores."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        if connection.introspection.table_names():
            raise CommandError("The database is not empty: restore into a new, empty database.")
        manifest = restore(directory)
        self.stdout.write(f"Restored the backup of {manifest['created_at']}.")
