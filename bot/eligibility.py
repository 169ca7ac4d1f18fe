"""Eligibility (the criteria) and readiness (the five parts), computed from stored answers.

Pure functions over the rules of `bot.criteria`: the same answers and thresholds always give the
same result, so the result can be recomputed by staff tools and tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.config import QuestionnaireConfig
from bot.criteria import PART_MAX, RULES, Criterion, Rules, minimum_for
from bot.questionnaire import Questionnaire

__all__ = ["CRITERIA", "PARTS", "PART_MAX", "Result", "evaluate", "final_unmet", "threshold"]

# The ids of the criteria and the readiness parts, in the order they are shown (stored ids).
CRITERIA = tuple(c.id for c in RULES.criteria)
PARTS = tuple(p.id for p in RULES.parts)


@dataclass(frozen=True)
class Result:
    """The outcome of a finished questionnaire."""

    eligible: bool
    unmet: tuple[str, ...]
    readiness: int
    parts: Mapping[str, int]


def threshold(capacity: Mapping[str, Any], config: QuestionnaireConfig) -> float:
    """The minimum monthly production for the capacity's unit class."""
    return minimum_for(capacity, config)


def evaluate(answers: Mapping[str, Any], config: QuestionnaireConfig,
             rules: Rules = RULES) -> Result:
    """Check every criterion and score readiness."""
    unmet = tuple(c.id for c in rules.criteria if not c.holds(answers, config))
    parts = {part.id: part.score(answers, config) for part in rules.parts}
    return Result(eligible=not unmet, unmet=unmet, readiness=sum(parts.values()), parts=parts)


def final_unmet(answers: Mapping[str, Any], questionnaire: Questionnaire,
                config: QuestionnaireConfig, rules: Rules = RULES) -> tuple[Criterion, ...]:
    """The criteria the owner cannot meet by working on the business, already decided unmet.

    Decided: every question the criterion tests is answered or no longer asked (a question
    whose condition does not hold), so no later answer can meet it.
    """
    relevant = {q.id for q in questionnaire.relevant(answers)}
    decided = []
    for criterion in rules.criteria:
        if not criterion.final or criterion.holds(answers, config):
            continue
        if all(t.question in answers or t.question not in relevant for t in criterion.met):
            decided.append(criterion)
    return tuple(decided)
