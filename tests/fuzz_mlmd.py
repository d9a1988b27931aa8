"""Coverage-guided fuzzing of the MLMD reader (atheris) on mutated SQLite stores.

Run by tests/test_fuzz.py in a subprocess for a bounded time:
    python -m tests.fuzz_mlmd SEED_STORE WORKDIR -max_total_time=30

Each input takes the seed store's bytes and overwrites a few byte ranges chosen by the
fuzzer (so most inputs keep a valid SQLite header and reach deep into the reader). The
loader must either load the store or refuse it with a GraphletsError; any other
exception is a crash.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from graphlets.core.errors import GraphletsError
    from loaders.mlmd import load_mlmd


def main() -> None:
    seed, workdir = Path(sys.argv[1]), Path(sys.argv[2])
    original = seed.read_bytes()
    store, warehouse = workdir / "mutated.sqlite", workdir / "w.duckdb"

    def one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        mutated = bytearray(original)
        for _ in range(fdp.ConsumeIntInRange(1, 8)):
            at = fdp.ConsumeIntInRange(0, len(mutated) - 1)
            chunk = fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 16))
            mutated[at : at + len(chunk)] = chunk
        if fdp.ConsumeBool():
            del mutated[fdp.ConsumeIntInRange(0, len(mutated)) :]
        store.write_bytes(bytes(mutated))
        warehouse.unlink(missing_ok=True)
        with contextlib.suppress(GraphletsError):  # a clean refusal is a pass
            load_mlmd(warehouse, str(store), "fuzz", lock_timeout=0)

    atheris.Setup([sys.argv[0], *sys.argv[3:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
