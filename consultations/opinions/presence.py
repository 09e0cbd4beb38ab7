"""Who is on a review's channel: one ``Presence`` row per open socket, and ``presence`` events
that say so, coalesced.

The coalescing rule. A join or a leave writes its row at once and never waits on a broadcast.
The review's ``presence`` event (the full list of who is here, in the review's event log with
its ``seq``, ``reviews.events``) goes out at most once per window (``PRESENCE_WINDOW_SECONDS``,
1 s) per review, across every server process, and the last one after a burst holds the true
list. Two keys in the shared cache (Redis on the PostgreSQL + Redis stack, process memory on the
embedded default) carry it: *pending* says a change is not yet announced, *window* is claimed
with ``cache.add`` by the one emitter of the current window. An emitter clears *pending* before
it reads the list, and a change is committed before it sets *pending*, so every change is either
in an event already sent or still pending; the process that saw it pending but could not claim
the window tries again when the window ends (one timer per review per process).

The sweep. Each server process has a token (host, pid, random) and a ``PresenceServer`` row
whose ``seen_at`` it refreshes every ``HEARTBEAT_SECONDS``; its sockets' rows carry the token.
When a server starts (the ASGI lifespan start-up, or its first socket on a server without
lifespan, such as daphne) and at every heartbeat, rows whose process has not been seen for
``STALE_SECONDS`` are deleted and their reviews announced. With the in-memory channel layer
there is one process by construction, so every row that is not its own is a leftover.

Who is here names the panel: the event lists user ids, and a reader who may not see the panel
(``reviews.rules.can_see_panel``: the plan's department, the commission before the close)
receives it as a ``count`` only (``reviews.events.without_panel``, applied by the consumer and
the events endpoint), so a department in the room never learns which experts are.
"""

import asyncio
import logging
import os
import socket
import threading
import time
import uuid
import weakref
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from consultations.opinions.models import Presence, PresenceServer
from reviews import events as review_events
from reviews.models import Review

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
STALE_SECONDS = 45  # a process unseen this long is gone (several missed heartbeats)
PENDING_SECONDS = 300  # a pending mark outlives any window; a live process clears it sooner


def window_seconds():
    return int(getattr(settings, "PRESENCE_WINDOW_SECONDS", 1))


def pending_key(review_id):
    return f"presence:pending:{review_id}"


def window_key(review_id):
    return f"presence:window:{review_id}"


# ---------------------------------------------------------------- the server process

_server = {"pid": None, "token": "", "started": False}
_server_lock = threading.Lock()


def server_token():
    """This process's token (made anew after a fork)."""
    if _server["pid"] != os.getpid():
        _server.update(
            pid=os.getpid(), started=False, token=f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        )
    return _server["token"]


def beat():
    """Record that this process is alive."""
    PresenceServer.objects.update_or_create(token=server_token(), defaults={"seen_at": timezone.now()})


def _single_process():
    return settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def sweep():
    """Delete the presence rows of server processes that are gone; return their review ids (to
    announce). Gone: heartbeat older than ``STALE_SECONDS``, or, with the in-memory channel layer
    (one process), any process but this one."""
    token = server_token()
    if _single_process():
        gone = PresenceServer.objects.exclude(token=token)
        stale = Presence.objects.exclude(server=token)
    else:
        gone = PresenceServer.objects.filter(seen_at__lt=timezone.now() - timedelta(seconds=STALE_SECONDS))
        live = PresenceServer.objects.filter(seen_at__gte=timezone.now() - timedelta(seconds=STALE_SECONDS))
        stale = Presence.objects.exclude(server__in=live.values("token"))
    reviews = set(stale.values_list("review_id", flat=True))
    stale.delete()
    gone.exclude(token=token).delete()
    return reviews


def start():
    """A server process starts: its first heartbeat, then the sweep. Returns the reviews whose
    presence the sweep changed (to announce)."""
    server_token()
    with _server_lock:
        beat()
        reviews = sweep()
        _server["started"] = True
        return reviews


def ensure_started():
    """``start`` once per process, before its first row (servers without the ASGI lifespan)."""
    server_token()
    return set() if _server["started"] else start()


# ---------------------------------------------------------------- rows and events (sync)


def present_users(review_id):
    return sorted(set(Presence.objects.filter(review_id=review_id).values_list("user_id", flat=True)))


