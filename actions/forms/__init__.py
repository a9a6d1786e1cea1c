"""Forms that create something in the case service for the logged-in citizen.

Each form is started by an action that checks the caller and loads what the form needs
(``start.py``), asks its questions (``ask_*`` actions in the form's module), validates every
answer (``base.KKFormValidation``), and is submitted only after the citizen said yes to a
summary. Cancelled or abandoned forms create nothing.
"""
