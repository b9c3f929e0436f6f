"""Shared fixtures: the diceproof CLI binary the Python results are compared with."""
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    """The diceproof binary: $DICEPROOF, else target/release/diceproof (built by
    `cargo test --release` / `cargo build --release`), else on PATH."""
    for c in [os.environ.get("DICEPROOF"), REPO / "target" / "release" / "diceproof",
              shutil.which("diceproof")]:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return str(c)
    pytest.fail("diceproof binary not found: run `cargo build --release` or set DICEPROOF")
