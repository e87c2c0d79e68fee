"""RouterClient (being written)."""
