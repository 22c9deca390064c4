"""The engine's primitive gates, grouped by kind: arithmetic, unary, reductions, shape, matmul."""
