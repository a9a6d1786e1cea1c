"""What a conversation's events mean: the definitions of docs/analytics.md, in code.

A *conversation* is one Rasa session of one conversation id (a new one begins with
``action_session_start``, after 60 minutes of silence). Its channel comes from the id's prefix
(``anon:`` web anonymous, ``kk:`` web logged in, ``sms:`` SMS) and becomes ``legal`` once the
legal mode (the ``legal_mode`` loop) runs in it. Counted per conversation:

- ``messages``: user messages (all of them, also inside forms and the legal mode);
- ``turns``: user messages outside a form or the legal mode (questions the assistant must answer);
- ``fallbacks``: turns the assistant did not understand: intent ``nlu_fallback`` (the third answer
  tier, ``kk_answer.tier = 3``) or ``gibberish``; ``dont_know``: of those, the ones answered with
  "det ved jeg ikke" (``utter_dont_know``); ``low_confidence``: turns answered with a quoted
  source passage (intent ``source_answer``, tier 2) because no catalogue answer was sure;
- ``handovers``: ``action_handover`` ran (the person asked for a human) or the assistant handed
  over after two failed understandings (``utter_handover_after_fallback``);
- ``forms_sent``: a form's receipt was said (``utter_absence_sent``, ``utter_reschedule_sent``,
  ``utter_message_sent``: the case service confirmed it);
- ``answers``: catalogue answers said (``utter_faq/<entry id>``), also kept one by one;
- legal mode: answers said (``utter_legal_answer`` with status answered or clarify), refusals
  (``utter_legal_refused_answer``, ``utter_legal_source_passage``), ``asked`` (those and
  ``utter_legal_unavailable``) and ``escalated`` (``utter_legal_escalated``: a ticket was made).

*Contained*: a conversation with at least one message, no handover and no fallback turn.
Unanswered turns (fallback, "don't know", low confidence) are kept with their text, which the
channels masked before Rasa saw it and which is masked again here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from api.analytics.decode import Event, Row, as_row
from api.analytics.keys import KK_PREFIX, SMS_PREFIX, Hasher
from kkshared.pii import mask_pii

WEB_ANONYMOUS = "web_anonymous"
WEB_LOGGED_IN = "web_logged_in"
SMS = "sms"
LEGAL = "legal"
CHANNELS = (WEB_ANONYMOUS, WEB_LOGGED_IN, SMS, LEGAL)

FALLBACK = "fallback"
DONT_KNOW = "dont_know"
LOW_CONFIDENCE = "low_confidence"

FAILURE_INTENTS = frozenset({"nlu_fallback", "gibberish"})
SOURCE_ANSWER_INTENT = "source_answer"
SESSION_START_ACTION = "action_session_start"
HANDOVER_ACTION = "action_handover"
HANDOVER_AFTER_FALLBACK = "utter_handover_after_fallback"
DONT_KNOW_RESPONSE = "utter_dont_know"
FAQ_PREFIX = "utter_faq/"
FAQ_PREFIX_LENGTH = len(FAQ_PREFIX)
FORM_RECEIPTS = frozenset({"utter_absence_sent", "utter_reschedule_sent", "utter_message_sent"})
LEGAL_LOOP = "legal_mode"
LEGAL_ANSWER = "utter_legal_answer"
LEGAL_REFUSALS = frozenset({"utter_legal_refused_answer", "utter_legal_source_passage"})
LEGAL_UNAVAILABLE = "utter_legal_unavailable"
LEGAL_ESCALATED = "utter_legal_escalated"
MAX_QUESTION_CHARS = 1000
# mask_pii replaces CPR and phone numbers (digits) and e-mail addresses ("@"): a text with
# neither is returned as it is, without running its patterns.
_MAYBE_PII = re.compile(r"[\d@]")


def channel_of(sender_id: str) -> tuple[str, str]:
    """(channel, retention kind) of a conversation id."""
    if sender_id.startswith(SMS_PREFIX):
        return SMS, "sms"
    if sender_id.startswith(KK_PREFIX):
        return WEB_LOGGED_IN, "kk"
    return WEB_ANONYMOUS, "anon"


def local_day(timestamp: float, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(timestamp, tz).date()


def utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def mask_question(text: str) -> str:
    """The question as kept: whitespace collapsed, ``mask_pii``, at most MAX_QUESTION_CHARS."""
    text = " ".join(text.split())
    if _MAYBE_PII.search(text) is not None:
        text = mask_pii(text)
    return text[:MAX_QUESTION_CHARS]


@dataclass(slots=True)
class Conversation:
    id: str
    sender_key: str
    feedback_key: str | None
    channel: str
    kind: str
    day: date
    started_at: float
    last_event_at: float
    messages: int = 0
    turns: int = 0
    fallbacks: int = 0
    dont_know: int = 0
    low_confidence: int = 0
    handovers: int = 0
    forms_sent: int = 0
    answers: int = 0
    feedback_up: int = 0
    feedback_down: int = 0
    legal_asked: int = 0
    legal_answered: int = 0
    legal_clarify: int = 0
    legal_refused: int = 0
    legal_escalated: int = 0
    active_loop: str | None = None
    last_question_id: int | None = None
    stored: bool = False  # the row exists in the database (UPDATE instead of INSERT)


# One catalogue answer said: (conversation id, entry id, channel, day, time). A plain tuple: a
# first aggregation of 100,000 conversations makes about 150,000 of them.
Answer = tuple[str, str, str, date, float]


@dataclass(slots=True)
class Question:
    id: int
    conversation_id: str
    outcome: str
    text: str
    channel: str
    day: date
    at: float


@dataclass
class Facts:
    """The facts a run of the job produced: conversations touched, answers and questions."""

    conversations: list[Conversation] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    questions: dict[int, Question] = field(default_factory=dict)
    # Outcome changes of questions stored by an earlier run (a "don't know" after a batch ended).
    question_updates: dict[int, str] = field(default_factory=dict)


class FactBuilder:
    """Applies events in id order; ``open`` holds each conversation id's current conversation
    (the caller preloads those an earlier run left open)."""

    def __init__(self, hasher: Hasher, tz: ZoneInfo) -> None:
        self.hasher = hasher
        self.tz = tz
        self.open: dict[str, Conversation] = {}
        self.facts = Facts()

    def _start(self, sender_id: str, timestamp: float) -> Conversation:
        channel, kind = channel_of(sender_id)
        hasher = self.hasher
        sender_key, feedback_key = hasher.sender_keys(sender_id)
        conversation = Conversation(
            hasher.conversation_id(sender_id, timestamp),
            sender_key,
            feedback_key,
            channel,
            kind,
            local_day(timestamp, self.tz),
            timestamp,
            timestamp,
        )
        self.open[sender_id] = conversation
        self.facts.conversations.append(conversation)
        return conversation

    def resume(self, sender_id: str, conversation: Conversation) -> None:
        """An earlier run's latest conversation of ``sender_id`` continues with the next events."""
        self.open[sender_id] = conversation
        self.facts.conversations.append(conversation)

    def apply(self, event: Event) -> None:
        self.apply_rows((as_row(event),))

    def apply_rows(self, rows: Iterable[Row]) -> None:
        """Apply events in id order (``api.analytics.decode.Row``). One loop with the frequent
        cases inline: a first aggregation of 100,000 conversations applies over 600,000 events."""
        open_conversation = self.open.get
        start = self._start
        answer = self.facts.answers.append
        for event_id, sender_id, kind, name, timestamp, text, status in rows:
            conversation = open_conversation(sender_id)
            if conversation is None or (
                conversation.messages > 0
                and (
                    kind == "session_started" or (kind == "action" and name == SESSION_START_ACTION)
                )
            ):
                conversation = start(sender_id, timestamp)
            if timestamp > conversation.last_event_at:
                conversation.last_event_at = timestamp
            if kind == "user":
                conversation.messages += 1
                conversation.last_question_id = None
                if conversation.active_loop is not None:
                    continue  # an answer to a form's question, or a legal question (bot counts)
                conversation.turns += 1
                if name in FAILURE_INTENTS:
                    conversation.fallbacks += 1
                    self._question(conversation, event_id, text, timestamp, FALLBACK)
                elif name == SOURCE_ANSWER_INTENT:
                    conversation.low_confidence += 1
                    self._question(conversation, event_id, text, timestamp, LOW_CONFIDENCE)
            elif kind == "bot":
                if name is None:
                    continue
                if name.startswith(FAQ_PREFIX):
                    conversation.answers += 1
                    # counted on the conversation's day, like everything
                    answer(
                        (
                            conversation.id,
                            name[FAQ_PREFIX_LENGTH:],
                            conversation.channel,
                            conversation.day,
                            timestamp,
                        )
                    )
                else:
                    self._bot(conversation, name, status)
            elif kind == "action":
                if name == HANDOVER_ACTION:
                    conversation.handovers += 1
            elif kind == "active_loop":
                conversation.active_loop = name
                if name == LEGAL_LOOP:
                    conversation.channel = LEGAL

    def _question(
        self,
        conversation: Conversation,
        event_id: int,
        text: str | None,
        timestamp: float,
        outcome: str,
    ) -> None:
        masked = mask_question(text or "")
        if not masked:
            return
        self.facts.questions[event_id] = Question(
            event_id,
            conversation.id,
            outcome,
            masked,
            conversation.channel,
            conversation.day,
            timestamp,
        )
        conversation.last_question_id = event_id

    def _bot(self, conversation: Conversation, name: str, status: str | None) -> None:
        """A bot event other than a catalogue answer."""
        if name == DONT_KNOW_RESPONSE:
            conversation.dont_know += 1
            question_id = conversation.last_question_id
            if question_id is not None:
                question = self.facts.questions.get(question_id)
                if question is not None:
                    question.outcome = DONT_KNOW
                else:
                    self.facts.question_updates[question_id] = DONT_KNOW
        elif name == HANDOVER_AFTER_FALLBACK:
            conversation.handovers += 1
        elif name in FORM_RECEIPTS:
            conversation.forms_sent += 1
        elif name == LEGAL_ANSWER:
            conversation.legal_asked += 1
            if status == "clarify":
                conversation.legal_clarify += 1
            else:
                conversation.legal_answered += 1
        elif name in LEGAL_REFUSALS:
            conversation.legal_asked += 1
            conversation.legal_refused += 1
        elif name == LEGAL_UNAVAILABLE:
            conversation.legal_asked += 1
        elif name == LEGAL_ESCALATED:
            conversation.legal_escalated += 1
