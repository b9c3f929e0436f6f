"""Execute notebooks headless with nbclient (used by run.sh).

Each notebook runs with its own folder as working directory and the kernel of
this interpreter; the executed copy is written to --out. With --write-back a
notebook that ran without error is also written over its source (outputs
included, kernelspec left as committed): that is how the committed notebooks get
their outputs (`bash notebooks/run.sh --write`). Exit status 1 if any cell raised, naming notebook and cell.
"""
import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--kernel", default="python3")
    ap.add_argument("--write-back", action="store_true",
                    help="write each notebook that ran without error over its source")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"kernel {args.kernel} (nbclient on {sys.executable})", flush=True)

    failures = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        committed_meta = dict(nb.metadata)
        client = NotebookClient(
            nb,
            timeout=args.timeout,
            kernel_name=args.kernel,
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.time()
        failed = None
        try:
            client.execute()
        except (CellExecutionError, CellTimeoutError) as err:
            failed = err
        except Exception as err:  # kernel died, bad notebook, ...
            failed = err
        finally:
            nbformat.write(nb, args.out / path.name)
        secs = time.time() - start
        if failed is None:
            print(f"ok    {path.name}  ({len(nb.cells)} cells, {secs:.1f} s)", flush=True)
            if args.write_back:
                nb.metadata = nbformat.from_dict(committed_meta)
                nbformat.write(nb, path)
            continue
        # Locate the failing cell: the first code cell whose outputs hold an error.
        where = "unknown cell"
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and any(
                o.get("output_type") == "error" for o in cell.get("outputs", [])
            ):
                where = f"cell {i} (execution count {cell.get('execution_count')})"
                break
        print(f"FAIL  {path.name}  {where}  ({secs:.1f} s)", flush=True)
        print(str(failed), file=sys.stderr, flush=True)
        failures.append(f"{path.name}: {where}")

    total = len(args.notebooks)
    print(f"notebooks: {total - len(failures)} passed, {len(failures)} failed")
    for f in failures:
        print(f"  failed: {f}")
    print(f"executed copies in {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
