"""Pure parts of the WhatsApp edge: markup conversion, the layout within Meta's limits, the
webhook split, the Graph API transport, and the module boundary (only the edge imports pywa)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import httpx
import pytest

from bot.channel import Attachment, Button
from bot.config import load_config
from bot.markup import from_whatsapp, to_whatsapp
from handlers import whatsapp_layout as layout
from handlers.whatsapp import GraphTransport, client, session_of
from handlers.whatsapp_inbox import split_update
from handlers.whatsapp_transport import URLS_KEPT, GraphClient
from tests.support.config import write_config
from tests.support.fakegraph import validate

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("html", "expected"), [
    ("<b>Pertanyaan</b> 1", "*Pertanyaan* 1"),
    ("<i>Question 3 of 15</i>", "_Question 3 of 15_"),
    ("<b><i>both</i></b>", "*_both_*"),
    ("<b> spaced </b>x", " *spaced* x"),
    ("<code>1234567890123</code>", "```1234567890123```"),
    ("<s>old</s>", "~old~"),
    ('<a href="https://oss.go.id">OSS</a>', "OSS: https://oss.go.id"),
    ('<a href="https://oss.go.id">https://oss.go.id</a>', "https://oss.go.id"),
    ("Budi &amp; Sons &lt;b&gt;", "Budi & Sons <b>"),
    ("<b></b>empty", "empty"),
    ("line<br>break", "line\nbreak"),
])
def test_reply_html_becomes_whatsapp_markup(html, expected):
    assert to_whatsapp(html) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("*bold* and _italic_", "<b>bold</b> and <i>italic</i>"),
    ("~gone~", "<s>gone</s>"),
    ("```a *not bold* b```", "<code>a *not bold* b</code>"),
    ("2*3*4 and snake_case_name", "2*3*4 and snake_case_name"),
    ("<b>Budi</b> & co", "&lt;b&gt;Budi&lt;/b&gt; &amp; co"),
    ("* not bold *", "* not bold *"),
])
def test_whatsapp_markup_becomes_reply_html(text, expected):
    assert from_whatsapp(text) == expected


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("Ya", 20, "Ya"),
    ("Export-ready: sturdy, labelled, English text", 20, "Export-ready…"),
    ("Partly; some are bought from others", 24, "Partly; some are bought…"),
    ("Supercalifragilisticexpialidocious", 20, "Supercalifragilisti…"),
    ("  many   spaces  here ", 24, "many spaces here"),
])
def test_titles_are_shortened_at_a_word(text, limit, expected):
    assert layout.shorten(text, limit) == expected
    assert len(layout.shorten(text, limit)) <= limit


def buttons(*labels: str) -> list[list[Button]]:
    """One button per row, data "x:<n>"."""
    return [[Button(label, f"x:{n}")] for n, label in enumerate(labels)]


def sent_payloads(messages) -> list[dict]:
    """The Graph API bodies these messages would be (for the fake's validator)."""
    out = []
    for m in messages:
        if isinstance(m, layout.Text):
            out.append({"type": "text", "text": {"body": m.body}})
        elif isinstance(m, layout.Buttons):
            out.append({"type": "interactive", "interactive": {
                "type": "button", "body": {"text": m.body}, "action": {"buttons": [
                    {"type": "reply", "reply": {"id": c.id, "title": c.title}}
                    for c in m.choices]}}})
        elif isinstance(m, layout.ChoiceList):
            out.append({"type": "interactive", "interactive": {
                "type": "list", "body": {"text": m.body}, "action": {
                    "button": m.button, "sections": [{"title": "x", "rows": [
                        {"id": c.id, "title": c.title, "description": c.description}
                        for c in m.choices]}]}}})
    return [{"messaging_product": "whatsapp", "to": "1", **p} for p in out]


def test_three_short_choices_are_reply_buttons_more_are_a_list():
    (three,), _ = layout.plan("<b>Q?</b>", buttons("Ya", "Tidak", "⬅️ Kembali"))
    assert isinstance(three, layout.Buttons) and three.body == "*Q?*"
    assert [c.title for c in three.choices] == ["Ya", "Tidak", "⬅️ Kembali"]
    (four,), _ = layout.plan("Q?", buttons("A", "B", "C", "D"))
    assert isinstance(four, layout.ChoiceList) and four.button == "Choose"
    (long,), _ = layout.plan("Q?", buttons("Yes, we make them ourselves", "No"))
    assert isinstance(long, layout.ChoiceList)  # a label over 20 is never cut on a button
    assert long.choices[0].title == "Yes, we make them…"
    assert long.choices[0].description == "Yes, we make them ourselves"


def test_equal_titles_are_made_unique_and_descriptions_kept():
    (message,), _ = layout.plan("Q?", [[Button("Daftar: Rabu, 6 Oktober 2027", "s:1"),
                                        Button("Daftar: Rabu, 6 Oktober 2027 siang", "s:2",
                                               description="Sesi siang")]])
    titles = [c.title for c in message.choices]
    assert len(set(titles)) == 2 and all(len(t) <= 24 for t in titles)
    assert message.choices[1].description.endswith("Sesi siang")


def test_more_than_ten_choices_are_pages_with_a_more_row():
    labels = [f"Pertanyaan {n}" for n in range(1, 24)]
    (first,), (page,) = layout.plan("Which one?", buttons(*labels), token=lambda: "T1")
    assert len(first.choices) == 10 and first.choices[-1].id == layout.MORE + "T1"
    assert [label for label, _d, _x in page.buttons] == labels[9:]
    (second,), (page2,) = layout.plan(page.body, layout.page_buttons(page.buttons),
                                      token=lambda: "T2")
    assert [c.title for c in second.choices[:9]] == labels[9:18]
    (third,), none = layout.plan(page2.body, layout.page_buttons(page2.buttons))
    assert [c.title for c in third.choices] == labels[18:] and none == []


def test_links_become_lines_and_long_text_is_split_with_choices_last():
    text = "\n".join(f"Baris {n}: " + "kata " * 40 for n in range(60))  # about 13,000 chars
    messages, _ = layout.plan(text, [[Button("OSS", url="https://oss.go.id")],
                                     [Button("Ya", "y:1")]])
    assert all(isinstance(m, layout.Text) for m in messages[:-1])
    assert isinstance(messages[-1], layout.Buttons)
    assert messages[-1].body.endswith("OSS: https://oss.go.id")
    assert all(len(m.body) <= 4096 for m in messages[:-1]) and len(messages[-1].body) <= 1024
    joined = "\n".join(m.body for m in messages)
    assert all(f"Baris {n}:" in joined for n in range(60))
    for payload in sent_payloads(messages):
        assert validate(payload) is None


def test_an_attachment_carries_its_text_as_a_caption_when_it_fits():
    png = Attachment("qr.png", b"\x89PNG", kind="photo")
    (media,), _ = layout.plan("<b>Link</b>", attachment=png)
    assert (media.kind, media.caption, media.content) == ("image", "*Link*", b"\x89PNG")
    media, choice = layout.plan("Ekspor", buttons("Ya"), attachment=Attachment("a.csv", b"x"))[0]
    assert media.kind == "document" and media.caption == "" and isinstance(choice, layout.Buttons)


def test_any_plan_passes_the_fakes_strict_validation():
    labels = ["🌐 Bahasa / Language", "✅ Ya, saya setuju sekali dengan ini", "Ya", "Ya", "",
              "x" * 40, "Pekalongan Barat", "Pekalongan Timur", "Pekalongan Utara",
              "Pekalongan Selatan", "Tidak", "Lainnya"]
    for count in range(1, len(labels) + 1):
        chosen = [label or "-" for label in labels[:count]]
        messages, _ = layout.plan("<b>" + "Q " * 700 + "</b>", buttons(*chosen))
        for payload in sent_payloads(messages):
            assert validate(payload) is None, (count, payload)


def test_a_webhook_is_split_into_one_update_per_message_for_our_number_only():
    contact = {"profile": {"name": "Budi"}, "wa_id": "6281", "user_id": "ID.1"}
    other = {"profile": {"name": "Ani"}, "wa_id": "6282"}  # no user_id yet
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "62811", "phone_number_id": "555"},
             "contacts": [contact, other],
             "messages": [{"from": "6281", "id": "wamid.A", "timestamp": "1", "type": "text",
                           "text": {"body": "halo"}},
                          {"from": "6282", "id": "wamid.B", "timestamp": "2", "type": "text",
                           "text": {"body": "hi"}}],
             "statuses": [{"id": "wamid.OUT", "status": "delivered", "timestamp": "3",
                           "recipient_id": "6281"}]}
    update = {"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [
        {"field": "messages", "value": value},
        {"field": "messages", "value": {**value, "metadata": {"phone_number_id": "999"}}},
        {"field": "account_update", "value": {}}]}]}
    split = split_update(update, "555")
    assert [(m, owner) for m, owner, _ in split.messages] == [("wamid.A", "ID.1"),
                                                             ("wamid.B", "6282")]
    first = json.loads(split.messages[0][2])["entry"][0]["changes"][0]["value"]
    assert first["contacts"] == [contact] and [m["id"] for m in first["messages"]] == ["wamid.A"]
    assert "statuses" not in first
    assert [(s.message_id, s.status, s.recipient) for s in split.statuses] == [
        ("wamid.OUT", "delivered", "ID.1")]
    assert split.foreign == 1
    assert split_update({"entry": "nonsense"}, "555").messages == ()
    assert split_update([1, 2], "555").statuses == ()


