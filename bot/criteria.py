"""The training's rules as data: the four criteria (five checks), their next steps, and the
readiness scores, keyed by the questionnaire's question and option ids.

`check` matches the rules against a questionnaire when the bot starts: a rule naming a question
or an option the questionnaire does not have stops start-up with one sentence, so renaming an
option in `questions.py` cannot silently turn a criterion off. Criterion and part ids are stored
with every result: never rename one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.config import QuestionnaireConfig
from bot.i18n import N_
from bot.questionnaire import Kind, Questionnaire, QuestionnaireError

PART_MAX = 20  # each readiness part scores 0-20; five parts make 0-100


def capacity_ratio(value: Any, config: QuestionnaireConfig) -> float:
    """Monthly production as a share of the minimum for its kind of unit (1.0 = just enough)."""
    if not isinstance(value, Mapping):
        return 0.0
    minimum = minimum_for(value, config)
    base = float(value.get("base", 0) or 0)
    return base / minimum if minimum > 0 else (1.0 if base > 0 else 0.0)


def minimum_for(capacity: Mapping[str, Any], config: QuestionnaireConfig) -> float:
    """The minimum monthly production for the capacity's unit class."""
    return {
        "pieces": config.min_monthly_pieces,
        "kg": config.min_monthly_kg,
        "liters": config.min_monthly_liters,
    }.get(str(capacity.get("class", "")), config.min_monthly_pieces)


def capacity_points(value: Any, config: QuestionnaireConfig) -> int:
    """Quantity points: below the minimum up to 8; the minimum 10; five times it or more 20."""
    ratio = capacity_ratio(value, config)
    return 10 + round(10 * min(ratio - 1, 4) / 4) if ratio >= 1 else round(8 * ratio)


# Named measures of typed answers: (does it meet the criterion, how many points).
MEASURES: dict[str, tuple[Callable[[Any, QuestionnaireConfig], bool],
                          Callable[[Any, QuestionnaireConfig], int]]] = {
    "capacity": (lambda value, config: capacity_ratio(value, config) >= 1, capacity_points),
}


@dataclass(frozen=True)
class Answer:
    """A test of one stored answer.

    `values`: a choice answer is one of them, a multi answer includes one of them; `measure`: a
    named test of a typed answer; neither: the question is answered at all.
    """

    question: str
    values: tuple[str, ...] = ()
    measure: str = ""

    def holds(self, answers: Mapping[str, Any], config: QuestionnaireConfig) -> bool:
        """True when the stored answer passes the test (False while unanswered)."""
        value = answers.get(self.question)
        if value in (None, "", []):
            return False
        if self.measure:
            return MEASURES[self.measure][0](value, config)
        if not self.values:
            return True
        if isinstance(value, list):
            return any(v in self.values for v in value)
        return value in self.values


@dataclass(frozen=True)
class Advice:
    """A next step for an unmet criterion, given when `when` holds (None: always)."""

    text: str  # msgid; may use {minimum}
    when: Answer | None = None


@dataclass(frozen=True)
class Criterion:
    """One requirement of the training: met when every answer test holds."""

    id: str
    name: str
    button: str  # the label of the button that shows the whole next step (at most 17)
    met: tuple[Answer, ...]
    hint: tuple[Advice, ...]  # one line for the result: the first that applies
    advice: tuple[Advice, ...]  # the whole next step, a tap away: the first that applies
    final: bool = False  # the owner cannot meet it by working on the business: said at once
    office: bool = False  # the office can help: its contact goes with the advice

    def holds(self, answers: Mapping[str, Any], config: QuestionnaireConfig) -> bool:
        """True when the answers meet this criterion."""
        return all(test.holds(answers, config) for test in self.met)


@dataclass(frozen=True)
class Part:
    """One readiness part, scored 0-PART_MAX from one answer.

    Exactly one way of scoring: `points` per chosen option (a choice question), `by_count`
    points by how many options are chosen (a multi question; its exclusive options count none,
    the last figure repeats), `measure` (a typed answer), or `when` (PART_MAX when every test
    holds, else 0).
    """

    id: str
    name: str
    question: str
    points: Mapping[str, int] = field(default_factory=dict)
    by_count: tuple[int, ...] = ()
    ignore: tuple[str, ...] = ()
    measure: str = ""
    when: tuple[Answer, ...] = ()

    def score(self, answers: Mapping[str, Any], config: QuestionnaireConfig) -> int:
        """The part's points for these answers."""
        value = answers.get(self.question)
        if self.points:
            return self.points.get(str(value), 0) if value is not None else 0
        if self.by_count:
            chosen = len([v for v in value or () if v not in self.ignore])
            return self.by_count[min(chosen, len(self.by_count) - 1)]
        if self.measure:
            return MEASURES[self.measure][1](value, config) if value is not None else 0
        return PART_MAX if all(test.holds(answers, config) for test in self.when) else 0


@dataclass(frozen=True)
class Rules:
    """The criteria in the order they are explained, and the readiness parts."""

    criteria: tuple[Criterion, ...]
    parts: tuple[Part, ...]

    def criterion(self, criterion_id: str) -> Criterion | None:
        """The criterion with this id, if any."""
        return next((c for c in self.criteria if c.id == criterion_id), None)


CITY = ("barat", "timur", "utara", "selatan")
CERTIFICATES = ("sni", "halal", "pirt", "bpom", "other")

