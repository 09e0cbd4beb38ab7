"""The per-process fan-out of a live group: one channel-layer member per group per server
process, not one per socket.

With a member per socket, every group message is copied, queued, decoded, dispatched (with a
thread hop to close old database connections) and JSON-encoded once per socket. Here the first
local socket of a group makes the process a member of it (one channel of its own, one task that
reads it); each message that arrives is encoded once and its text handed to every local socket
of the group in turn, in the order it arrived; the last socket to leave ends the membership.
A socket registered before its handshake is accepted holds what arrives until it is.

Only the events a consumer forwards unchanged (``GroupConsumer.forward``) take this path; any
other message type sent to the group goes to that consumer's handler. ``settings.LIVE_FANOUT =
"socket"`` turns it off (each socket a member of the group, as Channels does by default): the
benchmark's comparison (``bench/fanout.py``).
"""

import asyncio
import contextlib
import logging
import weakref

from channels.consumer import get_handler_name

logger = logging.getLogger(__name__)

_GONE = object()
_relays = weakref.WeakKeyDictionary()  # event loop -> {(layer id, group): _Relay}


class _Relay:
    """A group's membership for this process: its channel, the task reading it, the local sockets."""

    def __init__(self, layer, group):
        self.layer, self.group = layer, group
        self.sockets = {}  # consumer -> its backlog (a list until its handshake is accepted, then None)
        self.channel = None
        self.task = None

    async def start(self):
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self):
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.layer.group_discard(self.group, self.channel)

    async def run(self):
        while True:
            message = await self.layer.receive(self.channel)
            try:
                await self.deliver(message)
            except Exception:  # one bad message never stops the group's deliveries
                logger.warning("live message to %s not delivered", self.group, exc_info=True)

    async def deliver(self, message):
        name, text = get_handler_name(message), None
        for consumer in list(self.sockets):
            handler = getattr(consumer, name, None)
            if getattr(handler, "__func__", None) is not getattr(type(consumer), "forward", None):
                if handler is not None:
                    await handler(message)
                continue
            if text is None:
                text = await consumer.encode_json(message["event"])
            backlog = self.sockets.get(consumer, _GONE)  # looked up now: it may have been accepted or left
            if backlog is None:
                try:
                    await consumer.send(text_data=text)
                except Exception:  # a socket closing as it is written to; the others still get it
                    logger.debug("live message to a closing socket dropped", exc_info=True)
            elif backlog is not _GONE:
                backlog.append(text)


def _registry():
    return _relays.setdefault(asyncio.get_running_loop(), {"lock": asyncio.Lock(), "groups": {}})


async def join(layer, group, consumer):
    """Register ``consumer`` (not yet accepted) for ``group``'s messages in this process."""
    registry = _registry()
    async with registry["lock"]:
        relay = registry["groups"].get((id(layer), group))
        if relay is None:
            relay = _Relay(layer, group)
            await relay.start()
            registry["groups"][(id(layer), group)] = relay
        relay.sockets[consumer] = []


async def accepted(layer, group, consumer):
    """``consumer``'s handshake is accepted: send what it held, then hand it messages directly."""
    relay = _registry()["groups"].get((id(layer), group))
    backlog = relay.sockets.get(consumer) if relay is not None else None
    while backlog:
        await consumer.send(text_data=backlog.pop(0))
    if relay is not None and consumer in relay.sockets:
        relay.sockets[consumer] = None


async def leave(layer, group, consumer):
    """``consumer`` no longer hears ``group``; the process leaves the group with its last socket."""
    registry = _registry()
    async with registry["lock"]:
        relay = registry["groups"].get((id(layer), group))
        if relay is None or relay.sockets.pop(consumer, False) is False or relay.sockets:
            return
        del registry["groups"][(id(layer), group)]
        await relay.stop()
