"""Button data back to engine events."""

from __future__ import annotations


def test_forged_button_data_is_not_ours() -> None:
    from bot.conversation.render import parse_callback

    assert parse_callback("3:faq") is not None
    for forged in ("²:faq", "x:faq", "3", ":faq", "3:", "9" * 70 + ":x"):
        assert parse_callback(forged) is None, forged
