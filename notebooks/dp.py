"""Small helpers shared by the notebooks: find the diceproof binary and the
`diceproof reproduce` output, run the CLI with --json, and turn its exact
numbers ("p/q" strings) into fractions.Fraction.

The notebooks only *read* what diceproof writes; nothing here computes a result.

Environment variables (set by notebooks/run.sh; all optional when a notebook is
opened by hand from the repository):
  DICEPROOF  path of the diceproof binary
  NB_OUT     directory holding claims.json and figures/ from `diceproof reproduce`
"""
import json
import os
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def binary():
    """The diceproof binary: $DICEPROOF, else $CARGO_TARGET_DIR/release, else
    target/release in the repository, else `diceproof` on PATH."""
    candidates = []
    if os.environ.get("DICEPROOF"):
        candidates.append(Path(os.environ["DICEPROOF"]))
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(Path(os.environ["CARGO_TARGET_DIR"]) / "release" / "diceproof")
    candidates.append(REPO / "target" / "release" / "diceproof")
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    on_path = shutil.which("diceproof")
    if on_path:
        return on_path
    raise FileNotFoundError(
        "diceproof binary not found: set DICEPROOF, or run `cargo build --release` "
        "in the repository, or run `bash notebooks/run.sh`"
    )


def out_dir():
    """The reproduce output: $NB_OUT, else notebooks/out. If it has no
    claims.json yet, run `diceproof reproduce --quick` into it (about 30 s)."""
    out = Path(os.environ.get("NB_OUT") or HERE / "out")
    if not (out / "claims.json").is_file():
        print(f"{out}/claims.json missing: running diceproof reproduce --quick ...")
        subprocess.run([binary(), "reproduce", "--quick", "--quiet", "--out", str(out)],
                       check=True)
    return out


def run(*args):
    """Run `diceproof ARGS --json` and return the parsed JSON."""
    cmd = [binary(), *map(str, args), "--json"]
    print("$", " ".join(["diceproof", *cmd[1:]]))
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {res.returncode}:\n{res.stderr}")
    return json.loads(res.stdout)


def claims():
    """The list of claim records of claims.json."""
    return json.loads((out_dir() / "claims.json").read_text())["claims"]


def claim(name):
    for c in claims():
        if c["name"] == name:
            return c
    raise KeyError(name)


def figure(name):
    """(json, csv_path) of figures/NAME from the reproduce output."""
    fig = out_dir() / "figures"
    return json.loads((fig / f"{name}.json").read_text()), fig / f"{name}.csv"


def F(x):
    """An exact diceproof number ("p/q", "3", an int) as a Fraction."""
    return Fraction(str(x))
