"""``manage.py load_demo``: every app's demo data, each after the apps it builds on (the roster,
reviews, opinions, the meeting's agenda, the site, consolidations, proposals, consultations), in one transaction."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cms import demo as cms_demo
from consultations.consolidation import demo as consolidation_demo
from consultations.inquiries import demo as consultation_demo
from consultations.meetings import demo as meetings_demo
from consultations.opinions import demo as opinions_demo
from consultations.proposals import demo as proposal_demo
from experts import demo as experts_demo
from experts.demo_accounts import demo_password
from reviews import demo as reviews_demo


class Command(BaseCommand):
    help = "Load the demo data drawn from the source document. Idempotent: a second run adds nothing twice."

    def handle(self, *args, **options):
        password = demo_password()
        with transaction.atomic():
            experts_demo.load(password)
            reviews_demo.load(password)
            opinions_demo.load(password)
            meetings_demo.load(password)
            cms_demo.load(password)
            consolidation_demo.load(password)
            proposal_demo.load(password)
            consultation_demo.load(password)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
