"""Messages of the pure draw modules (``constraints``, ``engine``, ``batch``, ``record``): Django's
``gettext`` when Django is set up, else the English message itself, so that the offline verifier
(``python -m reviews.verify``) runs with no settings at all. Never imports Django on its own."""

import sys


def gettext(message):
    conf = sys.modules.get("django.conf")
    if conf is None or not conf.settings.configured:
        return message
    from django.apps import apps

    if not apps.ready:
        return message
    from django.utils.translation import gettext as django_gettext

    return django_gettext(message)
