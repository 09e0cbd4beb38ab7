"""The roster's API (docs/api.md), one module per resource: ``tokens`` (sign-in for scripts),
``organizations`` (domains and organisations), ``experts`` (the roster and one expert),
``records`` (an expert's history and declared conflicts); ``serializers`` shapes what they
answer. ``config/api.py`` routes them. Who may do what is ``experts.rules`` (and
``experts.privacy`` for contact details)."""
