"""Writes for plans, reviews and assignments, one module per concern: ``plans``, ``scheduling``
and ``assignments`` here, the review's state machine in ``reviews.states``, the draw's writes in
``reviews.draw.services``. Each service checks its actor itself (``reviews.rules``).

The names below are the writes other apps, the demo loader, the tests and the benchmarks call to
set up and move a review, from one place; inside reviews, code imports the module that owns each.
"""

from core.errors import StateConflict  # noqa: F401
from reviews.draw.services import DrawInfeasible, batch_draw_reviews, draw_for_review  # noqa: F401
from reviews.draw.verify import verify_draw  # noqa: F401
from reviews.services.assignments import accept_assignment  # noqa: F401
from reviews.services.plans import MAX_DOCUMENT_BYTES, add_plan_version, check_document, create_plan  # noqa: F401
from reviews.services.scheduling import create_review, set_chair  # noqa: F401
from reviews.states import transition  # noqa: F401
