"""Which bot responses count as the right handling of each evaluation label.

The evaluation set (eval/citizen/messages.yml) labels messages with a catalogue answer
(``faq/<id>``) or a handling label; the bot's responses are named in bot/domain/*.yml.
"""

LABEL_RESPONSES: dict[str, set[str]] = {
    "handover": {
        "utter_handover_intro",
        "utter_handover_after_fallback",
        "utter_handover_location_open",
        "utter_handover_location_closed",
        "utter_handover_location_closed_unknown",
        "utter_handover_location_phone",
        "utter_handover_unavailable",
        "utter_faq/contact_talk_to_person",
    },
    "opening_hours": {
        "utter_opening_hours",
        "utter_opening_hours_day",
        "utter_opening_hours_period",  # a period: "mellem jul og nytår", "i næste uge"
        "utter_handover_location_open",
        "utter_handover_location_closed",
        "utter_faq/contact_opening_hours_lookup",
    },
    "oos_municipal": {"utter_oos_municipal"},
    "oos_health": {"utter_oos_health"},
    "oos_tax": {"utter_oos_tax"},
    "oos_akasse": {"utter_oos_akasse"},
    "oos_politics": {"utter_oos_politics"},
    "refuse_personal_data": {"utter_ask_others_data", "utter_ask_staff_private"},
    "prompt_injection": {"utter_prompt_injection"},
    "gibberish": {"utter_ask_rephrase", "utter_default"},
    "anger": {"utter_deescalate"},
    # "english": any English reply that is not a fallback (bench/citizen/run_eval.py, ENGLISH_LABEL)
    "english": {"utter_english"},
    "smalltalk": {
        "utter_greet",
        "utter_goodbye",
        "utter_thank",
        "utter_bot_identity",
        # "hvad kan du?" is answered by the catalogue entry about the assistant
        "utter_faq/assistant_what_it_is",
    },
    "pii": {"channel_pii_warning", "utter_share_personal_info"},
    # Own case (eval/citizen/own_case.yml, asked by demo-borger through the kk channel).
    "own_next_meeting": {"utter_own_next_meeting", "utter_own_no_meeting"},
    "own_next_payment": {"utter_own_next_payment", "utter_own_no_payment"},
    "own_plan": {"utter_own_plan", "utter_own_plan_empty"},
    "own_caseworker": {"utter_own_caseworker", "utter_own_no_caseworker"},
    # A form that starts (any of its first questions or its summary), or the FAQ answer followed
    # by the button that starts it (counted separately as "via an offer").
    "report_absence": {
        "utter_ask_absence_target",
        "utter_ask_absence_date",
        "utter_ask_absence_reason",
        "utter_ask_absence_confirm",
        "utter_offer_absence",
    },
    "reschedule_meeting": {
        "utter_ask_reschedule_meeting",
        "utter_ask_reschedule_reason",
        "utter_offer_reschedule",
    },
    "message_caseworker": {"utter_ask_message_text", "utter_offer_message"},
}

# An English message: since English support (issue 20) answered in English, whatever it asks.
ENGLISH_LABEL = "english"

# Right answers that are an FAQ answer plus a button, not the action itself.
VIA_OFFER = {"utter_offer_absence", "utter_offer_reschedule", "utter_offer_message"}

# Texts the channels add themselves (bot/channels/common.py pii_notice), as patterns, with the
# name the bench gives them.
CHANNEL_TEXTS = {r"Skriv ikke .*? Jeg har fjernet det fra din besked": "channel_pii_warning"}

# Responses that are not an answer to the message (they accompany it).
NEUTRAL_RESPONSES = {"utter_ai_notice"}
FALLBACK_RESPONSES = {
    "utter_default",
    "utter_ask_rephrase",
    "utter_clarify_suggest",
    "utter_clarify_suggest_intent",
    "utter_handover_after_fallback",
}


def acceptable(label: str) -> set[str]:
    if label.startswith("faq/"):
        return {f"utter_{label}"}
    return LABEL_RESPONSES[label]
