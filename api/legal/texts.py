"""Danish texts of the legal-guidance mode (what a caseworker or a jurist reads)."""

from __future__ import annotations

ANSWERED = "Tjek altid kilden, før du bruger svaret i en afgørelse."
CLARIFY = (
    "Jeg er ikke helt sikker på, at svaret passer til dit spørgsmål. "
    "Tjek kilden, eller send spørgsmålet til juristerne."
)
CLARIFY_ALTERNATIVE = "Handler dit spørgsmål måske i stedet om »{title}«?"
REFUSED = "Jeg kan ikke svare sikkert på det spørgsmål. Vil du sende det til juristerne?"
REFUSED_WITH_PASSAGE = (
    "Jeg har ingen juridisk note om netop det, men et uddrag af kilden står herunder. "
    "Tjek kilden, og send spørgsmålet til juristerne, hvis du er i tvivl."
)
REFUSED_ESCALATED = "Jeg kan ikke svare sikkert på det spørgsmål."
UNAVAILABLE = "Den juridiske vejledning er ved at starte op, så jeg kan ikke svare lige nu."
ESCALATED = (
    "Dit spørgsmål er sendt til juristerne med sagsnummer {ticket_id}. "
    "Du får svaret her i den juridiske vejledning, når de har svaret."
)

QUESTION_STATUS_LABELS = {
    "open": "Åben",
    "answered": "Besvaret",
    "published": "Besvaret og offentliggjort som note",
}
ADVICE_STATUS_LABELS = {
    "answered": "Assistenten svarede",
    "clarify": "Assistenten var usikker",
    "refused": "Assistenten kunne ikke svare",
    "unavailable": "Assistenten var ikke klar",
}
ASKER_ROLE_LABELS = {"staff": "sagsbehandler", "jurist": "jurist", "admin": "administrator"}
