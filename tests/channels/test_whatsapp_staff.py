"""Staff on WhatsApp: named "whatsapp:<number>" in the config, their typed commands work; files
(QR codes, exports) are uploaded to the Graph API and sent as media. A Telegram id never matches
a WhatsApp user."""

from __future__ import annotations

from bot.config import load_config
from tests.support.fakegraph import FakeGraph
from tests.support.wabot import running_whatsapp, whatsapp_env

STAFF_WA = "6281100000001"


async def test_staff_commands_typed_on_whatsapp(tmp_path):
    path = tmp_path / "config.toml"
    # 6281100000002's digits as a bare (Telegram) id must not make that WhatsApp user staff.
    path.write_text(f'[bot]\nstaff = ["whatsapp:+{STAFF_WA}", 6281100000002]\n'
                    '[database]\npath = "bot.sqlite3"\n', encoding="utf-8")
    async with FakeGraph() as graph:
        config = load_config(path, env=whatsapp_env(graph))
        async with running_whatsapp(graph, config) as _bot:
            staff = graph.user(STAFF_WA, name="Staf Dinas")
            summary = "\n".join(s.body for s in await staff.say("/rekap"))
            assert "tidak kami kenal" not in summary and summary
            (qr,) = await staff.say("/tautan poster-batik")
            assert qr.kind in ("image", "document") and qr.media_id in graph.media
            assert graph.media[qr.media_id][0].startswith(b"\x89PNG")
            assert "https://wa.me/6281120003000?text=" in qr.body
            exports = await staff.say("/ekspor")
            files = [s for s in exports if s.kind == "document"]
            assert {f.filename.rsplit(".", 1)[-1] for f in files} >= {"csv"}
            assert all(f.media_id in graph.media for f in files)
            stranger = graph.user("6281100000002")
            assert "tidak kami kenal" in "\n".join(s.body for s in await stranger.say("/rekap"))
            assert graph.refused == []
