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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from api.analytics.decode import Event
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


@dataclass(frozen=True, slots=True)
class Answer:
    conversation_id: str
    entry_id: str
    channel: str
    day: date
    at: float


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
        conversation = Conversation(
            hasher.conversation_id(sender_id, timestamp),
            hasher.sender_key(sender_id),
            hasher.feedback_key_for_sender(sender_id),
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
        kind = event.kind
        conversation = self.open.get(event.sender_id)
        if conversation is None or (
            conversation.messages > 0
            and (
                kind == "session_started"
                or (kind == "action" and event.name == SESSION_START_ACTION)
            )
        ):
            conversation = self._start(event.sender_id, event.timestamp)
        if event.timestamp > conversation.last_event_at:
            conversation.last_event_at = event.timestamp
        if kind == "user":
            self._user(conversation, event)
        elif kind == "bot":
            self._bot(conversation, event)
        elif kind == "action":
            if event.name == HANDOVER_ACTION:
                conversation.handovers += 1
        elif kind == "active_loop":
            conversation.active_loop = event.name
            if event.name == LEGAL_LOOP:
                conversation.channel = LEGAL

    def _user(self, conversation: Conversation, event: Event) -> None:
        conversation.messages += 1
        conversation.last_question_id = None
        if conversation.active_loop is not None:
            return  # an answer to a form's question, or a legal question (counted by the bot)
        conversation.turns += 1
        if event.intent in FAILURE_INTENTS:
            conversation.fallbacks += 1
            self._question(conversation, event, FALLBACK)
        elif event.intent == SOURCE_ANSWER_INTENT:
            conversation.low_confidence += 1
            self._question(conversation, event, LOW_CONFIDENCE)

    def _question(self, conversation: Conversation, event: Event, outcome: str) -> None:
        text = mask_question(event.text or "")
        if not text:
            return
        self.facts.questions[event.id] = Question(
            event.id,
            conversation.id,
            outcome,
            text,
            conversation.channel,
            conversation.day,
            event.timestamp,
        )
        conversation.last_question_id = event.id

    def _bot(self, conversation: Conversation, event: Event) -> None:
        name = event.name
        if name is None:
            return
        if name.startswith(FAQ_PREFIX):
            conversation.answers += 1
            self.facts.answers.append(
                Answer(
                    conversation.id,
                    name[len(FAQ_PREFIX) :],
                    conversation.channel,
                    conversation.day,  # counted on the conversation's day, like everything
                    event.timestamp,
                )
            )
        elif name == DONT_KNOW_RESPONSE:
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
            if event.status == "clarify":
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
