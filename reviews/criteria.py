"""A review's scoring criteria: stored as keys, named in the reader's language when shown.

A criterion is ``{"key", "max"}``, with a ``label`` only when the secretariat named it: a
criterion of its own (``extra1``: "创新性"), or its own wording of a known one. The known keys
(necessity, feasibility, soundness) carry their names here, as gettext strings; ``label`` is the
one place a criterion's name is decided, for the pages (through the ``criteria`` template
filters), the API, the consolidation, its documents and charts.
"""

from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

DEFAULT_MAX = 10
KNOWN = {
    "necessity": gettext_lazy("Necessity"),
    "feasibility": gettext_lazy("Feasibility"),
    "soundness": gettext_lazy("Scientific soundness"),
}


def defaults():
    """The criteria of a new review: the known keys, each scored 0 to 10, no label stored."""
    return [{"key": key, "max": DEFAULT_MAX} for key in KNOWN]


@cache
def _wordings(key):
    """Every wording of a known criterion's name: its label in each language of the site (a
    stored "Necessity" or "必要性" is the known name, not one of the secretariat's own)."""
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(KNOWN[key]))
    return frozenset(names)


def label(criterion):
    """The name of ``criterion`` in the active language: a known key's translated name unless the
    secretariat gave it a wording of its own; a criterion of the secretariat's own keeps its
    label; the key when there is nothing else."""
    if not isinstance(criterion, dict):
        return str(criterion)
    key = str(criterion.get("key") or "")
    own = str(criterion.get("label") or "").strip()
    if key in KNOWN and (not own or own in _wordings(key)):
        return str(KNOWN[key])
    return own or key


def label_of(criteria, key):
    """The name of the criterion ``key`` among ``criteria`` (a review's), or of the key alone."""
    found = next((c for c in criteria or [] if isinstance(c, dict) and c.get("key") == key), None)
    return label(found or {"key": key})


def shown(criteria):
    """``criteria`` as shown to a reader (the API, the archive): each with its ``label``."""
    return [{**c, "label": label(c)} for c in criteria or [] if isinstance(c, dict)]
