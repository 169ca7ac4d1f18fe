"""Each channel edge for real: Telegram against the fake Bot API, the terminal chat."""
