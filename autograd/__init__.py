"""gradgate's engine: one scalar-and-tensor :class:`Value` recording gate nodes into a DAG.

``backward()`` walks the graph applying the gate rules: add distributes, mul swaps, max
routes, and every other op multiplies by its local derivative.  Those rules are gates too:
``grad(f, x, create_graph=True)`` records the backward pass as gates, so gradients can be
differentiated again, to any order.

>>> from autograd import Value, maximum
>>> x, y, z, w = Value(3.0), Value(-4.0), Value(2.0), Value(-1.0)
>>> f = 2 * (x * y + maximum(z, w))
>>> f.backward()
>>> f.data, x.grad, y.grad, z.grad, w.grad
(-20.0, -8.0, 6.0, 2.0, 0.0)
>>> (dx,) = grad(x ** 3, x, create_graph=True)
>>> dx.data, grad(dx, x)[0].data           # 3x², then 6x
(27.0, 18.0)
"""

from . import graph
from .differentiable import grad
from .errors import GradgateError, GraphFreedError, NonFiniteWarning
from .gate import Gate
from .grad_mode import enable_grad, is_grad_enabled, name_scope, no_grad
from .gradcheck import gradcheck, gradgradcheck
from .nn.batchnorm import batch_norm
from .nn.conv import conv2d
from .nn.dropout import dropout
from .nn.loss import cross_entropy, svm_loss
from .nn.lstm import lstm_cell
from .nn.pool import max_pool2d
from .nn.softmax import log_softmax, softmax
from .ops.join import cat, stack
from .random import manual_seed
from .value import Value, maximum

__all__ = [
    "Gate",
    "GradgateError",
    "GraphFreedError",
    "NonFiniteWarning",
    "Value",
    "batch_norm",
    "cat",
    "conv2d",
    "cross_entropy",
    "dropout",
    "enable_grad",
    "graph",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "log_softmax",
    "lstm_cell",
    "manual_seed",
    "max_pool2d",
    "maximum",
    "name_scope",
    "no_grad",
    "softmax",
    "stack",
    "svm_loss",
]
