"""The Rasa side of KK-assistenten: domain, rules, custom channels and NLU components."""
