"""Recognising a person in acute danger (a guardrail that comes before ranking).

Retrieval ranks a message by the words it shares with the training examples. "I want to kill
myself" shares few words with anything and was answered with "Did you mean »Urgent help«?";
"i have chest pain and cant breathe" got the general out-of-scope answer. Someone in acute
danger must be told to call 112 at once, without a question back. The messages that say so are
recognised here (Danish and English; thoughts of suicide or self-harm, a medical emergency
happening now, a threat to life) and the classifier answers them with the catalogue's urgent-help
entry at full confidence (``emergency_entry`` of ``DanishRetrievalClassifier``).

Recall matters more than precision here, but the patterns stay on what is acute: "i fare for at
miste" (at risk of losing), illness in general ("jeg er syg", "ondt i ryggen") and things that
happened before ("jeg besvimede til samtalen i går") are not emergencies, and the general health
answer (Akuttelefonen 1813, 112 at risk of life) still covers them. The patterns work on folded
text (lowercase, æ/ø/å as ae/oe/aa); a test checks them against every training example of the
other intents.
"""

from __future__ import annotations

import re

from kkshared.normalize import fold

_PATTERNS = [
    # Suicide and self-harm, Danish: "jeg vil tage mit eget liv", "jeg har selvmordstanker".
    r"\bselvmords?(?:tanker|forsoeg|truet|truede|fare)\b",
    r"\b(?:jeg|mig)\b(?:\s+\S+){0,6}?\s+(?:begaa\w*|overvejer|taenker paa)\s+selvmord\b",
    r"\btage (?:mit eget|mit) liv\b",
    r"\btage livet af mig\b",
    r"\b(?:slaa|slaar) mig selv ihjel\b",
    r"\b(?:vil|orker|kan) ikke (?:at )?(?:leve mere|leve laengere|laengere leve)\b",
    # "jeg orker ikke at leve", but not "jeg kan ikke leve af kontanthjælpen".
    r"\b(?:vil|orker) ikke (?:at )?leve\b"
    r"(?!\s+(?:af|for|med|uden|paa|i|under|som|sammen|op|videre))",
    r"\bhar ikke lyst til at leve\b",
    r"\b(?:skade|skader|skaere i|skaerer i|goere skade paa) mig selv\b",
    r"\b(?:vil bare|vil gerne|har lyst til at|vil) doe\b",
    r"\bgoere en ende paa (?:det hele|mit liv|livet)\b",
    r"\b(?:vil|skal) ikke vaere her (?:mere|laengere)\b",
    r"\btage alle (?:mine|sine|hendes|hans) piller\b",
    # A medical emergency now, Danish.
    r"\b(?:ondt|smerter) i brystet\b",
    r"\bbrystsmerter\b",
    r"\bkan ikke (?:faa luft|faa vejret|traekke vejret|aande)\b",
    r"\b(?:er|ligger) bevidstloes\b",
    r"\bbevidstloes (?:person|mand|kvinde)\b",
    r"\b(?:taget|tog|har taget) en overdosis\b",
    r"\boverdosis\b",
    r"\bhjertestop\b",
    r"\bbloeder (?:meget|voldsomt|kraftigt)\b",
    # Injuries and acute illness of someone else, now (session 18: a head injury with bleeding
    # was answered with the refusal about other people's data).
    r"\b(?:han|hun|barnet|jeg) bloeder\b",
    r"\b(?:har slaaet|slog) (?:sig )?(?:i )?hovedet\b",
    r"\btraekker ikke vejret\b",
    r"\bvil ikke vaagne\b",  # not "kan ikke vågne om morgenen"
    r"\bkan ikke (?:vaekke|faa liv i) (?:ham|hende|dem|barnet)\b",
    r"\ber ved at blive kvalt\b",
    r"\b(?:har|faar) (?:et )?krampeanfald\b",
    r"\b(?:allergisk|anafylaktisk) chok\b",
    r"\b(?:har|faar) en blodprop (?:nu|lige nu)\b",
    r"\b(?:ring|ringe|tilkald|tilkalde) (?:efter )?(?:en )?ambulance\b",
    r"\b(?:brug for|mangler) en ambulance\b",
    # A threat to life, Danish: "han truer med at slå mig ihjel", "jeg er i livsfare".
    r"\b(?:slaa|slaar|draebe) (?:mig|os|hende|ham|dig) ihjel\b",
    r"\b(?:er i|i akut) (?:livsfare|akut fare)\b",
    r"\blivsfare\b",
    # English.
    r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting) (?:myself|my self)\b",
    r"\bsuicid(?:e|al)\b",
    r"\b(?:end|take) my (?:own )?life\b",
    r"\bwant to die\b",
    r"\bend it all\b",
    r"\b(?:don'?t|do not|dont) want to (?:live|be alive)\b",
    r"\bchest pains?\b",
    r"\b(?:can'?t|cannot|can not|unable to) breathe?\b",
    r"\b(?:is|are|being|found) unconscious\b",
    r"\bunconscious (?:person|man|woman|friend)\b",
    r"\boverdosed?\b",
    r"\b(?:having|is having|has) a heart attack\b",
    r"\bbleeding (?:a lot|heavily|badly)\b",
    r"\b(?:is|are|he'?s|she'?s|i'?m|am|and|still) bleeding\b",
    r"\b(?:hit|hurt|banged|injured) (?:his|her|their|the baby'?s|the child'?s) head\b",
    r"\b(?:is not|isn'?t|not|stopped) breathing\b",
    r"\b(?:won'?t|will not|doesn'?t|does not) wake up\b",
    r"\b(?:can'?t|cannot) wake (?:him|her|them)\b",
    r"\b(?:is|he'?s|she'?s) choking\b",
    r"\b(?:having|is having|has) (?:a )?seizures?\b",
    r"\b(?:having|is having) a stroke\b",
    r"\banaphyla\w*\b",
    r"\b(?:call|need|get) (?:an |the )?ambulance\b",
    r"\b(?:going to|gonna|wants to|threatens? to|threatening to) kill (?:me|us|her|him)\b",
    r"\b(?:my life is|i am|i'm|im) in danger\b",
]
_EMERGENCY = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def looks_like_emergency(text: str) -> bool:
    """True when ``text`` says that someone is in acute danger."""
    return bool(_EMERGENCY.search(fold(text)))
