"""The neural expert: the Tiny Recursive Model, its grid codec and weights, per-task
fine-tuning and augmented inference."""
