"""The complaint channel (measure 1.7): the chat, privacy, the ladder and the key's command."""
