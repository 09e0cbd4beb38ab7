"""The portal shell's registries: each app contributes "my tasks" sections and navigation
links for the roles it serves, so the shell knows no app's rules.

A section is a dict: ``title``, ``items`` (each with ``title``, ``url``, ``meta``), ``empty``
(what to say when there is nothing). Apps register a provider with ``@task_provider``.
"""

from django.utils.translation import gettext_lazy as _

_providers = []
_nav = []


def nav_item(func):
    """Register ``func(user) -> [{"title", "url"}]`` for the portal's navigation."""
    _nav.append(func)
    return func


def nav_for(user):
    return [item for func in _nav for item in func(user)]


def task_provider(func):
    _providers.append(func)
    return func


def tasks_for(user):
    sections = []
    for provider in _providers:
        sections.extend(provider(user))
    if not sections:
        sections.append(
            {
                "title": _("My tasks"),
                "items": [],
                "empty": _("Nothing is waiting for you. New invitations and requests will appear here."),
            }
        )
    return sections
