"""Property loans (measure 1.4): the chat, the ladder and the register."""
