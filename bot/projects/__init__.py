"""The project register in chat: /projects (the rows are imported by the CLI)."""
