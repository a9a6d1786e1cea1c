"""Code shared by the bot, the action server and the case service.

Modules: ``normalize`` (fold æ/ø/å ↔ ae/oe/aa, source-text normalisation), ``lexicon`` (Danish word
list and lemmas), ``tokenize`` (spaCy's Danish tokenizer), ``pii`` (CPR/phone/e-mail detection and
masking), ``formatting`` (Babel dates and amounts).
"""
