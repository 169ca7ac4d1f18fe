"""Named validators: table-driven, no event loop."""

import pytest

from bot.amounts import parse_amount
from bot.validators import VALIDATORS, Invalid, Valid, clean_text


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1234567890123", "1234567890123"),
        ("1234 5678 90123", "1234567890123"),
        ("1234-5678-90123", "1234567890123"),
        (" 1234.5678.90123 ", "1234567890123"),
    ],
)
def test_nib_accepts_13_digits_ignoring_separators(raw, value):
    assert VALIDATORS["nib"](raw) == Valid(value)


@pytest.mark.parametrize(("raw", "count"), [("123456789012", 12), ("12345678901234", 14)])
def test_nib_says_how_many_digits_were_sent(raw, count):
    result = VALIDATORS["nib"](raw)
    assert isinstance(result, Invalid) and result.params == {"count": count}


@pytest.mark.parametrize("raw", ["", "   ", "12345678901ab", "١٢٣٤٥٦٧٨٩٠١٢٣", "NIB saya"])
def test_nib_refuses_non_digits(raw):
    assert isinstance(VALIDATORS["nib"](raw), Invalid)


@pytest.mark.parametrize(
    ("raw", "amount", "unit", "kind", "period", "base"),
    [
        ("500 potong", 500, "potong", "pieces", "month", 500),
        ("1.000 pcs", 1000, "pcs", "pieces", "month", 1000),
        ("20 kodi", 20, "kodi", "pieces", "month", 400),
        ("2,5 ton", 2.5, "ton", "kg", "month", 2500),
        ("2.5 ton", 2.5, "ton", "kg", "month", 2500),
        ("200kg", 200, "kg", "kg", "month", 200),
        ("300 botol per bulan", 300, "botol", "pieces", "month", 300),
        ("Sekitar 50 Liter sebulan", 50, "liter", "liters", "month", 50),
        ("10 lusin/bulan", 10, "lusin", "pieces", "month", 120),
        # Issue 12, item 1: a week is about 4.3 months' worth less, not the same.
        ("100 kg per minggu", 100, "kg", "kg", "week", 433.33),
        ("100kg/minggu", 100, "kg", "kg", "week", 433.33),
        ("100 pcs/hari", 100, "pcs", "pieces", "day", 2600),  # six working days a week
        ("300 bks", 300, "bks", "pieces", "month", 300),
        ("12 kodi seminggu", 12, "kodi", "pieces", "week", 1040),
        ("50 pak tiap hari", 50, "pak", "pieces", "day", 1300),
        ("3 ton setahun", 3, "ton", "kg", "year", 250),
        ("200 kg a week", 200, "kg", "kg", "week", 866.67),
        ("20-30 kodi sebulan", 20, "kodi", "pieces", "month", 400),  # a range: the lower
        ("kira-kira 40 lembar per hari", 40, "lembar", "pieces", "day", 1040),
        ("5 lsn", 5, "lsn", "pieces", "month", 60),
    ],
)
def test_capacity_reads_number_unit_and_period(raw, amount, unit, kind, period, base):
    result = VALIDATORS["capacity"](raw)
    assert isinstance(result, Valid), result
    value = result.value
    assert (value["amount"], value["unit"], value["class"], value["period"], value["base"]) == (
        amount, unit, kind, period, base)
    assert value["text"] == " ".join(raw.split())  # the owner's own words are kept


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("500", "unit"),
        ("0 kg", "more than zero"),
        ("banyak", "number"),
        ("500 gajah", "do not know the unit"),
        ("", "number"),
        ("-5 kg", "number"),
        ("lima puluh kodi", "in digits"),
        ("seratus kg per minggu", "in digits"),
        ("fifty pieces", "in digits"),
    ],
)
def test_capacity_refusals_say_what_is_wrong(raw, reason_part):
    result = VALIDATORS["capacity"](raw)
    assert isinstance(result, Invalid)
    assert reason_part in result.reason


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(0285) 421234", "+62285421234"),
    ],
)
def test_phone_normalises_indonesian_numbers(raw, value):
    assert VALIDATORS["phone"](raw) == Valid(value)


@pytest.mark.parametrize(
    "raw", ["12345", "+1 555 123 4567", "0812", "08123456789012345", "nomor saya", "0012345678"]
)
def test_phone_refuses_what_is_not_an_indonesian_number(raw):
    assert isinstance(VALIDATORS["phone"](raw), Invalid)


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("Budi Santoso", True),
        ("Siti Nur'aini", True),
        ("  Dr. Ahmad   Fauzi ", True),
        ("B", False),
        ("Budi 123", False),
        ("🙂🙂", False),
        ("<b>Budi</b>", False),
        ("x" * 101, False),
        ("", False),
    ],
)
def test_person_name(raw, ok):
    assert isinstance(VALIDATORS["person_name"](raw), Valid) is ok


def test_business_name_keeps_html_like_text_verbatim_for_escaping_later():
    assert VALIDATORS["business_name"]("<b>Batik & Co</b>") == Valid("<b>Batik & Co</b>")


def test_clean_text_drops_control_and_zero_width_characters():
    assert clean_text("Bu\u200bdi\x00 \n Santoso") == "Budi Santoso"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.000", 1000.0),
        ("1.000.000", 1e6),
        ("2,5", 2.5),
        ("2.5", 2.5),
        ("12", 12.0),
        ("1,000", 1.0),
        ("abc", None),
    ],
)
def test_parse_amount_reads_indonesian_numbers(text, value):
    assert parse_amount(text) == value