async def test_the_transport_sends_every_request_to_the_configured_root():
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers["host"]))
        return httpx.Response(200, json={})

    transport = GraphTransport("http://127.0.0.1:9/graph", httpx.MockTransport(answer))
    async with httpx.AsyncClient(transport=transport,
                                 base_url="https://graph.facebook.com/v26.0") as client:
        await client.post("/106540352242922/messages?x=1", json={})
        await client.get("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=7")
        await client.get("http://127.0.0.1:9/media/7")  # the host, but not under the root
        await client.get("http://127.0.0.1:9/graph/v26.0/7")  # there already: left alone
    assert seen == [
        ("http://127.0.0.1:9/graph/v26.0/106540352242922/messages?x=1", "127.0.0.1:9"),
        ("http://127.0.0.1:9/graph/whatsapp_business/attachments/?mid=7", "127.0.0.1:9"),
        ("http://127.0.0.1:9/graph/media/7", "127.0.0.1:9"),
        ("http://127.0.0.1:9/graph/v26.0/7", "127.0.0.1:9")]


async def test_pywas_client_starts_at_the_root_and_keeps_no_cookies(tmp_path):
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers.get("cookie")))
        contact = {"input": "6281400000001", "wa_id": "6281400000001"}
        return httpx.Response(200, json={"messaging_product": "whatsapp", "contacts": [contact],
                                         "messages": [{"id": f"wamid.{len(seen)}"}]},
                              headers={"set-cookie": "fr=0abc; Path=/"})

    config = load_config(write_config(tmp_path), env={
        "WHATSAPP_TOKEN": "t", "WHATSAPP_APP_SECRET": "s", "WHATSAPP_VERIFY_TOKEN": "v",
        "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        "WHATSAPP_API_BASE_URL": "http://127.0.0.1:9/graph"})
    wa = client(config.whatsapp)
    session = session_of(wa)
    assert str(session.base_url).startswith("http://127.0.0.1:9/graph/v")
    transport = session._transport
    assert isinstance(transport, GraphTransport)
    inner, transport.inner = transport.inner, httpx.MockTransport(answer)
    try:
        for text in ("Halo", "Lagi"):
            await wa.send_message("6281400000001", text)
    finally:
        await inner.aclose()
        await session.aclose()
    assert [cookie for _url, cookie in seen] == [None, None]
    assert not session.cookies
    assert seen[0][0].startswith("http://127.0.0.1:9/graph/v") and \
        seen[0][0].endswith("/106540352242922/messages")


def test_pywas_client_builds_the_urls_httpx_would_and_follows_its_root():
    ours = GraphClient(base_url="https://graph.facebook.com/v26.0")
    plain = httpx.AsyncClient(base_url="https://graph.facebook.com/v26.0")
    for _twice in range(2):  # the second time from what was kept
        for url, params in (("/106540352242922/messages", None), ("/7", {"fields": "url"}),
                            ("https://lookaside.fbsbx.com/a/?mid=7", None)):
            mine = ours.build_request("POST", url, params=params, json={"a": 1})
            theirs = plain.build_request("POST", url, params=params, json={"a": 1})
            assert (mine.url, mine.headers, mine.content) == \
                (theirs.url, theirs.headers, theirs.content)
    ours.base_url = plain.base_url = "http://127.0.0.1:9/graph/v26.0"
    assert ours.build_request("GET", "/7").url == plain.build_request("GET", "/7").url == \
        httpx.URL("http://127.0.0.1:9/graph/v26.0/7")
    for n in range(200):  # media ids make endpoints of their own: what is kept stays small
        ours.build_request("GET", f"/{n}")
    assert len(ours._urls) <= URLS_KEPT


def imported(path: Path) -> set[str]:
    """Top-level modules a file imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_whatsapp_edge_imports_pywa():
    users = sorted(str(p.relative_to(ROOT)) for folder in ("bot", "handlers")
                   for p in (ROOT / folder).rglob("*.py")
                   if {"pywa", "pywa_async"} & imported(p))
    assert users == ["handlers/whatsapp.py"]
