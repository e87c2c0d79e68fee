"""Fixtures for the api tests: the recording loopback server (see `contract_support`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from contract_support import RecordingServer


@pytest.fixture(scope="session")
def recording_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def recorder(recording_server: RecordingServer) -> RecordingServer:
    """The session's recording server, emptied for this test."""
    recording_server.clear()
    return recording_server
