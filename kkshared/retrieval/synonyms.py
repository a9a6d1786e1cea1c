"""Caseworkers' domain synonyms and abbreviations, mapped to one canonical retrieval token.

Word keys and all values are folded (lowercase, æ/ø/å as ae/oe/aa) lemmas. Phrases are matched on
the folded lemma sequence before single words.
"""

WORD_SYNONYMS: dict[str, str] = {
    # benefits
    "kth": "kontanthjaelp",
    "kh": "kontanthjaelp",
    "kontanthjaelpsmodtager": "kontanthjaelp",
    "sdp": "sygedagpenge",
    "sygedagpengemodtager": "sygedagpenge",
    "uddannelseshjaelpsmodtager": "uddannelseshjaelp",
    "udd.hjaelp": "uddannelseshjaelp",
    "ydelsesmodtager": "ydelse",
    "revalidend": "revalidering",
    "flexjob": "fleksjob",
    # attendance
    "udeblive": "udeblivelse",
    "udeblev": "udeblivelse",
    "udeblevet": "udeblivelse",
    "udebliver": "udeblivelse",
    # the verb and the noun of ending a benefit or an offer ("ydelsen ophører", "ophør")
    "ophoere": "ophoer",
    "fremmoede": "fremmoede",
    "moedepligt": "fremmoede",
    "tlf": "telefon",
    "telefonisk": "telefon",
    "telefonsamtale": "telefon",
    "video": "digital",
    "digitalt": "digital",
    "virtuel": "digital",
    "partshoere": "partshoering",
    "hoering": "partshoering",
    "fradrag": "sanktion",
    "sanktionere": "sanktion",
    "sanktionering": "sanktion",
    "nedsaettelse": "sanktion",
    "traekke": "sanktion",
    # organisations, as caseworkers abbreviate them
    "jc": "jobcenter",
    "jobcentret": "jobcenter",
    "bc": "beskaeftigelsescenter",
    "kk": "koebenhavns_kommune",
    "kommunen": "koebenhavns_kommune",
    "ys": "ydelsesservice",
    # meeting frequency
    "kadence": "hyppighed",
    "interval": "hyppighed",
    # target groups
    "ap": "aktivitetsparat",
    "jp": "jobparat",
    "up": "uddannelsesparat",
    "laegeerklaering": "laegeattest",
    "statusattest": "laegeattest",
    "praktik": "virksomhedspraktik",
    "myndighedsansvar": "myndighedsopgave",
    "myndighedsudoevelse": "myndighedsopgave",
    "hjemrejse": "hjemrejsevejledning",
    "repatriering": "hjemrejsevejledning",
}

# Written as people write them; matched after the same lemmatisation as the text (see
# text_features).
PHRASE_SYNONYMS: dict[str, str] = {
    "mødte ikke op": "udeblivelse",
    "møder ikke op": "udeblivelse",
    "ikke mødt op": "udeblivelse",
    "dukkede ikke op": "udeblivelse",
    "dukker ikke op": "udeblivelse",
    "kom ikke": "udeblivelse",
    "blev væk": "udeblivelse",
    "bliver væk": "udeblivelse",
    "blive væk": "udeblivelse",
    "anden aktør": "anden_aktoer",
    "andre aktører": "anden_aktoer",
    "på anden måde": "anden_maade",
    "personligt fremmøde": "fremmoede",
    "min plan": "min_plan",
}
