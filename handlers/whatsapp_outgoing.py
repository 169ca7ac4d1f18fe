"""The core's replies as WhatsApp messages: laid out within Meta's limits (`whatsapp_layout`),
a later page of a long list kept, a stored file uploaded once (`bot.media.Uploads`), and sent
one by one through the edge's `post` (pywa, in `handlers/whatsapp.py`; this module has no pywa).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace

from bot.channel import Attachment, Inbound, Notice, Outbound, Reply, TemplateMessage
from bot.core import Core, esc
from bot.delivery import RetryLater
from bot.markup import to_whatsapp
from bot.media import Uploads
from handlers import whatsapp_layout as layout

SHOWN_KEPT = 10_000
Post = Callable[[str, layout.Message], Awaitable[str]]  # send one message; its id
Upload = Callable[[Attachment], Awaitable[str]]  # the file's WhatsApp media id (uploaded now)
PostTemplate = Callable[[str, TemplateMessage, str], Awaitable[str]]  # with the header's id


class Outgoing:
    """What the WhatsApp edge sends: replies, messages of the sender, templates."""

    def __init__(self, core: Core, channel: str, post: Post, upload: Upload,
                 post_template: PostTemplate,
                 mapped: Callable[[], AbstractContextManager[None]]) -> None:
        self.core = core
        self.channel = channel
        self.post, self.upload, self.post_template = post, upload, post_template
        self.mapped = mapped  # the edge's error mapping into the core's delivery errors
        self.uploads = Uploads(core.db, channel, core.clock)  # stored files: uploaded once
        # Bodies of recent messages with choices, by message id: a reply that would only repeat
        # the pressed message without its buttons (an edit elsewhere) is not sent again.
        self.shown: OrderedDict[str, str] = OrderedDict()

    async def _wording(self, user_id: str) -> layout.Wording:
        owner = await self.core.db.owners.find(self.channel, user_id)
        tr = self.core.catalogs.get(owner.language if owner and owner.language
                                    else self.core.config.default_language)
        return layout.Wording(list_button=tr.gettext("Choose"), more=tr.gettext("More choices"))

    async def send_replies(self, received: Inbound, replies: Sequence[Outbound]) -> None:
        """Send the core's replies for one inbound, errors mapped for the core: a notice is the
        first line of the first reply (no pop-ups), a reply that may replace the pressed
        message is sent new (no edits), tidying is left out."""
        notice = "\n".join(esc(r.text) for r in replies if isinstance(r, Notice) and r.text)
        for number, reply in enumerate(replies):
            if not isinstance(reply, Reply):
                continue  # a Tidy, or a Notice (joined to the first reply)
            if reply.replace and not reply.buttons and reply.attachment is None and \
                    self.shown.get(received.message_id or "") == to_whatsapp(reply.text):
                continue  # the pressed message without its buttons: nothing new to read
            if notice:
                reply, notice = Reply(f"{notice}\n\n{reply.text}", reply.buttons,
                                      attachment=reply.attachment), ""
            try:
                with self.mapped():
                    await self.send(received.chat_id, reply)
            except RetryLater as exc:
                raise RetryLater(exc.seconds, sent=number, per_chat=exc.per_chat) from exc
        if notice:
            with self.mapped():
                await self.send(received.chat_id, Reply(notice))

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """One reply as one or more WhatsApp messages; the id of the last."""
        attachment = reply.attachment
        if attachment is not None and attachment.media_id:
            return await self._send_stored(chat_id, reply, attachment)
        # The wording is only for a list; most messages of a broadcast have no choices, and
        # looking up each owner's language is a trip to the database per message.
        wording = await self._wording(chat_id) if layout.choices_of(reply.buttons) \
            else layout.Wording()
        messages, pages = layout.plan(reply.text, reply.buttons, attachment=reply.attachment,
                                      wording=wording)
        for page in pages:
            await self.core.db.inbox.save_page(page.token, page.body, page.buttons,
                                               self.core.clock())
        sent = None
        for message in messages:
            sent = await self.post(chat_id, message)
            if isinstance(message, layout.Buttons | layout.ChoiceList):
                self.shown[sent] = message.body
                while len(self.shown) > SHOWN_KEPT:
                    self.shown.popitem(last=False)
        return sent

    async def _send_stored(self, chat_id: str, reply: Reply, stored: Attachment) -> str | None:
        """A file stored by the bot (an upload from the web page): uploaded to WhatsApp once,
        then sent by its WhatsApp media id."""

        async def send_file(attachment: Attachment) -> tuple[str | None, str]:
            with self.mapped():  # Uploads tells a refused (expired) media id by `Rejected`
                ref = await self.upload(attachment)
                by_ref = replace(attachment, ref=ref, content=b"", media_id=0)
                sent = await self.send(chat_id, replace(reply, attachment=by_ref))
            return sent, "" if attachment.ref else ref

        return await self.uploads.send(stored, send_file)

    async def send_template(self, chat_id: str, message: TemplateMessage) -> str | None:
        """A template; the file of its header (if any) uploaded once, then sent by its id."""
        if message.header is None:
            with self.mapped():
                return await self.post_template(chat_id, message, "")

        async def send(header: Attachment) -> tuple[str | None, str]:
            with self.mapped():
                ref = await self.upload(header)
                return await self.post_template(chat_id, message, ref), \
                    "" if header.ref else ref

        return await self.uploads.send(message.header, send)
