"""Code shared by the bot, the action server and the case service.

Modules: ``normalize`` (fold æ/ø/å ↔ ae/oe/aa, source-text normalisation), ``lexicon`` (Danish word
list and lemmas), ``tokenize`` (spaCy's Danish tokenizer), ``pii`` (CPR/phone/e-mail detection and
masking), ``formatting`` (Babel dates and amounts), ``dates`` (Danish day expressions: "i morgen",
"på fredag", "2. juledag", "den 24.12"), ``holidays`` (Danish public holidays and closed days),
``tokens`` (the one user-token check), ``legal_refs`` and ``knowledge`` (notes and their checks),
``retrieval`` (Danish BM25 with calibrated confidence).
"""
