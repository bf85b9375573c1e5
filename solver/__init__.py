"""Offline ARC Prize solver: per-task fine-tuning of a Tiny Recursive Model with augmented voting."""

__version__ = "0.1.0"
