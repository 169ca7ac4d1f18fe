"""The eligibility questionnaire of the export training (PRODUCT.md item 1), as data.

Ids are stored with every answer: never rename one (new option values may be added). The rules
that decide eligibility and readiness are in `bot.criteria`, keyed by these ids. The question
that decides most often and cannot be fixed by the owner, the KTP address, comes first, so an
owner from Kabupaten Pekalongan or elsewhere learns it before answering everything else.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.questionnaire import Condition, Kind, Option, Question, Questionnaire

# Kecamatan of Kabupaten Pekalongan (the regency around the city, a different government):
# owners from there often just say "Pekalongan"; typed, each is understood as "Kabupaten".
KABUPATEN = (
    "kajen", "kedungwuni", "wiradesa", "buaran", "tirto", "wonopringgo", "bojong",
    "karanganyar", "kesesi", "sragi", "siwalan", "wonokerto", "karangdadap", "doro", "talun",
    "petungkriyono", "lebakbarang", "paninggaran", "kandangserang",
)
CITY_ALIASES = ("kota", "kota pekalongan", "kota pkl", "pekalongan kota")

QUESTIONS = (
    Question(
        "ktp_city", Kind.CHOICE, N_("In which kecamatan is the address on your KTP?"),
        N_("KTP"),
        hint=N_("For KTP addresses in Kota Pekalongan only, not the Kabupaten (Kajen, "
                "Kedungwuni…)."),
        options=(
            Option("yes", N_("Kota Pekalongan"), inline="kecamatan", aliases=CITY_ALIASES),
            Option("kabupaten", N_("Kabupaten Pekalongan"),
                   N_("Kajen, Kedungwuni, Wiradesa, Buaran and others"),
                   aliases=("kabupaten", "kab", "kab.", "kabupaten pekalongan",
                            "kab pekalongan", "kab. pekalongan", *KABUPATEN)),
            Option("no", N_("Elsewhere"), N_("Another city or regency"),
                   aliases=("lain", "lainnya", "luar", "luar kota", "other", "elsewhere")),
        ),
    ),
    Question(
        "kecamatan", Kind.CHOICE, N_("In which kecamatan (district) of the city?"),
        N_("Kecamatan"),
        options=(
            Option("barat", N_("Pekalongan Barat"), N_("Kota Pekalongan"),
                   aliases=("barat", "west", "pekalongan barat")),
            Option("timur", N_("Pekalongan Timur"), N_("Kota Pekalongan"),
                   aliases=("timur", "east", "pekalongan timur")),
            Option("utara", N_("Pekalongan Utara"), N_("Kota Pekalongan"),
                   aliases=("utara", "north", "pekalongan utara")),
            Option("selatan", N_("Pekalongan Selatan"), N_("Kota Pekalongan"),
                   aliases=("selatan", "south", "pekalongan selatan")),
            Option("other", N_("Another kecamatan"),
                   N_("Not one of these four: outside Kota Pekalongan"),
                   aliases=("lain", "lainnya", "other", *KABUPATEN), alone=True),
        ),
        condition=Condition("ktp_city", ("yes",)),
    ),
    Question(
        "name", Kind.TEXT, N_("What is your full name?"), N_("Name"), validator="person_name",
    ),
    Question(
        "business_name", Kind.TEXT, N_("What is the name of your business?"),
        N_("Business"), validator="business_name", summary_with="name",
    ),
    Question(
        "product_type", Kind.CHOICE, N_("What does your business make?"), N_("Product"),
        options=(
            Option("batik", N_("Batik")),
            Option("fish", N_("Processed fish"),
                   N_("Smoked or salted fish, crackers, shredded fish…"),
                   aliases=("ikan", "fish", "olahan ikan", "olahan hasil ikan")),
            Option("other", N_("Something else"), aliases=("lain", "lainnya", "other")),
        ),
    ),
    Question(
        "product_other", Kind.TEXT,
        N_("What product do you make? For example: snacks, crafts, furniture."),
        N_("Product (other)"), validator="short_text",
        condition=Condition("product_type", ("other",)),
    ),
    Question(
        "has_nib", Kind.CHOICE,
        N_("Do you have an NIB (from OSS)? Type its 13 digits, or press Not yet."),
        N_("NIB"),
        options=(Option("yes", N_("Yes, I have one"), inline="nib",
                        aliases=("ya", "iya", "sudah", "yes")),
                 Option("no", N_("Not yet"), N_("I will get one"),
                        aliases=("belum", "tidak", "no", "belum punya"))),
    ),
    Question(
        "nib", Kind.TEXT, N_("Please type your NIB (13 digits)."), N_("NIB number"),
        hint=N_("It is printed on the NIB document from oss.go.id."), validator="nib",
        condition=Condition("has_nib", ("yes",)),
    ),
    Question(
        "own_production", Kind.CHOICE, N_("Do you make the products you sell yourself?"),
        N_("Own production"),
        options=(
            Option("own", N_("Yes, all of them"), aliases=("ya", "iya", "yes", "semua")),
            Option("partly", N_("Partly"), N_("Some are bought from others"),
                   aliases=("sebagian",)),
            Option("resell", N_("No"), N_("I sell products made by others"),
                   aliases=("tidak", "no")),
        ),
    ),
    Question(
        "quality", Kind.MULTI,
        N_("Which proofs of quality does your product have? Choose all, then press Done."),
        N_("Quality proof"),
        options=(
            Option("sni", N_("SNI"), N_("Indonesian National Standard")),
            Option("halal", N_("Halal"), N_("Halal certificate")),
            Option("pirt", N_("PIRT / SPP-IRT"), N_("Home food production permit")),
            Option("bpom", N_("BPOM"), N_("Food and drug registration")),
            Option("other", N_("Other"), N_("Lab test, Batikmark, registered brand…")),
            Option("none", N_("None yet")),
        ),
        exclusive=("none",),
    ),
    Question(
        "capacity", Kind.TEXT, N_("How much can you produce?"),
        N_("Production"),
        hint=N_("For example 20 kodi a month, or 100 kg a week."),
        validator="capacity",
    ),
    Question(
        "steady", Kind.CHOICE, N_("Is that amount steady every month?"),
        N_("Steady"), summary_with="capacity",
        options=(
            Option("steady", N_("Yes, steady"), aliases=("ya", "iya", "yes", "stabil")),
            Option("varies", N_("Goes up and down"), aliases=("naik turun",)),
            Option("seasonal", N_("Only in seasons"), N_("Only in certain seasons"),
                   aliases=("musiman",)),
        ),
    ),
    Question(
        "packaging", Kind.CHOICE,
        N_("How is your product packaged? Export-ready: sturdy, labelled, in English."),
        N_("Packaging"),
        options=(
            Option("export", N_("Export-ready"), N_("Sturdy, labelled, text in English")),
            Option("basic", N_("Not yet for export"), N_("Packaged, not yet to export standard")),
            Option("none", N_("Not packaged")),
        ),
    ),
    Question(
        "export_experience", Kind.CHOICE, N_("Have you exported before?"),
        N_("Export"),
        options=(
            Option("none", N_("Not yet"), aliases=("belum", "no")),
            Option("third_party", N_("Through a trader"), N_("Through a trader or an agent")),
            Option("direct", N_("Yes, directly"), N_("I export myself")),
        ),
    ),
    Question(
        "phone", Kind.PHONE,
        N_("Which phone number can we reach you on (WhatsApp if possible)?"),
        N_("Phone"),
        validator="phone",
    ),
)

QUESTIONNAIRE = Questionnaire(version="2026-12", questions=QUESTIONS)

# Question ids other modules name (storage queries take them as parameters, never as literals).
NAME = "name"
BUSINESS_NAME = "business_name"
PRODUCT_TYPE = "product_type"
KECAMATAN = "kecamatan"
# The staff's breakdowns and audiences by an answer: their name → the question.
BY_ANSWER = {"product": PRODUCT_TYPE, "kecamatan": KECAMATAN}
