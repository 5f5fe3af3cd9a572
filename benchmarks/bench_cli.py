"""The validate command on large inputs, each run a process of its own, as a user runs it; side by side with the
floor (a plain loop of ``orjson.loads`` over the same file), as ratios.

- JSON Lines against the floor: as a user runs it (``--jobs auto``, every usable core for a file this large), with
  ``--jobs 1`` and with ``--jobs 2``;
- one JSON array of 40,000 messages against the same messages as JSON Lines (goal: at most 1.5x);
- 1,000,000 invalid records with ``--format json``: peak memory (goal: under 100 MB).

    nox -s bench        (runs this after benchmarks/bench.py)
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from notify_schemas import variants
from notify_schemas.samples import samples

FLOOR = "import orjson, sys\nfor line in open(sys.argv[1], 'rb'): orjson.loads(line)"
PEAK = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _messages() -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for v in variants("seed"):
        found += samples(v.event_type, v.priority, profile="seed", seed=3, n=5)
    return found


# As an installed package runs: with its modules' bytecode written once (pip compiles it at install time, uv and a
# PYTHONDONTWRITEBYTECODE environment do not), so that no run pays for compiling the sources.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _timed(argv: list[str], repeat: int = 3) -> float:
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=False, env=_ENV)  # untimed: writes the bytecode
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=False, env=_ENV)
        best = min(best, time.perf_counter() - start)
    return best


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def main() -> None:
    command = [sys.executable, "-m", "notify_schemas", "validate"]
    messages = _messages()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = root / "200k.jsonl"
        lines.write_text("".join(json.dumps(m) + "\n" for m in itertools.islice(itertools.cycle(messages), 200_000)))
        small = root / "40k.jsonl"
        small.write_text("".join(json.dumps(m) + "\n" for m in itertools.islice(itertools.cycle(messages), 40_000)))
        array = root / "40k.json"
        items = (json.dumps(m, indent=2) for m in itertools.islice(itertools.cycle(messages), 40_000))
        array.write_text("[\n" + ",\n".join(items) + "\n]\n")
        invalid = root / "1m-invalid.jsonl"
        bad = dict(messages[0], priority="info")  # one violation each: a lower-case priority
        with invalid.open("w") as f:
            f.writelines(json.dumps(bad) + "\n" for _ in range(1_000_000))

        floor = _timed([sys.executable, "-c", FLOOR, str(lines)])
        auto = _timed([*command, str(lines)])
        one = _timed([*command, "--jobs", "1", str(lines)])
        two = _timed([*command, "--jobs", "2", str(lines)])
        as_lines = _timed([*command, str(small)])
        as_array = _timed([*command, str(array)])
        start = time.perf_counter()
        peak = subprocess.run([sys.executable, "-c", PEAK, *command, "--format", "json", str(invalid)],
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
        invalid_seconds = time.perf_counter() - start
    peak_mb = int(peak.strip()) / 1024
    print("validate: whole runs of `notify-schemas validate` (process start included), best of 3")
    print(f"  {'what':58} {'seconds':>8} {'ratio':>7}")
    print(f"  {'floor: orjson.loads loop over 200,000 JSON Lines':58} {floor:8.2f} {1:7.2f}")
    print(f"  {f'validate, 200,000 JSON Lines ({_cores()} usable cores)':58} {auto:8.2f} {auto / floor:7.2f}")
    print(f"  {'validate --jobs 1, 200,000 JSON Lines':58} {one:8.2f} {one / floor:7.2f}")
    print(f"  {'validate --jobs 2, 200,000 JSON Lines (vs --jobs 1)':58} {two:8.2f} {two / one:7.2f}")
    print(f"  {'validate, 40,000 messages as JSON Lines':58} {as_lines:8.2f} {1:7.2f}")
    print(f"  {'validate, the same as one JSON array, pretty-printed':58} {as_array:8.2f} {as_array / as_lines:7.2f}")
    print(f"  {'validate --format json, 1,000,000 invalid records':58} {invalid_seconds:8.2f}   {peak_mb:.0f} MB peak")
    print("goals")
    for name, passed, value in (
        ("array / JSON Lines <= 1.5x", as_array / as_lines <= 1.5, f"{as_array / as_lines:.2f}x"),
        ("1,000,000 invalid records, --format json, peak < 100 MB", peak_mb < 100, f"{peak_mb:.0f} MB"),
        ("validate / orjson.loads loop <= 1.5x", auto / floor <= 1.5, f"{auto / floor:.2f}x"),
        ("--jobs 2 / --jobs 1 < 1x", two / one < 1, f"{two / one:.2f}x"),
    ):
        print(f"  {'PASS' if passed else 'FAIL'}  {name}: {value}")


if __name__ == "__main__":
    main()
