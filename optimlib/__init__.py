"""optimlib: a tiny numpy library of deep-learning optimizers."""
