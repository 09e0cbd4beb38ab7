"""Every route the project serves, read from the URL resolver and config/routing.py."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

# Covered by role-level rules instead of route by route (test_permission_matrix.py).
ADMIN_PREFIXES = ("admin/", "django-admin/")
KWARG = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def http_routes():
    """``{url name: route}`` for every HTTP route outside the two admins."""
    return {name: route for route, name in _walk(get_resolver().url_patterns) if not route.startswith(ADMIN_PREFIXES)}


def admin_routes(*prefixes):
    """The routes of the two admins under ``prefixes`` (crawls that look into the back office)."""
    return [route for route, _name in _walk(get_resolver().url_patterns) if route.startswith(prefixes)]


def socket_routes():
    from config.routing import websocket_urlpatterns

    return [str(pattern.pattern) for pattern in websocket_urlpatterns]


def route_kwargs(route):
    return KWARG.findall(route)


def fill(route, values):
    """``route`` with each ``<conv:name>`` replaced by ``values[name]``, as an absolute path."""
    return "/" + KWARG.sub(lambda match: str(values[match.group(1)]), route)
