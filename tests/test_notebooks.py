"""The course notebooks: stored without outputs, and every one executes without an error.

The execution tests are marked ``notebooks`` (select them with ``pytest -m notebooks``, skip
them with ``-m "not notebooks"``); they run in the default test command. Each notebook runs
in a fresh kernel started from *this* interpreter through a temporary ``python3`` kernelspec
(first on ``JUPYTER_PATH``), so a fresh virtualenv needs no ``ipykernel install`` and a user's
own ``python3`` kernel pointing at another Python is never picked up.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
CHAPTERS = ["01_backprop_gates", "02_scalars_to_mlp", "03_knn_and_linear",
            "04_neural_networks", "05_convolution", "06_architectures", "07_rnn_lstm",
            "08_higher_order"]
CELL_TIMEOUT = 300


def test_every_chapter_has_a_notebook() -> None:
    assert [p.stem for p in NOTEBOOKS] == CHAPTERS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    for i, cell in enumerate(code):
        assert cell.outputs == [], f"{path.name}: code cell {i} has stored outputs"
        assert cell.execution_count is None, f"{path.name}: code cell {i} has a count"


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JUPYTER_PATH folder whose ``python3`` kernel is this interpreter, with the checkout
    importable even when gradgate is not installed."""
    pytest.importorskip("ipykernel")
    base = tmp_path_factory.mktemp("jupyter")
    spec = base / "kernels" / "python3"
    spec.mkdir(parents=True)
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (gradgate tests)",
        "language": "python",
        "env": {"PYTHONPATH": python_path, "OMP_WAIT_POLICY": "PASSIVE"},
    }), encoding="utf-8")
    return base


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path: Path, kernel_dir: Path, monkeypatch: pytest.MonkeyPatch
                           ) -> None:
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(
        p for p in (str(kernel_dir), os.environ.get("JUPYTER_PATH")) if p))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute()  # raises CellExecutionError (with the traceback) on any error
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code)
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert errors == []
    pictures = [out for cell in code for out in cell.outputs
                if {"image/svg+xml", "text/html", "image/png"} & set(out.get("data", {}))]
    assert pictures, f"{path.name} produced no pictures"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_plots_with_matplotlib_only(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert "svgplot" not in code
    if "plt." in code:
        assert "import matplotlib.pyplot as plt" in code
    assert not (NOTEBOOK_DIR / "svgplot.py").exists()
