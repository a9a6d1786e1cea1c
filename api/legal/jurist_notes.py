"""Notes published by a jurist from the postkasse, and the checks they must pass.

A knowledge-file note is checked against its seed document
(``kkshared.knowledge.check_legal_note``). A jurist's note has no seed document, so only the
reference checks apply: every listed reference is one legal reference, and every reference the
answer cites is among the listed ones (compared as tokens by ``kkshared.legal_refs``, with a bare
"§ 17" inheriting the law named before it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kkshared.knowledge import MAX_QUOTE_WORDS, LegalNote, Source, SourceTexts, check_legal_note
from kkshared.legal_refs import extract_references, parse_reference
from kkshared.sources import POSTKASSE_SOURCE_PREFIX

JURIST_STATUS = "besvaret af jurist"
POSTKASSE_SECTION = "Juridisk postkasse"
JURIST_OFFICE = "Centralforvaltningen (juridisk postkasse)"


@dataclass(frozen=True)
class Problem:
    code: str  # "not_a_reference" | "not_among_references"
    reference: str

    def english(self) -> str:
        if self.code == "not_a_reference":
            return f"not a single legal reference: {self.reference!r}"
        return f"the answer cites {self.reference}, which is not among the references"

    def danish(self) -> str:
        if self.code == "not_a_reference":
            return (
                f"»{self.reference}« kan ikke læses som én lovhenvisning (skriv fx »LAB § 16 a, "
                "stk. 5«)."
            )
        return f"Svaret henviser til {self.reference}, men den står ikke blandt henvisningerne."


def check_answer_references(answer: str, references: Sequence[str]) -> list[Problem]:
    problems = []
    for reference in references:
        try:
            parse_reference(reference)
        except ValueError:
            problems.append(Problem("not_a_reference", reference))
    # One citation string, so a bare "§ 17, stk. 2" after "LAB § 16 a" is LAB's (as in
    # check_legal_note).
    listed = extract_references("; ".join(references))
    for cited in extract_references(answer):
        if not any(cited.is_satisfied_by(ref) for ref in listed):
            problems.append(Problem("not_among_references", cited.key))
    return problems


def quote_of(answer: str) -> str:
    """The first at most 30 words of the answer (the "quote" of a jurist's note)."""
    words = answer.split()
    quote = " ".join(words[:MAX_QUOTE_WORDS])
    return quote if len(words) <= MAX_QUOTE_WORDS else quote + " …"


def postkasse_source_file(ticket_id: str) -> str:
    return POSTKASSE_SOURCE_PREFIX + ticket_id


def jurist_note_id(ticket_id: str) -> str:
    return f"postkasse-{ticket_id.lower()}"


def jurist_note(
    ticket_id: str,
    title: str,
    questions: Sequence[str],
    answer: str,
    references: Sequence[str],
    day: date,
) -> LegalNote:
    return LegalNote(
        id=jurist_note_id(ticket_id),
        title=title,
        questions=tuple(questions),
        answer=" ".join(answer.split()),
        references=tuple(references),
        source=Source(
            file=postkasse_source_file(ticket_id),
            date=day.isoformat(),
            quote=quote_of(answer),
            section=POSTKASSE_SECTION,
            row=ticket_id,
        ),
        date=day.isoformat(),
        office=JURIST_OFFICE,
        status=JURIST_STATUS,
        extra={"origin": "jurist"},
    )


def is_jurist_note(note: LegalNote) -> bool:
    return note.source.file.startswith(POSTKASSE_SOURCE_PREFIX)


def note_problems(note: LegalNote, texts: SourceTexts) -> list[str]:
    """Checks for ``note``: the full source checks, or only the reference checks for a jurist's."""
    if is_jurist_note(note):
        return [p.english() for p in check_answer_references(note.answer, note.references)]
    return check_legal_note(note, texts)
