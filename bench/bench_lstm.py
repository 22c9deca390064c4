"""LSTM forward + backward, gradgate's ``layers.LSTM`` vs PyTorch, side by side.

Batch 32, 50 steps, input 32, hidden 64, batch-first, float32; the loss is the sum of the
outputs.  PyTorch runs twice: its fused ``nn.LSTM`` and an ``LSTMCell`` loop (the same
per-step structure as ours).  Both start from the same weights and the script checks that
the outputs agree.

    python bench/bench_lstm.py [--threads 2] [--repeat 20]
"""

from __future__ import annotations

import _common  # noqa: F401  (sets thread limits before numpy/torch are imported)
import numpy as np

from autograd import Value
from layers import LSTM

BATCH, STEPS, INPUT, HIDDEN = 32, 50, 32, 64


def main() -> None:
    args = _common.arguments(__doc__.splitlines()[0], repeat=20)
    torch = _common.load_torch()
    _common.limit_threads(torch)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, STEPS, INPUT)).astype(np.float32)
    ours = LSTM(INPUT, HIDDEN, batch_first=True).to(np.float32)
    xv = Value(x, requires_grad=False)

    def gradgate() -> np.ndarray:
        ours.zero_grad()
        out, _ = ours(xv)
        out.sum().backward()
        return out.data

    candidates = {"gradgate LSTM": gradgate}
    if torch is not None:
        fused = torch.nn.LSTM(INPUT, HIDDEN, batch_first=True)
        cell = torch.nn.LSTMCell(INPUT, HIDDEN)
        with torch.no_grad():
            for name, p in ours.named_parameters():
                getattr(fused, name).copy_(torch.from_numpy(p.data))
                getattr(cell, name.replace("_l0", "")).copy_(torch.from_numpy(p.data))
        xt = torch.from_numpy(x)

        def torch_lstm() -> np.ndarray:
            fused.zero_grad()
            out, _ = fused(xt)
            out.sum().backward()
            return out.detach().numpy()

        def torch_cell_loop() -> np.ndarray:
            cell.zero_grad()
            h = c = torch.zeros(BATCH, HIDDEN)
            outs = []
            for t in range(STEPS):
                h, c = cell(xt[:, t], (h, c))
                outs.append(h)
            out = torch.stack(outs, 1)
            out.sum().backward()
            return out.detach().numpy()

        np.testing.assert_allclose(gradgate(), torch_lstm(), rtol=1e-4, atol=1e-5)
        candidates |= {"torch nn.LSTM": torch_lstm, "torch LSTMCell loop": torch_cell_loop}
    times = _common.compare(candidates, args.repeat)
    ours_ms = times["gradgate LSTM"]
    rows = [(name, ms, ours_ms / ms) for name, ms in times.items()]
    _common.table(f"LSTM fwd+bwd, batch {BATCH}, {STEPS} steps, {INPUT}->{HIDDEN}, float32",
                  ["candidate", "ms", "ours / this"], rows)


if __name__ == "__main__":
    main()
