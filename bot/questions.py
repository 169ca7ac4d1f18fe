"""The eligibility questionnaire of the export training (PRODUCT.md item 1), as data.

Ids are stored with every answer: never rename one. The four criteria decide eligibility (NIB,
own production, quality and quantity, a KTP of Kota Pekalongan); the readiness answers rank
applicants by "4K+1A": kualitas, kuantitas, kontinuitas, kemasan, administrasi.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.questionnaire import Condition, Kind, Option, Question, Questionnaire

YES_NO = (Option("yes", N_("Yes")), Option("no", N_("No")))

QUESTIONS = (
    Question(
        "name", Kind.TEXT, N_("What is your full name?"), N_("Name"), validator="person_name",
    ),
    Question(
        "business_name", Kind.TEXT, N_("What is the name of your business?"),
        N_("Business name"), validator="business_name",
    ),
    Question(
        "product_type", Kind.CHOICE, N_("What does your business make?"), N_("Product"),
        options=(
            Option("batik", N_("Batik")),
            Option("fish", N_("Processed fish products")),
            Option("other", N_("Something else")),
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
        N_("Does your business have an NIB (Nomor Induk Berusaha, the business ID from OSS)?"),
        N_("Has an NIB"),
        options=(Option("yes", N_("Yes, I have an NIB")), Option("no", N_("Not yet"))),
    ),
    Question(
        "nib", Kind.TEXT, N_("Please type your NIB (13 digits)."), N_("NIB"),
        hint=N_("It is printed on the NIB document from oss.go.id."), validator="nib",
        condition=Condition("has_nib", ("yes",)),
    ),
    Question(
        "own_production", Kind.CHOICE, N_("Do you make the products you sell yourself?"),
        N_("Own production"),
        options=(
            Option("own", N_("Yes, we make them ourselves")),
            Option("partly", N_("Partly; some are bought from others")),
            Option("resell", N_("No, I resell other people's products")),
        ),
    ),
    Question(
        "quality", Kind.MULTI,
        N_("Which certificates or quality proofs does your product have?"),
        N_("Quality proof"),
        hint=N_("Choose all that apply, then press Done."),
        options=(
            Option("sni", N_("SNI")),
            Option("halal", N_("Halal certificate")),
            Option("pirt", N_("PIRT (home food permit)")),
            Option("bpom", N_("BPOM")),
            Option("other", N_("Other (lab test, Batikmark, HKI)")),
            Option("none", N_("None yet")),
        ),
        exclusive=("none",),
    ),
    Question(
        "capacity", Kind.TEXT, N_("How much can you produce in one month?"),
        N_("Monthly capacity"),
        hint=N_("Type a number and a unit, for example: 500 pieces, 20 kodi or 200 kg."),
        validator="capacity",
    ),
    Question(
        "steady", Kind.CHOICE, N_("Is that amount steady from month to month?"),
        N_("Continuity"),
        options=(
            Option("steady", N_("Yes, steady every month")),
            Option("varies", N_("It goes up and down")),
            Option("seasonal", N_("Only in certain seasons")),
        ),
    ),
    Question(
        "packaging", Kind.CHOICE, N_("How is your product packaged?"), N_("Packaging"),
        options=(
            Option("export", N_("Export-ready: sturdy, labelled, English text")),
            Option("basic", N_("Packaged, not yet to export standard")),
            Option("none", N_("No packaging yet")),
        ),
    ),
    Question(
        "ktp_city", Kind.CHOICE,
        N_("Is the address on your KTP (identity card) in Kota Pekalongan?"),
        N_("KTP address in Kota Pekalongan"),
        hint=N_("We only ask about the address. We never ask for your NIK."),
        options=(
            Option("yes", N_("Yes, Kota Pekalongan")),
            Option("no", N_("No, somewhere else")),
        ),
    ),
    Question(
        "kecamatan", Kind.CHOICE, N_("In which kecamatan (district)?"), N_("Kecamatan"),
        options=(
            Option("barat", N_("Pekalongan Barat")),
            Option("timur", N_("Pekalongan Timur")),
            Option("utara", N_("Pekalongan Utara")),
            Option("selatan", N_("Pekalongan Selatan")),
        ),
        condition=Condition("ktp_city", ("yes",)),
    ),
    Question(
        "export_experience", Kind.CHOICE, N_("Have you exported before?"),
        N_("Export experience"),
        options=(
            Option("none", N_("Not yet")),
            Option("third_party", N_("Yes, through a trader or agent")),
            Option("direct", N_("Yes, directly myself")),
        ),
    ),
    Question(
        "phone", Kind.PHONE,
        N_("Which phone number can the office reach you on (WhatsApp if possible)?"),
        N_("Phone"),
        hint=N_("Type it, or press the button below to share your number."),
        validator="phone",
    ),
)

QUESTIONNAIRE = Questionnaire(version="2026-11", questions=QUESTIONS)

# Question ids other modules name (storage queries take them as parameters, never as literals).
NAME = "name"
BUSINESS_NAME = "business_name"
