"""Channels: where people write (the terminal, the web page, Telegram), each turning what a person
does into engine events and showing what the bot says.
"""
