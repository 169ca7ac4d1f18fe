"""Pure helpers of the channel contract: splitting long replies, plain text for the terminal."""

import pytest

from bot.channel import plain_text, split_text
from bot.core import esc, parse_command


def test_short_text_is_one_piece():
    assert split_text("halo") == ["halo"]
    assert split_text("") == [""]


def test_long_text_splits_at_line_ends_under_the_limit():
    lines = [f"<b>Baris {n}</b>: " + "x" * 50 for n in range(200)]
    pieces = split_text("\n".join(lines), limit=4096)
    assert all(len(p) <= 4096 for p in pieces)
    assert "\n".join(pieces) == "\n".join(lines)
    for piece in pieces:  # no tag is cut in half
        assert piece.count("<b>") == piece.count("</b>")


def test_a_single_over_long_line_is_cut_at_a_space_and_keeps_tags_balanced():
    line = "a" * 5000
    assert [len(p) for p in split_text(line, limit=4096)] == [4096, 904]
    words = "<b>" + " ".join(["kata"] * 2000) + "</b> &amp; <i>selesai</i>"
    pieces = split_text(words, limit=4096)
    assert all(len(p) <= 4096 for p in pieces)
    for piece in pieces:
        assert piece.count("<b>") == piece.count("</b>")
        assert piece.count("<i>") == piece.count("</i>")
        assert not piece.startswith("ata")  # cut between words
    assert plain_text("".join(pieces)).replace(" ", "") == plain_text(words).replace(" ", "")


def test_entities_and_links_are_never_cut():
    text = '<a href="https://oss.go.id">' + "&amp;" * 1000 + "</a>"
    pieces = split_text(text, limit=1000)
    assert all(len(p) <= 1000 for p in pieces)
    assert all(p.startswith('<a href="https://oss.go.id">') and p.endswith("</a>")
               for p in pieces)
    assert sum(p.count("&amp;") for p in pieces) == 1000


def test_plain_text_drops_tags_and_unescapes():
    assert plain_text("<b>Nama</b>: Toko &lt;b&gt; &amp; Co") == "Nama: Toko <b> & Co"
    assert plain_text('<a href="https://oss.go.id">OSS</a>') == "OSS (https://oss.go.id)"
    assert plain_text('<a href="https://oss.go.id">https://oss.go.id</a>') == "https://oss.go.id"


@pytest.mark.parametrize(("text", "parsed"), [
    ("/start", ("start", "")),
    ("/Start@umkm_bot poster-batik", ("start", "poster-batik")),
    ("  /datasaya  ", ("datasaya", "")),
    ("/ekspor 2027 extra words", ("ekspor", "2027 extra words")),
    ("/", None), ("hello", None), ("/" + "x" * 40, None), ("/a-b", None),
])
def test_parse_command(text, parsed):
    assert parse_command(text) == parsed


def test_esc_makes_user_text_inert():
    assert esc('<a href="x">&') == '&lt;a href="x"&gt;&amp;'
