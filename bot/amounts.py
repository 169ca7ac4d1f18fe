"""Pure: reading the production figures owners type ("100 kg per minggu", "20-30 kodi",
"1.000 pcs/hari"): numbers written the Indonesian way, the units of production and the periods
a figure is given for. The `capacity` validator (`bot/validators.py`) turns a reading into an
answer or a reason.
"""

from __future__ import annotations

import re

# Units of production: name -> (class, factor to the class's base unit). Owners write units the
# way they speak and abbreviate them ("bks", "pcs", "ltr"); a unit followed by the product is
# fine ("500 potong kain").
UNITS: dict[str, tuple[str, float]] = {}
for _names, _unit in (
    (("potong", "ptg", "pcs", "pc", "piece", "pieces", "buah", "bh", "biji", "lembar", "lbr",
      "helai", "unit", "units", "item", "items", "kain", "pasang", "psg", "pair", "pairs", "stel",
      "set", "sets", "ekor", "porsi", "roll", "gulung"), ("pieces", 1)),
    (("kodi", "kd"), ("pieces", 20)),
    (("lusin", "lsn", "dozen", "dz"), ("pieces", 12)),
    (("gros", "gross"), ("pieces", 144)),
    (("bungkus", "bks", "bgks", "pak", "pack", "packs", "pck", "pax", "botol", "btl", "bottle",
      "bottles", "toples", "kotak", "box", "boxes", "dus", "kardus", "kaleng", "klg", "can",
      "cans", "sachet", "saset", "kemasan", "pouch", "jar", "jars", "bag", "bags"),
     ("pieces", 1)),
    (("kg", "kilo", "kilogram", "kilograms", "kgs"), ("kg", 1)),
    (("g", "gr", "gram", "grams"), ("kg", 0.001)),
    (("ons",), ("kg", 0.1)),
    (("kuintal", "kwintal", "kw"), ("kg", 100)),
    (("ton", "tons", "tonne", "tonnes"), ("kg", 1000)),
    (("liter", "l", "lt", "ltr", "litre", "liters", "litres"), ("liters", 1)),
    (("ml",), ("liters", 0.001)),
):
    for _name in _names:
        UNITS[_name] = _unit

# How many of a period make a month. A week is 52/12 of a month; a day counts six working days a
# week (26 a month), as small workshops mostly produce: reading a weekly figure as monthly makes
# an owner look four times smaller than they are.
PERIODS: dict[str, float] = {"day": 26, "week": 52 / 12, "month": 1, "year": 1 / 12}
_PERIOD_WORDS = {
    "hari": "day", "hr": "day", "day": "day", "days": "day",
    "minggu": "week", "mgg": "week", "pekan": "week", "week": "week", "weeks": "week",
    "bulan": "month", "bln": "month", "bl": "month", "month": "month", "months": "month",
    "tahun": "year", "thn": "year", "th": "year", "year": "year", "years": "year",
}
_PERIOD_ADJECTIVES = {
    "harian": "day", "daily": "day", "mingguan": "week", "weekly": "week",
    "bulanan": "month", "monthly": "month", "tahunan": "year", "yearly": "year",
    "annually": "year",
}
_PERIOD = re.compile(
    r"(?:\b(?:per|tiap|setiap|each|every|a|an|in|dalam|dlm)\s+(?:satu\s+|1\s+|one\s+)?"
    r"|/\s*|\bse)(" + "|".join(sorted(_PERIOD_WORDS, key=len, reverse=True)) + r")\b"
    r"|\b(" + "|".join(_PERIOD_ADJECTIVES) + r")\b",
    re.IGNORECASE,
)
ABOUT = re.compile(
    r"^(?:sekitar|kira-kira|kira2|kurang lebih|kurleb|rata-rata|rata2|about|around|approx\.?|"
    r"approximately|±|\+-|\+/-|~)\s*", re.IGNORECASE)
RANGE = re.compile(r"^([\d.,]+)\s*(?:-|–|sampai|s/d|s\.d\.|hingga|to)\s*[\d.,]+")
_AMOUNT = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?$|^(\d+)\.(\d{1,2})$")
# Numbers written as words: the owner is asked for digits instead of a guess.
NUMBER_WORDS = re.compile(
    r"\b(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|belas|puluh|"
    r"seratus|ratus|seribu|ribu|juta|setengah|one|two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|dozen)\b",
    re.IGNORECASE,
)


def parse_amount(text: str) -> float | None:
    """Read a number written the Indonesian way ("1.000", "2,5") or plainly ("2.5")."""
    match = _AMOUNT.match(text)
    if not match:
        return None
    if match.group(3) is not None:
        return float(f"{match.group(3)}.{match.group(4)}")
    whole = match.group(1).replace(".", "")
    return float(f"{whole}.{match.group(2)}") if match.group(2) else float(whole)


def read_period(text: str) -> tuple[str | None, str]:
    """The period a production figure is given for ("per minggu", "/hari", "sebulan") and the
    text without it; None when no period is written."""
    match = _PERIOD.search(text)
    if not match:
        return None, text
    word = (match.group(1) or match.group(2)).lower()
    period = _PERIOD_WORDS.get(word) or _PERIOD_ADJECTIVES[word]
    return period, (text[:match.start()] + " " + text[match.end():]).strip()
