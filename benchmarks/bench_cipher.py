"""What encrypting the local cache costs: plain vs SQLCipher, same data, same run (prints).

    .venv/bin/python benchmarks/bench_cipher.py                # 100k leads, 1M events
    .venv/bin/python benchmarks/bench_cipher.py --scale 0.05   # quick run

Both stores use the store's own driver (`sqlcipher3`); "plain" opens without a key, the
floor every figure is a ratio against. "encrypted" uses a raw 256-bit key, as the app's
keyring key is (no KDF); "passphrase" adds SQLCipher's PBKDF2 at every open (no keyring).
Latencies are interleaved plain/encrypted sample by sample, so the machine's noise falls
on both alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from repdesk.store import Store
from repdesk.store.api import LeadQuery, LeadSort
from repdesk.store.cipher import CacheKey, encrypt_plain
from repdesk.store.db import DB_NAME

sys.path.insert(0, str(Path(__file__).parent))
from bench_store import make_data  # noqa: E402

KEY = CacheKey.generate()
PASSPHRASE = CacheKey.passphrase("correct horse battery staple")
SEARCHES = ("ma", "smi", "pric", "john do", "webinar scal")
QUERIES = {
    "lead_ids last touch (all)": LeadQuery(),
    "lead_ids name asc (all)": LeadQuery(sort=LeadSort.NAME, descending=False),
    "lead_ids search 'smi'": LeadQuery(search="smi", sort=LeadSort.NAME),
}


def ab_latency(
    fa: Callable[[], object], fb: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median ms of `fa` and `fb`, sampled alternately."""
    fa(), fb()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for fn, out in ((fa, a), (fb, b)):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
    return statistics.median(a), statistics.median(b)


def startup(folder: Path, key: CacheKey | None) -> None:
    """Open the store (migrations check, keying) and read the first screen of the list."""
    with Store.open(folder, key=key) as store:
        store.lead_rows(store.lead_ids(LeadQuery())[:60])


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob(f"{DB_NAME}*")) / 1e6


def ratio_line(name: str, plain: float, encrypted: float, unit: str) -> None:
    print(f"  {name:30} {plain:10.2f} {encrypted:10.2f} {unit:4} x{encrypted / plain:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100k leads, 1M events")
    parser.add_argument("--repeat", type=int, default=20, help="samples per latency figure")
    args = parser.parse_args()
    n_leads = max(10, int(100_000 * args.scale))
    n_events = max(10, int(1_000_000 * args.scale))
    leads, events = make_data(n_leads, n_events)
    total = n_leads + n_events
    print(f"{n_leads:,} leads + {n_events:,} events; columns: plain, encrypted, unit, ratio")

    with tempfile.TemporaryDirectory(prefix="bench-cipher-") as tmp:
        root = Path(tmp)
        plain_dir, enc_dir = root / "plain", root / "encrypted"
        took: dict[str, float] = {}
        for name, folder, key in (("plain", plain_dir, None), ("encrypted", enc_dir, KEY)):
            with Store.open(folder, key=key) as store:
                started = time.perf_counter()
                store.bulk_load(leads, events)
                took[name] = time.perf_counter() - started
        print("bulk load (Store.bulk_load, one transaction, FTS rebuilt):")
        ratio_line("seconds", took["plain"], took["encrypted"], "s")
        ratio_line(
            "rows/s (thousands)",
            total / took["plain"] / 1e3,
            total / took["encrypted"] / 1e3,
            "k/s",
        )
        ratio_line("database size", size_mb(plain_dir), size_mb(enc_dir), "MB")

        with Store.open(plain_dir) as plain, Store.open(enc_dir, key=KEY) as enc:
            print("search / list (median ms, interleaved):")
            for text in SEARCHES:
                a, b = ab_latency(
                    lambda t=text: plain.search(t), lambda t=text: enc.search(t), args.repeat
                )
                ratio_line(f"search({text!r})", a, b, "ms")
            for name, query in QUERIES.items():
                a, b = ab_latency(
                    lambda q=query: plain.lead_ids(q), lambda q=query: enc.lead_ids(q), args.repeat
                )
                ratio_line(name, a, b, "ms")

        print("start-up (Store.open + first 60 rows, median ms, interleaved):")
        a, b = ab_latency(
            lambda: startup(plain_dir, None),
            lambda: startup(enc_dir, KEY),
            max(5, args.repeat // 2),
        )
        ratio_line("keyring key (raw, no KDF)", a, b, "ms")
        phrase_dir = root / "phrase"
        with Store.open(phrase_dir, key=PASSPHRASE):
            pass
        a, b = ab_latency(
            lambda: startup(root / "empty", None), lambda: startup(phrase_dir, PASSPHRASE), 5
        )
        ratio_line("passphrase (PBKDF2), empty db", a, b, "ms")

        started = time.perf_counter()
        encrypt_plain(plain_dir / DB_NAME, KEY)
        print(f"converting the plain cache on upgrade: {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
