"""``python manage.py batch_draw REVIEW_ID [REVIEW_ID ...] --by USERNAME`` (or ``--all-waiting``):
the batch draw of ``reviews.draw.services.batch_draw_reviews`` from a shell. Prints each review's
panel and the batch's seed; a refusal goes to stderr with exit code 1, and nothing is written."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import StateConflict
from core.rest import MAX_ID
from reviews.draw import selectors, services
from reviews.draw.commitment import check_actor


def _review_id(value):
    if not (value.isascii() and value.isdigit() and len(value) <= 19) or not 1 <= int(value) <= MAX_ID:
        raise CommandError(_("“{value}” is not a review id.").format(value=value))
    return int(value)


class Command(BaseCommand):
    help = (
        "Draw the panels of several reviews waiting for a panel at once (one integer program, all or "
        "nothing, unwitnessed), as the secretariat user named by --by; print each panel and the seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("reviews", nargs="*", metavar="REVIEW_ID")
        parser.add_argument("--all-waiting", action="store_true", help="Every review waiting for a panel.")
        parser.add_argument("--by", required=True, metavar="USERNAME", help="The secretariat user who draws.")

    def handle(self, *args, reviews, all_waiting, by, **options):
        if all_waiting == bool(reviews):
            raise CommandError(_("Name the reviews, or give --all-waiting (not both)."))
        user = get_user_model().objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user “{username}”.").format(username=by))
        try:
            check_actor(user)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        ids = (
            list(selectors.reviews_waiting_for_panel().values_list("pk", flat=True))
            if all_waiting
            else [_review_id(value) for value in reviews]
        )
        if all_waiting and not ids:
            raise CommandError(_("No review is waiting for a panel."))
        found, refusals = selectors.batch_refusals(ids)
        if refusals:
            raise CommandError("\n".join([_("Nothing was drawn."), *(refusal.message for refusal in refusals)]))
        try:
            draws, stats = services.batch_draw_reviews(found, by=user)
        except services.DrawInfeasible as error:  # the batch as a whole: the load caps cannot fill it
            raise CommandError("\n".join([_("Nothing was drawn."), *error.messages])) from None
        except StateConflict as error:  # another draw took a review meanwhile
            raise CommandError("\n".join([_("Nothing was drawn."), error.message])) from None
        self._print(found, draws, stats)

    def _print(self, reviews, draws, stats):
        panels = selectors.panels_of(draws)
        by_review = {draw.review_id: draw for draw in draws}
        for review in reviews:
            draw = by_review[review.pk]
            names = ", ".join(f"{expert_id} {name}" for expert_id, name in panels[draw.pk])
            self.stdout.write(
                _("{review}, draw {draw}, panel ({count}): {names}").format(
                    review=selectors.review_label(review), draw=draw.pk, count=len(panels[draw.pk]), names=names
                )
            )
        self.stdout.write(_("Batch {batch}, unwitnessed, seed {seed}").format(batch=draws[0].batch, seed=draws[0].seed))
        seconds = f"{stats['total_s']:.1f}"
        self.stdout.write(_("{count} panels drawn in {seconds} s.").format(count=len(draws), seconds=seconds))
