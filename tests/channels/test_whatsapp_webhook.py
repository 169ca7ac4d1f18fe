"""The WhatsApp webhook on the bot's real web server: verification, signatures, the inbox
(stored before 200, never handled twice, per owner in order), statuses, limits."""

from __future__ import annotations

import asyncio
import json

import httpx

from tests.support.fakegraph import VERIFY_TOKEN, FakeGraph, FakeUser
from tests.support.wabot import whatsapp_bot


async def test_verification_answers_the_challenge_only_for_the_right_token(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, _bot):
        right = await graph.verify(VERIFY_TOKEN, challenge="1158201444")
        wrong = await graph.verify("not-the-token")
        async with httpx.AsyncClient() as client:
            no_mode = await client.get(graph.webhook_url, params={
                "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"})
        assert (right.status_code, right.text) == (200, "1158201444")
        assert wrong.status_code == 403 and "1158201444" not in wrong.text
        assert no_mode.status_code == 403


async def test_only_a_correctly_signed_update_is_taken(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        user = graph.user("6281234567010")
        missing = await graph.post(user.message("text", {"body": "halo"}), signature=None)
        forged = await graph.post(user.message("text", {"body": "halo"}),
                                  signature="sha256=" + "0" * 64)
        garbled = await graph.post(user.message("text", {"body": "halo"}),
                                   signature="sha256=ünicode".encode("latin-1"))
        other_secret = FakeGraph(app_secret="someone-else")
        update = user.message("text", {"body": "halo"})
        body = json.dumps(update).encode()
        wrong_key = await graph.post(body, signature=other_secret.sign(body))
        assert [r.status_code for r in (missing, forged, garbled, wrong_key)] == [
            401, 403, 403, 403]
        assert await bot.core.db.all("SELECT * FROM inbox") == []
        assert graph.sent == [] and graph.reads == {}
        replies = await user.say("halo")  # signed with the app secret
        assert replies and replies[0].choice("consent:yes") is not None
        assert await bot.core.db.owners.find("whatsapp", user.user_id) is not None


async def test_a_retried_delivery_is_answered_once(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        user = graph.user("6281234567011")
        update = user.message("text", {"body": "halo"})
        first, again = await asyncio.gather(graph.post(update), graph.post(update))
        assert (first.status_code, again.status_code) == (200, 200)
        await graph.wait_for(lambda: graph.reads.get(FakeUser.id_of(update)))
        later = await graph.post(update)  # Meta retries after the message was handled
        assert later.status_code == 200
        await user.say("/bantuan")  # handled after anything the retries could cause
        assert await bot.channel.dispatcher.wait_idle(10)
        welcomes = [s for s in graph.to(user) if s.choice("consent:yes") is not None]
        assert len(welcomes) == 1
        assert graph.reads[FakeUser.id_of(update)] == 1
        rows = await bot.core.db.all("SELECT message_id FROM inbox")
        assert len(rows) == 2


async def test_the_200_does_not_wait_for_a_slow_conversation(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        gate = asyncio.Event()
        handle = bot.core.handle

        async def slow(inbound):
            await gate.wait()  # the conversation takes as long as the test wants
            return await handle(inbound)

        bot.core.handle = slow  # type: ignore[method-assign]
        user = graph.user("6281234567012")
        update = user.message("text", {"body": "halo"})
        response = await asyncio.wait_for(graph.post(update), 5)
        assert response.status_code == 200
        stored = await bot.core.db.all("SELECT message_id, handled_at FROM inbox")
        assert [tuple(r) for r in stored] == [(FakeUser.id_of(update), None)]
        assert graph.sent == []
        gate.set()
        await graph.wait_for(lambda: graph.reads.get(FakeUser.id_of(update)))
        assert graph.to(user)


async def test_one_owners_messages_are_handled_in_order_and_owners_concurrently(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        users = [graph.user(f"62812345670{n:02d}") for n in range(20, 23)]
        for user in users:
            await user.say("halo")
            await user.press("consent:yes")
            await user.press("ans:ktp_city:yes:barat")
        # Name and business name posted at once (as a fast typist's phone would): one
        # webhook each, for three owners, all before any is handled.
        updates = [(u, u.message("text", {"body": text}))
                   for text in ("Budi Santoso", "Batik Sekar") for u in users]
        responses = await asyncio.gather(*(graph.post(m) for _, m in updates))
        assert {r.status_code for r in responses} == {200}
        for _, update in updates:
            await graph.wait_for(lambda u=update: graph.reads.get(FakeUser.id_of(u)))
        for user in users:
            owner = await bot.core.db.owners.find("whatsapp", user.user_id)
            answers = await bot.core.db.owners.answers(owner.id)
            assert (answers["name"], answers["business_name"]) == (
                "Budi Santoso", "Batik Sekar")


async def test_a_batched_webhook_statuses_and_other_numbers(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        ana, budi = graph.user("6281234567030"), graph.user("6281234567031")
        one, two = ana.message("text", {"body": "halo"}), budi.message("text", {"body": "hi"})
        value = one["entry"][0]["changes"][0]["value"]
        other = two["entry"][0]["changes"][0]["value"]
        value["contacts"] += other["contacts"]
        value["messages"] += other["messages"]
        assert (await graph.post(one)).status_code == 200
        await graph.wait_for(lambda: graph.reads.get(FakeUser.id_of(two)) and
                             graph.reads.get(FakeUser.id_of(one)))
        assert graph.to(ana) and graph.to(budi)
        sent = graph.to(ana)[0]
        statuses = graph.envelope({
            "statuses": [
                {"id": sent.id, "status": "sent", "timestamp": "1796000000",
                 "recipient_id": ana.wa_id, "recipient_user_id": ana.user_id},
                {"id": sent.id, "status": "read", "timestamp": "1796000005",
                 "recipient_id": ana.wa_id, "recipient_user_id": ana.user_id},
                {"id": "wamid.OUTfailed", "status": "failed", "timestamp": "1796000009",
                 "recipient_id": ana.wa_id, "errors": [{
                     "code": 131047, "title": "Re-engagement message",
                     "message": "Re-engagement message", "error_data": {
                         "details": "More than 24 hours have passed."}}]}],
            "contacts": [{"profile": {"name": ana.name}, "wa_id": ana.wa_id,
                          "user_id": ana.user_id}]})
        assert (await graph.post(statuses)).status_code == 200
        assert (await graph.post(statuses)).status_code == 200  # repeated: kept once
        kept = await bot.core.db.inbox.statuses("whatsapp", sent.id)
        assert [(s.status, s.recipient) for s in kept] == [
            ("sent", ana.user_id), ("read", ana.user_id)]
        (failed,) = await bot.core.db.inbox.statuses("whatsapp", "wamid.OUTfailed")
        assert failed.errors[0]["code"] == 131047
        rows = await bot.core.db.all("SELECT * FROM message_statuses")
        assert len(rows) == 3 and ana.wa_id not in json.dumps([tuple(r) for r in rows])
        # An update for another business number is acknowledged and ignored.
        foreign = ana.message("text", {"body": "halo"})
        foreign["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
        assert (await graph.post(foreign)).status_code == 200
        assert tuple(await bot.core.db.one("SELECT count(*) FROM inbox")) == (2,)


async def test_bodies_too_large_or_not_json_are_refused(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        huge = await graph.post(b"{" + b" " * (1024 * 1024 + 10) + b"}")
        broken = await graph.post(b"{not json")
        assert (huge.status_code, broken.status_code) == (413, 400)
        assert await bot.core.db.all("SELECT * FROM inbox") == []
