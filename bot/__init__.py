"""The Telegram side: handlers, texts, the one sender, the command line."""
