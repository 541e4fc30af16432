"""Storage: SQLModel tables, the engine, every query and the Alembic migrations.

This package imports neither ``telegram`` nor ``bot``/``jobs``: it is the bottom layer.
"""