def arrive(user, review_id, channel_name):
    """Record an open socket (after the process's start-up sweep); returns reviews to announce."""
    reviews = ensure_started()
    row = Presence(channel_name=channel_name, review_id=review_id, user=user, server=server_token())
    Presence.objects.bulk_create(  # one statement (an upsert): joins are many
        [row], update_conflicts=True, unique_fields=["channel_name"], update_fields=["review", "user", "server"]
    )
    return reviews | {review_id}


def depart(channel_name):
    Presence.objects.filter(channel_name=channel_name).delete()


def changed(review_id):
    """The review's presence changed (committed): mark it pending and emit if the window is free.
    Returns the seconds after which to try again, or ``None`` when nothing is left to do here."""
    cache.set(pending_key(review_id), 1, PENDING_SECONDS)
    return flush(review_id)


def flush(review_id):
    """Emit the review's pending presence if this caller wins the window (``changed``)."""
    if cache.get(pending_key(review_id)) is None:
        return None
    now = time.time()
    window = window_seconds()
    if not cache.add(window_key(review_id), now + window, window):
        until = cache.get(window_key(review_id))
        return max(0.05, (until or now) - now + 0.01)
    if not cache.delete(pending_key(review_id)):
        return None  # another emitter took it in between; its list is at least as new
    review = Review.objects.filter(pk=review_id).first()
    if review is not None:
        with transaction.atomic():
            review_events.emit_review_event(review, "presence", users=present_users(review_id))
    return None


# ---------------------------------------------------------------- in the server's event loop

_loops = weakref.WeakKeyDictionary()  # event loop -> its timers and tasks
_in_thread = database_sync_to_async  # thread-sensitive: the consumers' one database thread


def _state():
    loop = asyncio.get_running_loop()
    return _loops.setdefault(loop, {"timers": {}, "dirty": set(), "tasks": set(), "heartbeat": None})


def _spawn(function, review_id):
    state = _state()
    task = asyncio.get_running_loop().create_task(_run(function, review_id))
    state["tasks"].add(task)
    task.add_done_callback(state["tasks"].discard)


async def _run(function, review_id):
    try:
        delay = await _in_thread(function)(review_id)  # the one database thread: no second writer
    except Exception:  # a broken cache or layer pauses presence; it never fails a socket
        logger.warning("presence of review %s not announced", review_id, exc_info=True)
        return
    if delay is not None:
        _retry_later(review_id, delay)


def _retry_later(review_id, delay):
    state, loop = _state(), asyncio.get_running_loop()
    if review_id in state["timers"]:
        return

    def fire():
        state["timers"].pop(review_id, None)
        was_dirty = review_id in state["dirty"]
        state["dirty"].discard(review_id)
        _spawn(changed if was_dirty else flush, review_id)

    state["timers"][review_id] = loop.call_later(delay, fire)


def announce(review_id):
    """Tell the review's group, without waiting, that its presence changed (``changed``); a
    change while this process already waits for the window joins that wait."""
    state = _state()
    if review_id in state["timers"]:
        state["dirty"].add(review_id)
        return
    _spawn(changed, review_id)


def _keep_beating():
    state, loop = _state(), asyncio.get_running_loop()
    if state["heartbeat"] is not None or _single_process():  # one process: nobody else to sweep for
        return

    async def heartbeat():
        try:
            await _in_thread(beat)()
            for review_id in await _in_thread(sweep)():
                announce(review_id)
        except Exception:
            logger.warning("presence heartbeat failed", exc_info=True)
        state["heartbeat"] = loop.call_later(HEARTBEAT_SECONDS, lambda: _spawn_heartbeat(heartbeat))

    def _spawn_heartbeat(coroutine_function):
        task = loop.create_task(coroutine_function())
        state["tasks"].add(task)
        task.add_done_callback(state["tasks"].discard)

    state["heartbeat"] = loop.call_later(HEARTBEAT_SECONDS, lambda: _spawn_heartbeat(heartbeat))


async def joined(user, review_id, channel_name):
    """A socket opened on the review's channel (``ReviewConsumer``)."""
    for changed_review in await _in_thread(arrive)(user, review_id, channel_name):
        announce(changed_review)
    _keep_beating()


async def left(review_id, channel_name):
    """A socket on the review's channel closed."""
    await _in_thread(depart)(channel_name)
    announce(review_id)


async def server_started():
    """The ASGI lifespan start-up (``config.asgi``): the sweep before any socket arrives."""
    for review_id in await _in_thread(start)():
        announce(review_id)
    _keep_beating()
