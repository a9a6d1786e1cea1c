"""Danish text retrieval shared by the legal guidance (case service) and the citizen FAQ (bot).

``terms`` turns Danish text into retrieval terms (lemmas, synonyms, compounds, legal references)
and character n-grams; ``bm25`` scores them; ``index.SearchIndex`` ranks documents (notes or FAQ
entries) by fusing the scores; ``dense`` adds optional e5 vectors.
"""
