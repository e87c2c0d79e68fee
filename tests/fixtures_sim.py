"""Fixtures for the gateway simulator on loopback (shared by api, core and ui tests)."""
