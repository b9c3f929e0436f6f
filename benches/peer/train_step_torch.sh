#!/bin/sh
# PyTorch peer of `cargo bench --features training --bench train_step`.
# Creates a venv under /tmp (override with VENV=...), installs torch from the
# registry (the CPU run pulls the full wheel set, about 2.5 GB, ~2 min), then times
# one training step of the same U-Net with the same thread count.
# Usage: benches/peer/train_step_torch.sh [threads] [steps]
set -eu
THREADS="${1:-2}"
STEPS="${2:-100}"
VENV="${VENV:-/tmp/diceproof-torch-venv}"
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet torch
fi
OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" \
    "$VENV/bin/python" "$HERE/train_step_torch.py" "$THREADS" "$STEPS"
