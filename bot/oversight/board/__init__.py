"""The board: who has reported, as a web page served by the bot (``[board]`` in the config)."""
