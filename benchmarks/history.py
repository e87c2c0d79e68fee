"""The history store at scale: 10,000 threads and 200,000 messages against an empty database.

    python benchmarks/history.py [--runs 9] [--rebuild] [--cache-dir DIR]

1. Builds (once, cached in a temp folder) a history of 10,000 threads, 200,000 messages, their
   runs and 5,000 image records. Text comes from a Zipf-distributed vocabulary (common English,
   router jargon, a long tail of made-up words, and a few rare terms), so single words range from
   "in most messages" to "in a handful".
2. Time to the first page of the sidebar: a fresh process opens the database (header checks,
   pragmas, recovery of leftover streaming rows) and lists the newest 50 threads with previews.
   Measured from just before ``HistoryStore.open`` to the list in hand, median of ``--runs``
   processes, interleaved with the same on an empty database. Goal: full / empty <= 1.3.
3. Search: 100+ queries (common words, rare words, prefixes, two words, phrases, and the same
   with model / tag / identity filters), each run 3 times on one open store; p95 goal <= 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import math
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from orq_desktop.store.history import HistoryStore
from orq_desktop.store.schema import MIGRATIONS, SCHEMA_VERSION


def _words(text: str) -> list[str]:
    return text.split()


THREADS = 10_000
MESSAGES = 200_000
IMAGES = 5_000
GENERATOR_VERSION = 2  # bump when the generated data changes (the schema is hashed in)
SEED = 20240611

COMMON = _words("""
the be to of and a in that have it for not on with he as you do at this but his by from
they we say her she or an will my one all would there their what so up out if about who get which
go me when make can like time no just him know take people into year your good some could them see
other than then now look only come its over think also back after use two how our work first well
way even new want because any these give day most us is are was were been has had did does said
made should must might very more much many such each few where here why those while before under
between through during without again never always often still already yet too less least both """)
JARGON = _words("""
model prompt token tokens retry retries fallback fallbacks router gateway latency stream
streaming answer request response temperature context window embedding embeddings vector cache
timeout budget provider anthropic openai mistral gemini llama claude completion completions chat
system assistant user message json schema tool tools function call structured output evaluate
evaluation dataset benchmark quality cost price throughput rate limit limits quota error errors
status code header headers identity thread threads tag tags knowledge base retrieval chunk chunks
summarize summary translate translation python javascript typescript rust sql query database index
deploy deployment production staging version config configuration option options parameter key
image images generate generation style quality size resolution portrait landscape watercolor """)
RARE = _words("""
zebrafish quokka xylophone marzipan obsidian kaleidoscope narwhal tamarind
gossamer bioluminescent """)
MODELS = [
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "anthropic/claude-3-5-sonnet",
    "anthropic/claude-3-haiku",
    "google/gemini-1.5-pro",
    "mistral/mistral-large",
    "meta/llama-3.1-70b",
    "openai/o1-mini",
]
MODEL_WEIGHTS = [30, 25, 15, 8, 8, 6, 5, 3]
TAGS = [
    f"tag-{name}"
    for name in _words(
        "work personal eval draft legal support sales research "
        "demo finance hr marketing ops security design"
    )
]


def vocabulary(rng: random.Random) -> list[str]:
    """Common words first (most frequent), then jargon, then a made-up long tail."""
    syllables = [a + b for a in "bcdfghklmnprstvz" for b in ("a", "e", "i", "o", "u", "ai", "ou")]
    tail: set[str] = set()
    while len(tail) < 20_000:
        tail.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    words = list(dict.fromkeys(COMMON + JARGON + sorted(tail)))
    return [w for w in words if w not in RARE]


class TextMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary(rng)
        weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(self.words))]
        self.cum = list(itertools.accumulate(weights))

    def text(self, n: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cum, k=n)
        if self.rng.random() < 0.0008:  # a rare term in about 1 message in 1,250
            words[self.rng.randrange(n)] = self.rng.choice(RARE)
        sentences, i = [], 0
        while i < n:
            k = self.rng.randint(6, 18)
            chunk = words[i : i + k]
            sentences.append(chunk[0].capitalize() + " " + " ".join(chunk[1:]) + ".")
            i += k
        return " ".join(sentences)

    def length(self, role: str) -> int:
        mu, sigma = (2.7, 0.6) if role == "user" else (4.2, 0.6)
        return max(3, min(600, int(self.rng.lognormvariate(mu, sigma))))


def build(path: Path) -> None:
    """Create the big database with the store's schema, then fill it in bulk transactions."""
    t0 = time.perf_counter()
    part = path.with_name(path.name + ".part")
    for leftover in path.parent.glob(part.name + "*"):
        leftover.unlink()
    HistoryStore.open(part).store.close()
    rng = random.Random(SEED)
    maker = TextMaker(rng)
    conn = sqlite3.connect(part, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")  # a throw-away fixture: build speed over durability
    sizes = [rng.randint(2, 38) for _ in range(THREADS)]
    scale = MESSAGES / sum(sizes)
    sizes = [max(2, round(s * scale)) for s in sizes]
    diff = MESSAGES - sum(sizes)
    for i in itertools.cycle(range(THREADS)):  # spread the rounding error, one at a time
        if diff == 0:
            break
        step = 1 if diff > 0 else -1 if sizes[i] > 2 else 0
        sizes[i] += step
        diff -= step
    start = time.time() - 2 * 365 * 86400
    step = 2 * 365 * 86400 / THREADS
    identities = [f"customer-{i:03d}" for i in range(50)]
    conn.execute("BEGIN")
    message_id = run_id = 0
    for n, size in enumerate(sizes):
        tid = f"thread_{n:026d}"
        model = rng.choices(MODELS, weights=MODEL_WEIGHTS)[0]
        kind = "compare" if rng.random() < 0.05 else "chat"
        created = start + n * step
        identity = rng.choice(identities) if rng.random() < 0.2 else None
        options = {
            "model": model,
            "temperature": round(rng.random(), 2),
            "orq": {"retry": {"count": 2, "on_codes": [429, 503]}},
        }
        conn.execute(
            "INSERT INTO threads (id, title, created_at, updated_at, model, options, identity_id,"
            " kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                tid,
                maker.text(rng.randint(3, 7)).rstrip("."),
                created,
                created + size * 30,
                model,
                json.dumps(options),
                identity,
                kind,
            ),
        )
        if rng.random() < 0.3:
            for tag in rng.sample(TAGS, rng.randint(1, 3)):
                conn.execute("INSERT INTO thread_tags VALUES (?, ?)", (tid, tag))
        msgs, runs = [], []
        for pos in range(size):
            role = "user" if pos % 2 == 0 else "assistant"
            message_id += 1
            at = created + pos * 30
            column = (pos // 2) % 3 if kind == "compare" and role == "assistant" else None
            rid = None
            if role == "assistant":
                run_id += 1
                rid = run_id
                used = rng.choice(MODELS) if kind == "compare" else model
                runs.append(
                    (
                        rid,
                        tid,
                        message_id,
                        column,
                        "{}",
                        used,
                        used,
                        200,
                        rng.uniform(150, 900),
                        rng.uniform(800, 9000),
                        rng.randint(20, 3000),
                        rng.randint(20, 800),
                        "stop",
                        f"trace-{rid}",
                        None,
                        at,
                    )
                )
            text = maker.text(maker.length(role))
            msgs.append((message_id, tid, pos, role, text, "complete", at, at, rid, column))
        conn.executemany("INSERT INTO runs VALUES (" + ",".join("?" * 16) + ")", runs)
        conn.executemany(
            "INSERT INTO messages (id, thread_id, position, role, text, state, created_at,"
            " updated_at, run_id, column_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            msgs,
        )
        if n % 500 == 499:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
            print(f"  built {n + 1:>6} threads ({time.perf_counter() - t0:5.1f} s)", flush=True)
    for i in range(IMAGES):
        tid = f"thread_{rng.randrange(THREADS):026d}" if rng.random() < 0.7 else None
        conn.execute(
            "INSERT INTO images (path, prompt, revised_prompt, model, settings, created_at,"
            " thread_id) VALUES (?, ?, ?, ?, '{}', ?, ?)",
            (
                f"/images/{i}.png",
                maker.text(rng.randint(8, 40)),
                maker.text(rng.randint(20, 60)),
                rng.choice(["openai/dall-e-3", "openai/gpt-image-1"]),
                start + i * 12000,
                tid,
            ),
        )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    os.replace(part, path)
    print(
        f"built {path.name} in {time.perf_counter() - t0:.1f} s, "
        f"{path.stat().st_size / 2**20:.0f} MiB"
    )


PROBE = """
import sys, time
from orq_desktop.store.history import HistoryStore
t0 = time.perf_counter()
opened = HistoryStore.open(sys.argv[1])
page = opened.store.list_threads(limit=50)
t1 = time.perf_counter()
opened.store.close()
print((t1 - t0) * 1000, len(page))
"""


def probe_process(path: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=True
    )
    ms, _count = out.stdout.split()
    return float(ms)


def probe_connection(path: Path) -> float:
    t0 = time.perf_counter()
    opened = HistoryStore.open(path)
    opened.store.list_threads(limit=50)
    t1 = time.perf_counter()
    opened.store.close()
    return (t1 - t0) * 1000


def first_page(full: Path, empty: Path, runs: int) -> None:
    for label, probe in (("fresh process", probe_process), ("fresh connection", probe_connection)):
        probe(full), probe(empty)  # warm the page cache for both
        times: dict[str, list[float]] = {"empty": [], "full": []}
        for _ in range(runs):  # interleaved, so machine noise hits both alike
            times["empty"].append(probe(empty))
            times["full"].append(probe(full))
        e, f = statistics.median(times["empty"]), statistics.median(times["full"])
        print(
            f"first page ({label}, median of {runs}): empty {e:6.2f} ms, "
            f"10k threads {f:6.2f} ms, ratio {f / e:4.2f}  (goal <= 1.3)"
        )


def queries(path: Path, rng: random.Random) -> list[tuple[str, str, dict[str, str]]]:
    """(category, query, filters) built from the data itself, so phrases really occur."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    sample = [
        tokens
        for (text,) in conn.execute("SELECT text FROM messages WHERE id % 997 = 0")
        if len(tokens := text.replace(".", "").lower().split()) >= 6
    ]
    conn.close()
    words = vocabulary(random.Random(SEED))
    common, middle = words[:120], words[300:6000]
    out: list[tuple[str, str, dict[str, str]]] = []
    out += [("common word", w, {}) for w in rng.sample(common, 25)]
    out += [("mid word", w, {}) for w in rng.sample(middle, 15)]
    out += [("rare word", w, {}) for w in RARE]
    out += [("prefix", w[: rng.randint(2, 4)] + "*", {}) for w in rng.sample(common + middle, 20)]
    out += [("two words", f"{rng.choice(common)} {rng.choice(middle)}", {}) for _ in range(10)]
    out += [("two words", f"{a} {b}", {}) for a, b in (rng.sample(common, 2) for _ in range(10))]
    for _ in range(20):
        tokens = rng.choice(sample)
        i = rng.randrange(len(tokens) - 3)
        out.append(("phrase", '"' + " ".join(tokens[i : i + rng.randint(2, 3)]) + '"', {}))
    filters: list[dict[str, str]] = [
        {"model": MODELS[0]},
        {"model": MODELS[-1]},
        {"tag": TAGS[0]},
        {"tag": TAGS[-1]},
        {"identity_id": "customer-007"},
        {"model": MODELS[2], "tag": TAGS[3]},
    ]
    for f in filters:
        out += [("filtered", w, f) for w in rng.sample(common, 3)]
        out += [("filtered", w, f) for w in rng.sample(RARE, 1) + rng.sample(middle, 1)]
    return out


def search_bench(path: Path, rng: random.Random) -> None:
    plan = queries(path, rng)
    store = HistoryStore.open(path).store
    for order in ("recent", "relevance"):
        by_cat: dict[str, list[float]] = {}
        hits = 0
        for cat, q, f in plan:
            store.search(q, order=order, **f)  # type: ignore[arg-type]
            for _ in range(3):
                t0 = time.perf_counter()
                found = store.search(q, order=order, **f)  # type: ignore[arg-type]
                by_cat.setdefault(cat, []).append((time.perf_counter() - t0) * 1000)
            hits += bool(found)
        every = sorted(itertools.chain.from_iterable(by_cat.values()))
        goal = "  (goal <= 50 ms)" if order == "recent" else "  (ranked by relevance, no goal)"
        print(f"\nsearch, order={order}: {len(plan)} queries x 3, {hits} with hits")
        for cat, times in by_cat.items():
            print(
                f"  {cat:12} n={len(times):3}  p50 {pct(times, 50):6.2f} ms  "
                f"p95 {pct(times, 95):6.2f} ms  max {max(times):6.2f} ms"
            )
        print(
            f"  {'all':12} n={len(every):3}  p50 {pct(every, 50):6.2f} ms  "
            f"p95 {pct(every, 95):6.2f} ms  max {every[-1]:6.2f} ms{goal}"
        )
    store.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "orq-desktop-bench"
    )
    args = parser.parse_args()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    schema_hash = hashlib.sha256(repr(MIGRATIONS).encode()).hexdigest()[:10]
    full = args.cache_dir / f"history-s{SCHEMA_VERSION}-{schema_hash}-g{GENERATOR_VERSION}.sqlite3"
    if args.rebuild or not full.exists():
        build(full)
    with contextlib.closing(
        sqlite3.connect(f"{full.resolve().as_uri()}?mode=ro", uri=True)
    ) as conn:
        counts = [
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("threads", "messages", "runs", "images")
        ]
    print(
        f"database: {full} ({full.stat().st_size / 2**20:.0f} MiB): "
        f"{counts[0]} threads, {counts[1]} messages, {counts[2]} runs, {counts[3]} images"
    )
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.sqlite3"
        HistoryStore.open(empty).store.close()
        first_page(full, empty, args.runs)
    search_bench(full, random.Random(7))


if __name__ == "__main__":
    main()
