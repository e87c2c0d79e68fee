"""Non-secret settings (filled in by the settings issue)."""
