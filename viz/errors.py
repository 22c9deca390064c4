"""Errors viz raises, with messages that say what to do.

>>> "apt-get install graphviz" in INSTALL_GRAPHVIZ
True
"""

from __future__ import annotations

import graphviz

INSTALL_GRAPHVIZ = (
    "Graphviz's `dot` program was not found on PATH, so the picture cannot be rendered.\n"
    "Install Graphviz (the program, not just the Python package):\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  macOS:         brew install graphviz\n"
    "  conda:         conda install -c conda-forge graphviz\n"
    "  Windows:       winget install graphviz (then reopen the terminal)\n"
    "The DOT source is still available: `.source` on the graph, or `.save('graph.dot')`."
)


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` program is missing; the message says how to install it.

    A subclass of ``graphviz.ExecutableNotFound``, so code that catches that still works.

    >>> str(GraphvizNotFoundError()).startswith("Graphviz's `dot` program")
    True
    """

    def __init__(self, detail: str = "") -> None:
        RuntimeError.__init__(self, INSTALL_GRAPHVIZ + (f"\n({detail})" if detail else ""))


class GraphvizRenderError(RuntimeError):
    """Graphviz's ``dot`` ran but could not render the picture; the message has its own words.

    >>> "exit status 1" in str(GraphvizRenderError("svg", 1, "Error: syntax error"))
    True
    """

    def __init__(self, fmt: str, returncode: int | None, detail: str) -> None:
        how = (f"failed (exit status {returncode})" if returncode is not None
               else "stopped reading the DOT source early")
        said = f": {detail.strip()}" if detail.strip() else ""
        super().__init__(
            f"viz: Graphviz's `dot` {how} while rendering the picture as {fmt}{said}\n"
            "The DOT source is still available: `.source` on the graph, or "
            "`.save('graph.dot')`.")
        self.returncode = returncode


class StepperGraphFreedError(RuntimeError):
    """The stepper cannot replay a tensor node whose saved intermediates were freed.

    >>> "retain_graph=True" in str(StepperGraphFreedError("conv2d"))
    True
    """

    def __init__(self, op: str) -> None:
        super().__init__(
            f"viz.step: cannot replay the backward of the {op} node: its saved intermediates "
            "were freed by an earlier `.backward()`. Tensor graphs keep them only when you "
            "call `loss.backward(retain_graph=True)`; or call `viz.step(loss)` before "
            "`loss.backward()`, or run the forward pass again."
        )


class LayoutBudgetError(GraphvizRenderError):
    """Even the coarsest picture took longer to lay out than its time budget allowed.

    >>> "budget=None" in str(LayoutBudgetError(2.0, 150))
    True
    """

    def __init__(self, budget: float, nodes: int) -> None:
        RuntimeError.__init__(
            self,
            f"viz: Graphviz's `dot` did not lay out the picture ({nodes} nodes) within the "
            f"{budget:g} s budget and was stopped. Draw fewer nodes (max_nodes=, collapse=), "
            "or pass a larger budget= (budget=None waits as long as it takes).")
        self.returncode = None
