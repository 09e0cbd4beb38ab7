from django.core.management.base import BaseCommand

from experts import services


class Command(BaseCommand):
    help = "Turn experts whose term of appointment has ended into 'expired' (run daily)."

    def handle(self, *args, **options):
        changed = services.expire_terms()
        for expert in changed:
            self.stdout.write(f"{expert.key} {expert.name}: {expert.term_end}")
        self.stdout.write(self.style.SUCCESS(f"{len(changed)} expired"))
