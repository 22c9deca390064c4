"""Neural-network functions built as gates: softmax, losses, dropout, conv2d, max_pool2d."""
