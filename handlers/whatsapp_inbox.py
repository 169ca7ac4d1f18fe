"""From a WhatsApp webhook to handled messages: split, store, then handle per owner in order.

A webhook may carry several messages and statuses (Meta batches them); `split_update` cuts it
into one update per message, in the shape Meta sends (so pywa reads each on its own), and the
statuses. The webhook is answered once those are stored; `Dispatcher` then handles the stored
messages: one owner's strictly in order, different owners' concurrently (a bounded number at
once). Pure parsing and scheduling, no pywa.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.storage.inbox import Inbox, InboxMessage, Status

log = logging.getLogger(__name__)
STOP_TIMEOUT = 10.0  # seconds a stopping bot lets messages being handled finish


@dataclass(frozen=True)
class Split:
    """What one webhook brought for our number."""

    messages: tuple[tuple[str, str, str], ...]  # (message id, owner key, one-message update)
    statuses: tuple[Status, ...]
    foreign: int = 0  # changes for another phone number id, ignored


def _moment(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _contact_of(message: dict[str, Any], contacts: list[Any]) -> dict[str, Any] | None:
    sender = message.get("from")
    for contact in contacts:
        if isinstance(contact, dict) and (contact.get("wa_id") == sender or (
                contact.get("user_id") and contact.get("user_id") == message.get("from_user_id"))):
            return contact
    first = contacts[0] if contacts else None
    return first if isinstance(first, dict) else None


def split_update(update: Any, phone_number_id: str) -> Split:
    """Cut a webhook body (parsed JSON) into one update per message, and its statuses."""
    messages: list[tuple[str, str, str]] = []
    statuses: list[Status] = []
    foreign = 0
    entries = update.get("entry") if isinstance(update, dict) else None
    for entry in entries if isinstance(entries, list) else ():
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else ():
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict) or change.get("field") != "messages":
                continue
            metadata = value.get("metadata") or {}
            if str(metadata.get("phone_number_id", "")) != phone_number_id:
                foreign += 1
                continue
            contacts = value.get("contacts") if isinstance(value.get("contacts"), list) else []
            for message in value.get("messages") or ():
                if not isinstance(message, dict) or not message.get("id"):
                    continue
                contact = _contact_of(message, contacts)
                if contact is None:
                    continue
                contact = dict(contact)
                # Before Meta's business-scoped ids reach an account, a contact has no
                # user_id; the phone number then serves as the owner's id (pywa needs one).
                contact.setdefault("user_id", contact.get("wa_id") or message.get("from"))
                if not contact["user_id"]:
                    continue
                one = {"object": update.get("object", "whatsapp_business_account"),
                       "entry": [{"id": entry.get("id"), "changes": [{"field": "messages",
                                  "value": {**{k: v for k, v in value.items()
                                               if k not in ("messages", "statuses", "contacts")},
                                            "contacts": [contact], "messages": [message]}}]}]}
                messages.append((str(message["id"]), str(contact["user_id"]),
                                 json.dumps(one, ensure_ascii=False, separators=(",", ":"))))
            user_ids = [c.get("user_id") for c in contacts if isinstance(c, dict)]
            for status in value.get("statuses") or ():
                if not isinstance(status, dict) or not status.get("id"):
                    continue
                errors = tuple(
                    {"code": e.get("code"), "title": e.get("title"), "message": e.get("message"),
                     "details": (e.get("error_data") or {}).get("details")}
                    for e in status.get("errors") or () if isinstance(e, dict))
                recipient = status.get("recipient_user_id") or (user_ids[0] if user_ids else None)
                statuses.append(Status(str(status["id"]), str(status.get("status", "")),
                                       _moment(status.get("timestamp")), recipient, errors))
    return Split(tuple(messages), tuple(statuses), foreign)


class Writer:
    """Inbox writes in as few transactions as possible: whatever webhooks and handled messages
    arrive while one transaction commits goes into the next one together.

    Every write waits for its own commit (a webhook is answered 200 only after it), so nothing is
    acknowledged early; under load a commit carries many writes, and the database, which every
    owner's answer also needs, is taken far less often (a transaction of its own per message
    and per mark cost a fifth of the throughput, measured side by side).
    """

    def __init__(self, inbox: Inbox, channel: str, clock: Callable[[], datetime]) -> None:
        self.inbox, self.channel, self.clock = inbox, channel, clock
        self._waiting: list[tuple[Split | None, int | None, asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None

    def _queue(self, split: Split | None, handled: int | None) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((split, handled, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        return future

    async def store(self, split: Split) -> list[InboxMessage]:
        """Keep a webhook's messages and statuses; the messages that are new."""
        return await self._queue(split, None)

    async def done(self, message: InboxMessage) -> None:
        """Mark a message handled."""
        await self._queue(None, message.id)

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            splits = [s for s, _h, _f in batch if s is not None]
            try:
                new = await self.inbox.apply(
                    self.channel, [m for s in splits for m in s.messages],
                    [st for s in splits for st in s.statuses],
                    [h for _s, h, _f in batch if h is not None], self.clock())
            except Exception as exc:  # every writer of the batch learns it failed
                for _s, _h, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            fresh = {m.message_id: m for m in new}
            for split, _h, future in batch:
                if future.done():
                    continue
                # A message id twice in one batch (Meta retrying at once) is new only once.
                future.set_result(None if split is None else [
                    fresh.pop(mid) for mid, _o, _p in split.messages if mid in fresh])

    async def stop(self) -> None:
        """Let the writes under way finish."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)


Handle = Callable[[InboxMessage], Awaitable[None]]


class Dispatcher:
    """Handles stored messages: per owner in order, owners concurrently (at most `limit`)."""

    def __init__(self, handle: Handle, done: Callable[[InboxMessage], Awaitable[None]],
                 limit: int = 32) -> None:
        self._handle = handle
        self._done = done
        self._slots = asyncio.Semaphore(limit)
        self._queues: dict[str, deque[InboxMessage]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    def add(self, message: InboxMessage) -> None:
        """Queue a stored message behind the same owner's earlier ones."""
        if self._stopping:
            return  # it stays in the inbox and is handled at the next start-up
        self._queues.setdefault(message.owner_key, deque()).append(message)
        if message.owner_key not in self._tasks:
            self._idle.clear()
            self._tasks[message.owner_key] = asyncio.create_task(self._drain(message.owner_key))

    @property
    def busy(self) -> int:
        """Owners with messages queued or being handled."""
        return len(self._tasks)

    async def wait_idle(self, timeout: float) -> bool:
        """Wait (bounded) until every queued message is handled; False on timeout."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def _drain(self, owner_key: str) -> None:
        queue = self._queues[owner_key]
        try:
            while queue and not self._stopping:
                message = queue[0]
                async with self._slots:
                    try:
                        await self._handle(message)
                    except Exception:  # the core already apologised to the owner if it could
                        log.exception("inbox message %d failed", message.id)
                    # Marked even after a failure: a message that breaks the bot must not be
                    # retried at every start-up.
                    await self._done(message)
                queue.popleft()
        finally:
            del self._tasks[owner_key]
            if not queue:
                self._queues.pop(owner_key, None)
            if not self._tasks:
                self._idle.set()

    async def stop(self) -> None:
        """Take no more; let messages being handled finish (bounded); the rest stay stored."""
        self._stopping = True
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=STOP_TIMEOUT)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("%d owners' messages still being handled at shutdown", len(pending))
            await asyncio.gather(*pending, return_exceptions=True)
