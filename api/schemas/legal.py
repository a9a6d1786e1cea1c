"""Legal guidance: asking, escalating to the lawyers, and the lawyers' answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from api.models.legal import QuestionStatus
from api.schemas.common import InputModel, LocalDateTime

Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
Context = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
AnswerText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Paraphrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class AskIn(InputModel):
    question: Question
    escalate: bool = False
    # What the caseworker and the bot said before (sent along to the lawyers when escalating).
    context: Context | None = None


class CitationOut(BaseModel):
    reference: str | None = Field(
        description="exactly as the note writes it; null when it cites none"
    )
    source_file: str
    source_date: str
    source_title: str = Field(
        description="the source as people see it: document title and date (kkshared.sources)"
    )
    quote: str | None


class AlternativeOut(BaseModel):
    note_id: str
    title: str


class SourcePassageOut(BaseModel):
    """With a refusal: a passage of a source document that covers the question (no note does)."""

    text: str = Field(description="the passage exactly as written in the source")
    file: str
    date: str
    title: str = Field(description="the source as people see it: document title and date")
    references: list[str] = Field(description="the legal references the passage states")


class AskOut(BaseModel):
    status: Literal["answered", "clarify", "refused"]
    answer: str | None = Field(description="the note's answer followed by its status notice")
    note_id: str | None
    citations: list[CitationOut]
    confidence: float
    ticket_id: str | None = Field(description="set when the question was sent to the lawyers")
    alternative: AlternativeOut | None
    notice: str = Field(description="a Danish sentence for the caseworker")
    source_passage: SourcePassageOut | None = Field(
        default=None,
        description="only with status refused: the source passage that covers the question",
    )


class QuestionOut(BaseModel):
    """A question in the lawyers' postkasse, with the answer when there is one."""

    ticket_id: str
    status: QuestionStatus
    question: str
    context: str | None
    asker_user_id: str
    asker_role: str
    asked_at: LocalDateTime
    advice_status: str
    advice_note_id: str | None
    answer: str | None
    answer_references: list[str]
    citations: list[CitationOut]
    answered_at: LocalDateTime | None
    answered_by: str | None
    answered_by_name: str | None
    note_id: str | None
    seen_by_asker_at: LocalDateTime | None


class AnswerIn(InputModel):
    answer: AnswerText
    references: list[Reference] = Field(default_factory=list, max_length=50)
    publish: bool = False
    title: Title | None = None
    questions: list[Paraphrase] = Field(
        default_factory=list, max_length=20, description="paraphrases of the question for the note"
    )

    @model_validator(mode="after")
    def _title_when_publishing(self) -> AnswerIn:
        if self.publish and not (self.title and len(self.title) >= 3):
            raise ValueError("a title of at least 3 characters is required to publish")
        return self
