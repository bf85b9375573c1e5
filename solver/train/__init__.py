"""Pretraining the base weights on public ARC training data: the data split, batches,
sharded checkpoints, the training loop, its log and curves, and export to weights/."""
