"""The questions whose answers the staff queries read as columns.

The ids are the questionnaire's (`bot.questions`); the core hands them to the database when it
starts (`Database.columns`), so no question id is written into a query: rename a question and
its id follows, or start-up stops naming the missing one (`bot.core`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass(frozen=True)
class Columns:
    """The question ids of the owner's name, business name, product type and kecamatan."""

    name: str
    business: str
    product: str
    kecamatan: str

    def __post_init__(self) -> None:
        # The ids are put into generated SQL as string literals, so only plain ids pass.
        for question in self.ids():
            if not _ID.fullmatch(question):
                raise ValueError(f"{question!r} is not a question id")

    def ids(self) -> tuple[str, ...]:
        """Every id, in field order."""
        return tuple(getattr(self, field.name) for field in fields(self))

    def answer(self, question: str, owner: str = "o.id") -> str:
        """The SQL of the answer to `question` (one of these ids) of the owner `owner`."""
        assert question in self.ids()
        return (f"(SELECT json_extract(a.value, '$') FROM answers a WHERE a.owner_id = {owner}"
                f" AND a.question_id = '{question}')")
