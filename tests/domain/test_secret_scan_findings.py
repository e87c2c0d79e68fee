"""find_secrets: key shapes are found, prose, code and ids are not."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import secrets
import string
import time
import uuid
from pathlib import Path

import pytest

from orq_desktop.domain.ids import thread_id, ulid
from orq_desktop.domain.secret_scan import Finding, find_secrets, has_secret

ALNUM = string.ascii_letters + string.digits
rnd = random.Random(7)


def rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(rnd.choice(alphabet) for _ in range(n))


def jwt() -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"sub": "u_123", "iat": 1}).encode())
    return f"eyJhbGciOiJIUzI1NiJ9.{payload.decode().rstrip('=')}.{rand(43, ALNUM + '-_')}"


TRUE_POSITIVES = [
    ("orq_key", lambda: "orq-" + rand(40)),
    ("orq_key", lambda: f"sk-orq-CANARY-{uuid.uuid4()}"),
    ("openai_key", lambda: "sk-" + rand(48)),
    ("openai_key", lambda: "sk-proj-" + rand(64, ALNUM + "-_") + "x"),
    ("openai_key", lambda: "sk-ant-api03-" + rand(90, ALNUM + "-_") + "AA"),
    ("jwt", jwt),
    ("aws_access_key", lambda: "AKIA" + rand(16, string.ascii_uppercase + string.digits)),
    ("github_token", lambda: "ghp_" + rand(36)),
    ("google_key", lambda: "AIza" + rand(35)),
    ("slack_token", lambda: "xoxb-" + rand(24, string.digits + "-")),
    ("stripe_key", lambda: "sk_live_" + rand(24)),
    ("token", lambda: rand(40)),
    ("token", lambda: secrets.token_urlsafe(32)),
]


@pytest.mark.parametrize(("kind", "make"), TRUE_POSITIVES)
def test_key_shapes_are_found_with_their_position(kind: str, make: object) -> None:
    assert callable(make)
    hits = 0
    for _ in range(50):
        key = make()
        text = f"Here is the key: {key}\nThanks!"
        found = find_secrets(text)
        if found:
            (finding,) = found
            assert (finding.kind, text[finding.start : finding.end]) == (kind, key)
            hits += 1
    assert hits >= 48  # a random key may, rarely, look like words


def test_bearer_token_is_found_after_the_word() -> None:
    token = rand(40)
    text = f"curl -H 'Authorization: Bearer {token}' https://api.orq.ai"
    (finding,) = find_secrets(text)
    assert finding.kind == "bearer" and text[finding.start : finding.end] == f"Bearer {token}"


def test_bearer_with_a_known_key_is_reported_once_as_that_key() -> None:
    key = "sk-" + rand(48)
    (finding,) = find_secrets(f"Authorization: Bearer {key}")
    assert finding.kind == "openai_key"


def test_private_key_block_is_found() -> None:
    text = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----"
    assert [f.kind for f in find_secrets(text)] == ["private_key"]


def test_several_findings_come_in_order() -> None:
    a, b = "sk-" + rand(48), "AKIA" + rand(16, string.ascii_uppercase + string.digits)
    found = find_secrets(f"first {b} then {a}")
    assert [f.kind for f in found] == ["aws_access_key", "openai_key"]
    assert found[0].start < found[1].start


FALSE_POSITIVES = [
    "Bearer authentication sends a token in the Authorization header.",
    "Authorization: Bearer <token>",
    "Authorization: Bearer YOUR_API_KEY_HERE",
    "export OPENAI_API_KEY=sk-your-api-key-goes-here",
    "ORQ_API_KEY=orq-your-key-here-please",
    "sk-...",
    "pip install orq-desktop && orq-desktop --demo",
    "orq_desktop/core/settings_controller_network_options.py",
    "https://api.orq.ai/v2/gateway/chat/completions?model=openai%2Fgpt-4o-mini",
    "def test_settings_controller_round_trips_the_proxy_settings_safely(): ...",
    "class HTTPServerRequestHandlerFactoryForLoopbackTests2(Base): pass",
    "MAX_GENERIC_LENGTH_FOR_TOKENS_IN_THE_SCANNER = 256",
    "Cryptography_HAS_TLSv1_3_FUNCTIONS",
    "ssh-keygen -t sk-ecdsa-sha2-nistp256@openssh.com",
    "See Table-of-Intrinsic-Functions/g77 for details.",
    "The quick brown fox jumps over the lazy dog. " * 20,
    "Antidisestablishmentarianism and pneumonoultramicroscopicsilicovolcanoconiosis",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_prose_code_and_placeholders_are_left_alone(text: str) -> None:
    assert find_secrets(text) == []


def test_ids_digests_and_uuids_are_not_keys() -> None:
    samples = [str(uuid.uuid4()) for _ in range(100)]
    samples += [uuid.uuid4().hex for _ in range(100)]
    samples += [hashlib.sha256(rand(8).encode()).hexdigest() for _ in range(100)]
    samples += [hashlib.sha1(rand(8).encode()).hexdigest().upper() for _ in range(100)]
    samples += [ulid() for _ in range(100)] + [thread_id() for _ in range(100)]
    samples += [f"after=01JJ1HDHN79XAS7A01WB3HYSDB&limit={n}" for n in range(10)]
    assert [s for s in samples if has_secret(s)] == []


def test_this_projects_own_source_has_no_findings_outside_canaries() -> None:
    root = Path(__file__).resolve().parents[2] / "orq_desktop"
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found += [(path.name, text[f.start : f.end]) for f in find_secrets(text)]
    assert found == []


def test_repr_never_holds_the_secret() -> None:
    key = "sk-" + rand(48)
    (finding,) = find_secrets(key)
    assert isinstance(finding, Finding)
    assert key not in repr(finding) and key[-12:] not in repr(finding)
    assert repr(finding) == f"Finding(kind='openai_key', start=0, end={len(key)})"


@pytest.mark.parametrize("seed", range(20))
def test_long_base64_data_is_not_a_key(seed: int) -> None:
    blob = base64.b64encode(random.Random(seed).randbytes(3000)).decode()
    lines = [blob[i : i + 76] for i in range(0, len(blob), 76)]
    assert find_secrets(blob) == []
    assert find_secrets("\n".join(lines)) == [] and find_secrets("\r\n".join(lines)) == []


def test_a_megabyte_scans_quickly() -> None:
    chunk = "def handler(request):\n    return json.dumps({'ok': True})  # fine\n"
    text = chunk * (1_000_000 // len(chunk)) + "sk-" + rand(48)
    started = time.perf_counter()
    found = find_secrets(text)
    elapsed = time.perf_counter() - started
    assert [f.kind for f in found] == ["openai_key"]
    assert elapsed < 2.0  # ~0.1 s measured; the bound only catches runaway backtracking


def test_no_runaway_backtracking_on_near_misses() -> None:
    text = ("sk-" + "a-" * 5000 + "!") + (" orq_" + "b_" * 5000 + "?") + ("Bearer " + "c" * 20000)
    started = time.perf_counter()
    find_secrets(text)
    assert time.perf_counter() - started < 1.0
