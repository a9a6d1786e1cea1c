"""Legal references as comparable tokens:
"LAB § 16 a, stk. 5" = "lab §16a stk. 5" = "paragraf 16 a".

Used by the knowledge-base checks (a note may only cite what its source contains), by legal
retrieval (a question citing "§ 10a" finds notes citing "LAS § 10 a") and by the evaluation.

A bare "§ 17, stk. 2" inherits the law named last before it in the same text ("jf. LAB § 16 a,
stk. 5, § 17, stk. 2" → LAB § 17, stk. 2). Ankestyrelsen's principafgørelser ("principafgørelse
44-17"), chapters ("kapitel 10-12") and a law named on its own ("serviceloven") are references too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kkshared.normalize import fold

# Folded law names and abbreviations -> canonical abbreviation. Longest names first when matching.
LAW_NAMES: dict[str, str] = {
    "lab": "LAB",
    "lov om en aktiv beskaeftigelsesindsats": "LAB",
    "lov om aktiv beskaeftigelsesindsats": "LAB",
    "lbl": "LBL",
    "beskaeftigelsesloven": "LBL",
    "las": "LAS",
    "lov om aktiv socialpolitik": "LAS",
    "aktivloven": "LAS",
    "bab": "BAB",
    "bekendtgoerelse om en aktiv beskaeftigelsesindsats": "BAB",
    "sdl": "SDL",
    "sygedagpengeloven": "SDL",
    "lov om sygedagpenge": "SDL",
    "fvl": "FVL",
    "forvaltningsloven": "FVL",
    "rsl": "RSL",
    "retssikkerhedsloven": "RSL",
    "inl": "INL",
    "integrationsloven": "INL",
    "lov om integration af udlaendinge i danmark": "INL",
    "loa": "LOA",
    "lov om organisering og understoettelse af beskaeftigelsesindsatsen": "LOU",
    "sel": "SEL",
    "serviceloven": "SEL",
    "lov om social service": "SEL",
    "repatrieringsloven": "RPL",
    "lov om repatriering": "RPL",
}

_LAW = "|".join(re.escape(name) for name in sorted(LAW_NAMES, key=len, reverse=True))
# Single letters that are Danish words and so never a section letter ("§ 2 i LAB").
_NOT_SECTION_LETTERS = "io"
_PATTERN = re.compile(
    rf"(?P<law>\b(?:{_LAW})\b)"
    r"|(?:§|\bparagraf|\bpar\.)\s*(?P<section>\d+)"
    rf"(?:\s*(?P<letter>(?![{_NOT_SECTION_LETTERS}])[a-z])(?![a-z0-9]))?"
    r"(?:\s*,?\s*stk\.?\s*(?P<stk>\d+))?"
    r"(?:\s*,?\s*nr\.?:?\s*(?P<nr>\d+))?"
    r"|\bprincipafgoerelse[a-z]*\s+(?:nr\.?\s*)?(?P<ruling>\d{1,3}\s*-\s*\d{2})"
    r"|\bkapitel\s+(?P<chapter>\d+(?:\s*-\s*\d+)?)"
)


@dataclass(frozen=True)
class LegalRef:
    kind: str  # "section" | "ruling" | "chapter" | "law" (a law named without a section)
    law: str | None  # canonical abbreviation, or None for a bare reference
    number: str  # "16a", "44-17", "10-12"
    stk: str | None = None
    nr: str | None = None

    @property
    def key(self) -> str:
        """Canonical token, e.g. "LAB §16a stk5", "§17 stk2", "ANK 44-17", "LAB kap10-12"."""
        if self.kind == "ruling":
            return f"ANK {self.number}"
        if self.kind == "law":
            return str(self.law)
        head = f"kap{self.number}" if self.kind == "chapter" else f"§{self.number}"
        parts = [self.law, head] if self.law else [head]
        if self.stk:
            parts.append(f"stk{self.stk}")
        if self.nr:
            parts.append(f"nr{self.nr}")
        return " ".join(parts)

    def is_satisfied_by(self, other: LegalRef) -> bool:
        """True if ``other`` (found in a source) states this reference, possibly more precisely."""
        if self.kind == "law":
            return other.law == self.law
        if (self.kind, self.number) != (other.kind, other.number):
            return False
        if self.law is not None and other.law is not None and self.law != other.law:
            return False
        if self.law is not None and other.law is None:
            return False
        if self.stk is not None and self.stk != other.stk:
            return False
        return self.nr is None or self.nr == other.nr


def extract_references(text: str) -> list[LegalRef]:
    """References in ``text`` in order; bare sections inherit the law named last before them."""
    folded = fold(text)
    current_law: str | None = None
    pending_law = False  # a law was named and no reference has used it yet
    found: list[LegalRef] = []
    for match in _PATTERN.finditer(folded):
        if match["law"]:
            if pending_law:
                found.append(LegalRef("law", current_law, ""))
            current_law, pending_law = LAW_NAMES[match["law"]], True
            continue
        if match["section"]:
            number = match["section"] + (match["letter"] or "")
            found.append(LegalRef("section", current_law, number, match["stk"], match["nr"]))
        elif match["ruling"]:
            found.append(LegalRef("ruling", None, re.sub(r"\s+", "", match["ruling"])))
        elif match["chapter"]:
            found.append(LegalRef("chapter", current_law, re.sub(r"\s+", "", match["chapter"])))
        pending_law = False
    if pending_law:
        found.append(LegalRef("law", current_law, ""))
    return found


def parse_reference(reference: str) -> LegalRef:
    """One reference as written in a note ("LAB § 16 a, stk. 5"); ValueError if it is not one."""
    refs = extract_references(reference)
    if len(refs) != 1:
        raise ValueError(f"not a single legal reference: {reference!r}")
    return refs[0]


def reference_keys(text: str) -> set[str]:
    """Canonical keys of every reference in ``text`` (for retrieval features)."""
    return {ref.key for ref in extract_references(text)}


def is_stated_in(reference: str | LegalRef, source_text: str) -> bool:
    """True if ``reference`` occurs, as tokens, in ``source_text`` (law inheritance applied)."""
    ref = parse_reference(reference) if isinstance(reference, str) else reference
    return any(ref.is_satisfied_by(found) for found in extract_references(source_text))
