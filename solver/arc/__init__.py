"""ARC itself, shared by every expert: tasks and grids, augmentations with exact inverses,
voting over candidate grids, Kaggle's submission format and its scoring rule."""
