#!/usr/bin/env bash
# Execute every notebooks/*.ipynb headless against fresh `diceproof reproduce --quick`
# output, with the diceproof Python package `pip install`ed from the repository into
# the venv; exit non-zero (naming the notebook and cell) on any cell error.
#
#   bash notebooks/run.sh            # execute (CI); committed notebooks untouched
#   bash notebooks/run.sh --write    # execute and store the outputs in the notebooks
#
# Environment (all optional):
#   NB_VENV    Python venv to create/reuse        (default /tmp/diceproof-nb-venv)
#   DICEPROOF  diceproof binary                   (default $CARGO_TARGET_DIR/release/diceproof,
#              else target/release/diceproof, built with `cargo build --release` if missing)
#   NB_OUT     reproduce output + executed copies (default notebooks/out, git-ignored)
#   NB_REUSE   1 = keep an existing $NB_OUT/claims.json instead of rerunning reproduce
#   NB_TIMEOUT seconds allowed per cell           (default 300)
#   PYTHON     interpreter used to create the venv (default python3)
set -euo pipefail

NB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$NB_DIR/.." && pwd)"
NB_VENV="${NB_VENV:-/tmp/diceproof-nb-venv}"
NB_OUT="${NB_OUT:-$NB_DIR/out}"
NB_REUSE="${NB_REUSE:-0}"
NB_TIMEOUT="${NB_TIMEOUT:-300}"
PYTHON="${PYTHON:-python3}"
WRITE=()
case "${1:-}" in
    --write) WRITE=(--write-back) ;;
    "") ;;
    *) echo "usage: bash notebooks/run.sh [--write]" >&2; exit 2 ;;
esac

stamp() { date -u +%H:%M:%S; }
t0=$(date +%s)

# 1. Python environment.
echo "[$(stamp)] venv $NB_VENV"
if [ ! -x "$NB_VENV/bin/python" ]; then
    "$PYTHON" -m venv "$NB_VENV"
fi
"$NB_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    nbclient nbformat ipykernel pandas matplotlib
# The package the notebooks import (maturin release build of the `python` feature).
echo "[$(stamp)] pip install $REPO (diceproof Python package)"
tp0=$(date +%s)
"$NB_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$REPO"
echo "[$(stamp)] diceproof package installed in $(( $(date +%s) - tp0 )) s"
# A kernelspec inside the venv, so the notebooks run on the venv's Python even if
# another "python3" kernel is registered for this user.
"$NB_VENV/bin/python" -m ipykernel install --prefix "$NB_VENV" --name diceproof-nb \
    --display-name "Python (diceproof notebooks)" >/dev/null
t1=$(date +%s)

# 2. The diceproof binary.
if [ -z "${DICEPROOF:-}" ]; then
    if [ -n "${CARGO_TARGET_DIR:-}" ]; then
        DICEPROOF="$CARGO_TARGET_DIR/release/diceproof"
    else
        DICEPROOF="$REPO/target/release/diceproof"
    fi
    if [ ! -x "$DICEPROOF" ]; then
        echo "[$(stamp)] $DICEPROOF missing: cargo build --release"
        (cd "$REPO" && cargo build --release)
    fi
fi
if [ ! -x "$DICEPROOF" ]; then
    echo "error: diceproof binary $DICEPROOF not found or not executable" >&2
    exit 1
fi
DICEPROOF="$(cd "$(dirname "$DICEPROOF")" && pwd)/$(basename "$DICEPROOF")"
t2=$(date +%s)

# 3. The data the notebooks read.
mkdir -p "$NB_OUT"
NB_OUT="$(cd "$NB_OUT" && pwd)"
if [ "$NB_REUSE" = "1" ] && [ -f "$NB_OUT/claims.json" ]; then
    echo "[$(stamp)] reusing $NB_OUT/claims.json (NB_REUSE=1)"
else
    echo "[$(stamp)] $DICEPROOF reproduce --quick --out $NB_OUT"
    "$DICEPROOF" reproduce --quick --quiet --out "$NB_OUT"
fi
t3=$(date +%s)

# 4. Execute the notebooks.
export DICEPROOF NB_OUT PYTHONDONTWRITEBYTECODE=1
status=0
"$NB_VENV/bin/python" "$NB_DIR/run_notebooks.py" \
    --kernel diceproof-nb --timeout "$NB_TIMEOUT" --out "$NB_OUT/executed" "${WRITE[@]}" \
    "$NB_DIR"/*.ipynb || status=$?
t4=$(date +%s)

echo "[$(stamp)] times: venv+pip $((t1 - t0)) s, binary $((t2 - t1)) s," \
     "reproduce $((t3 - t2)) s, notebooks $((t4 - t3)) s, total $((t4 - t0)) s"
exit "$status"
