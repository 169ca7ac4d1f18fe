"""Everything an owner can send on WhatsApp gets a clear answer and breaks nothing: media,
locations, contact cards, reactions, unsupported types, huge and odd text, commands mid-way,
old buttons pressed again, staff commands from non-staff; poster links; staff on WhatsApp."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from handlers.whatsapp import poster_source
from tests.support.fakegraph import DISPLAY_NUMBER, FakeUser
from tests.support.wabot import whatsapp_bot


async def started(user: FakeUser) -> None:
    """Agree, answer the KTP question, and reach the first typed question (the name)."""
    await user.say("halo")
    await user.press("consent:yes")
    await user.press("ans:ktp_city:yes:barat")


def answered(replies) -> str:
    """The text of the replies; there must be some."""
    assert replies, "the bot sent nothing back"
    return "\n".join(r.body for r in replies)


async def test_every_kind_of_message_gets_an_answer(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        user = graph.user("6281234567040")
        await started(user)
        photo = graph.new_media(b"\xff\xd8fake-jpeg", "image/jpeg")
        kinds = {
            "image": user.message("image", {"mime_type": "image/jpeg", "sha256": "x",
                                            "id": photo, "caption": "NIB saya"}),
            "sticker": user.message("sticker", {"mime_type": "image/webp", "sha256": "x",
                                                "id": graph.new_media(b"w", "image/webp"),
                                                "animated": False}),
            "voice": user.message("audio", {"mime_type": "audio/ogg; codecs=opus",
                                            "sha256": "x", "voice": True,
                                            "id": graph.new_media(b"o", "audio/ogg")}),
            "video": user.message("video", {"mime_type": "video/mp4", "sha256": "x",
                                            "id": graph.new_media(b"v", "video/mp4")}),
            "document": user.message("document", {
                "filename": "nib.pdf", "mime_type": "application/pdf", "sha256": "x",
                "id": graph.new_media(b"%PDF", "application/pdf")}),
            "location": user.message("location", {"latitude": -6.8886, "longitude": 109.6753,
                                                  "name": "Pasar Grosir"}),
            "contacts": user.message("contacts", None, contacts=[{
                "name": {"formatted_name": "Siti", "first_name": "Siti"},
                "phones": [{"phone": "+62 813-0000-1111", "wa_id": "6281300001111",
                            "type": "CELL"}]}]),
            "reaction": user.message("reaction", {"message_id": graph.sent[-1].id,
                                                  "emoji": "👍"}),
            "unsupported": user.message("unsupported", {"type": "poll"}, errors=[{
                "code": 131051, "title": "Message type unknown",
                "message": "Message type unknown",
                "error_data": {"details": "Message type is currently not supported."}}]),
        }
        for kind, update in kinds.items():
            text = answered(await user.deliver(update))
            # One short line naming the question above (no second live copy of it).
            assert "Siapa nama lengkap Anda?" in text, (kind, text)
        removed = user.message("reaction", {"message_id": graph.sent[-1].id})
        assert await user.deliver(removed) == []  # taking a reaction back says nothing
        owner = await bot.core.db.owners.find("whatsapp", user.user_id)
        assert "name" not in await bot.core.db.owners.answers(owner.id)
        assert graph.refused == []


async def test_odd_text_old_buttons_and_commands_mid_way(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        user = graph.user("6281234567041")
        await started(user)
        assert "5000" in answered(await user.say("x" * 5000))  # too long, said kindly
        for odd in ("   ", "🙂🙂🙂", "<b>Budi</b> & *Sons*"):
            assert "_2/12_" in answered(await user.say(odd))  # asked again
        owner = await bot.core.db.owners.find("whatsapp", user.user_id)
        assert await bot.core.db.owners.answers(owner.id) == {"ktp_city": "yes",
                                                               "kecamatan": "barat"}
        assert "_3/12_" in answered(await user.say("Budi Santoso"))
        assert "/datasaya" in answered(await user.say("/bantuan"))  # a command mid-way
        assert "setuju" in answered(await user.press("consent:yes"))  # an old button again
        await user.say("Batik Sekar")
        await user.press("ans:product_type:batik")
        assert "NIB" in user.text()
        answered(await user.press("ans:product_type:batik"))  # the same old button again
        answers = await bot.core.db.owners.answers(owner.id)
        assert answers["product_type"] == "batik" and "has_nib" not in answers
        assert "tidak kami kenal" in answered(await user.say("/rekap"))  # staff only
        assert graph.refused == []


async def test_poster_links_carry_their_source_into_the_owners_first_message(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        link = bot.channel.start_link("poster-batik")
        assert link is not None
        parts = urlsplit(link)
        digits = "".join(c for c in DISPLAY_NUMBER if c.isdigit())
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", f"/{digits}")
        (prefilled,) = parse_qs(parts.query)["text"]
        assert prefilled.endswith("(kode: poster-batik)") and poster_source(prefilled)
        user = graph.user("6281234567042")
        answered(await user.say(prefilled))
        owner = await bot.core.db.owners.find("whatsapp", user.user_id)
        assert owner is not None and owner.source == "poster-batik"
        assert poster_source("saya mau daftar (code: Poster_2)") == "Poster_2"
        assert poster_source("halo") is None


async def test_a_long_choice_list_pages_with_a_more_row(tmp_path):
    from bot.channel import Button, Reply

    async with whatsapp_bot(tmp_path) as (graph, bot):
        user = graph.user("6281234567043")
        await user.say("halo")
        buttons = [[Button(f"Pertanyaan nomor {n} tentang usaha", f"edit:q{n}")]
                   for n in range(1, 15)]
        await bot.channel.deliver(user.user_id, Reply("Ubah jawaban yang mana?", buttons))
        first = graph.to(user)[-1]
        assert first.kind == "list" and len(first.choices) == 10
        assert [c.id for c in first.choices[:9]] == [f"edit:q{n}" for n in range(1, 10)]
        assert first.choices[0].title == "Pertanyaan nomor 1…"
        assert first.choices[0].description == "Pertanyaan nomor 1 tentang usaha"
        more = first.choices[-1]
        assert more.id.startswith("wa.more:") and more.title == "Pilihan lainnya"
        (second,) = await user.press(more.id)
        assert [c.id for c in second.choices] == [f"edit:q{n}" for n in range(10, 15)]
        assert graph.refused == []


async def test_an_owner_whatsapp_cannot_reach_is_marked_gone(tmp_path):
    async with whatsapp_bot(tmp_path) as (graph, bot):
        user = graph.user("6281234567044")
        await user.say("halo")
        graph.undeliverable.add(user.user_id)  # 131026: blocked, or no longer on WhatsApp
        assert await user.say("/bantuan") == []
        owner = await bot.core.db.owners.find("whatsapp", user.user_id)
        assert owner.blocked_at is not None
        refused = [r for r in graph.requests if r.error == "undeliverable"]
        assert len(refused) == 1  # not tried again
