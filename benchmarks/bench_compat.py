"""Evolution guard speed: ``notify-schemas compat`` on schema edits, against whole-message generation (goal: the
one-enum change answered in under 20 s).

Each edit is made to a copy of ``schemas/``, bundled, and compared with the unedited schemas by the command in a
process of its own, as a user runs it: structurally only (``--examples 0``), as shipped (generation at the places
where the schemas differ), and with generation of whole messages from each variant's schema instead.

    nox -s bench        (runs this after benchmarks/bench.py)
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from notify_schemas.authoring.bundle import write_bundles

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
GOAL = 20.0

# The command with Walk.places answering nothing: generation falls back to whole messages of each variant.
WHOLE_MESSAGES = (
    "import sys; from notify_schemas.authoring.compat import structure, main; "
    "structure.Walk.places = lambda self: []; sys.exit(main(sys.argv[1:]))"
)


def _remove(value: str, definition: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["definitions"][definition]["enum"].remove(value)

    return change


EDITS: list[tuple[str, str, Callable[[dict[str, Any]], None]]] = [
    ("one enum value removed (disk_format ploop)", "definitions/image.json", _remove("ploop", "disk_format")),
    ("one enum value removed (image status killed)", "definitions/image.json", _remove("killed", "status")),
]


def _edited(root: Path, relative: str, change: Callable[[dict[str, Any]], None]) -> Path:
    target = root / "schemas"
    shutil.copytree(SCHEMAS, target)
    path = target / relative
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    write_bundles(target)
    return target


def _timed(argv: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr}")
    changed = sum("(unchanged)" not in line for line in done.stdout.splitlines()[:-1] if not line.startswith(" "))
    return elapsed, changed


def main() -> None:
    command = [sys.executable, "-m", "notify_schemas.authoring.compat"]
    print("compat: notify-schemas compat schemas/ EDITED/, each run a process of its own")
    print(f"  {'edit':46} {'variants':>8} {'structural':>10} {'shipped':>8} {'whole msgs':>10} {'ratio':>6}")
    shipped_times = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, relative, change) in enumerate(EDITS):
            edited = _edited(Path(tmp) / str(index), relative, change)
            structural, _ = _timed([*command, str(SCHEMAS), str(edited), "--examples", "0"])
            shipped, changed = _timed([*command, str(SCHEMAS), str(edited)])
            if index == 0:
                peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            whole, _ = _timed([sys.executable, "-c", WHOLE_MESSAGES, str(SCHEMAS), str(edited)])
            shipped_times.append(shipped)
            print(f"  {name:46} {changed:8} {structural:9.1f}s {shipped:7.1f}s {whole:9.1f}s "
                  f"{whole / shipped:5.0f}x")  # fmt: skip
    print(f"  peak memory of the first edit's runs: {peak_mb:.0f} MB")
    verdict = "PASS" if shipped_times[0] <= GOAL else "FAIL"
    print(f"goal  {verdict}  {shipped_times[0]:.1f} s for the one-enum change (goal <= {GOAL:.0f} s)")


if __name__ == "__main__":
    main()
