"""The API key: keyring off the UI thread, env override, session-only fallback."""