RULES = Rules(
    criteria=(
        Criterion(
            "nib", N_("NIB (business ID number)"), N_("NIB"),
            met=(Answer("has_nib", ("yes",)), Answer("nib")),
            hint=(Advice(N_("free and at once at oss.go.id")),),
            advice=(Advice(N_(
                "Get an NIB for free at https://oss.go.id: sign up with your NIK and e-mail, "
                "choose a micro or small business (UMK) and fill in your business details; the "
                "NIB is issued at once. We can help you do it at our office, or at the Mal "
                "Pelayanan Publik.")),),
            office=True,
        ),
        Criterion(
            "own_production", N_("Own production"), N_("Own production"),
            met=(Answer("own_production", ("own", "partly")),),
            hint=(Advice(N_("the training is for makers of their own products")),),
            advice=(Advice(N_(
                "The training is for businesses that make their own products, alone or with a "
                "group of makers. When you produce yourself, change this answer and send your "
                "answers again.")),),
        ),
        Criterion(
            "quality", N_("Proof of product quality"), N_("Quality proof"),
            met=(Answer("quality", CERTIFICATES),),
            hint=(
                Advice(N_("SPP-IRT or BPOM, and a halal certificate"), Answer("product_type",
                                                                            ("fish",))),
                Advice(N_("Batikmark or SNI for batik"), Answer("product_type", ("batik",))),
                Advice(N_("a certificate that fits your product")),
            ),
            advice=(
                Advice(N_(
                    "For processed fish: apply for an SPP-IRT (home food production permit) "
                    "through OSS at https://oss.go.id, or register with BPOM; and get a free "
                    "halal certificate through SEHATI at https://ptsp.halal.go.id."),
                    Answer("product_type", ("fish",))),
                Advice(N_(
                    "For batik: apply for the Batikmark label at BBKB Yogyakarta (Balai Besar "
                    "Kerajinan dan Batik), or for SNI certification of batik. We can tell you "
                    "how to apply."), Answer("product_type", ("batik",))),
                Advice(N_(
                    "Get a certificate that fits your product: SNI, halal, SPP-IRT (through "
                    "OSS) or BPOM. We can tell you which one you need.")),
            ),
            office=True,
        ),
        Criterion(
            "quantity", N_("Production quantity"), N_("Quantity"),
            met=(Answer("capacity", measure="capacity"),),
            hint=(Advice(N_("at least {minimum} a month")),),
            advice=(Advice(N_(
                "Export buyers need a steady supply: at least {minimum} a month. Producing "
                "together with other makers, in a cooperative or a business group, can get you "
                "there; then change this answer.")),),
            office=True,
        ),
        Criterion(
            "ktp", N_("KTP address in Kota Pekalongan"), N_("KTP address"),
            met=(Answer("ktp_city", ("yes",)), Answer("kecamatan", CITY)),
            hint=(Advice(N_("the training is for owners with a KTP of the city")),),
            advice=(
                Advice(N_(
                    "This training is for owners with a KTP address in Kota Pekalongan. "
                    "Kabupaten Pekalongan (Kajen, Kedungwuni, Wiradesa, Buaran and others) has "
                    "its own government and trade office: ask it about its export training."),
                    Answer("ktp_city", ("kabupaten",))),
                Advice(N_(
                    "This training is for owners with a KTP address in Kota Pekalongan. Ask "
                    "the trade office of your own city or regency about its export training.")),
            ),
            final=True,
        ),
    ),
    parts=(
        Part("kualitas", N_("Quality"), "quality", by_count=(0, 14, PART_MAX), ignore=("none",)),
        Part("kuantitas", N_("Quantity"), "capacity", measure="capacity"),
        Part("kontinuitas", N_("Steady supply"), "steady",
             points={"steady": PART_MAX, "varies": 10, "seasonal": 5}),
        Part("kemasan", N_("Packaging"), "packaging", points={"export": PART_MAX, "basic": 10}),
        Part("administrasi", N_("NIB"), "nib",
             when=(Answer("has_nib", ("yes",)), Answer("nib"))),
    ),
)


def check(rules: Rules, questionnaire: Questionnaire) -> None:
    """Match the rules against the questionnaire; raise QuestionnaireError naming the first
    rule that refers to a question, an option or a measure that does not exist."""
    for owner, tests in _tests(rules):
        for test in tests:
            problem = _problem(test.question, test.values, questionnaire)
            if problem is None and test.measure and test.measure not in MEASURES:
                problem = f"the measure {test.measure!r}, which does not exist"
            if problem:
                raise QuestionnaireError(
                    f"The eligibility rules do not match the questionnaire: {owner} refers to "
                    f"{problem}.")
    for part in rules.parts:
        question = questionnaire.get(part.question)
        problem = _problem(part.question, (*part.points, *part.ignore), questionnaire)
        if problem is None and question is not None and (
            (part.points and question.kind != Kind.CHOICE)
            or (part.by_count and question.kind != Kind.MULTI)
        ):
            problem = f"question {part.question!r}, which is not a question of that kind"
        if problem is None and part.measure and part.measure not in MEASURES:
            problem = f"the measure {part.measure!r}, which does not exist"
        if problem:
            raise QuestionnaireError(
                f"The readiness scores do not match the questionnaire: part {part.id!r} refers "
                f"to {problem}.")


def _tests(rules: Rules) -> list[tuple[str, list[Answer]]]:
    found = []
    for c in rules.criteria:
        advice = [a.when for a in (*c.hint, *c.advice) if a.when is not None]
        found.append((f"criterion {c.id!r}", [*c.met, *advice]))
    found += [(f"part {p.id!r}", list(p.when)) for p in rules.parts]
    return found


def _problem(question_id: str, values: tuple[str, ...],
             questionnaire: Questionnaire) -> str | None:
    question = questionnaire.get(question_id)
    if question is None:
        return f"question {question_id!r}, which the questionnaire does not have"
    for value in values:
        if question.option(value) is None:
            return f"option {value!r} of question {question_id!r}, which it does not have"
    return None
