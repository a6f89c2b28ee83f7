"""The translated catalogs (``<lang>/LC_MESSAGES/messages.po``), shipped as package data.

A package only so that an installed bot finds them with ``importlib.resources``
(``bot/conversation/i18n.py``); ``PAT_LOCALES_DIR`` points elsewhere to try a catalog being edited.
"""
