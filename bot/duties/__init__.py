"""duties."""
