from django.core.management.base import BaseCommand

from experts.backup import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a directory (see docs/security.md)."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        manifest = backup(directory)
        self.stdout.write(f"Backup written to {directory}: {manifest['database']}, files.tar, manifest.json")
