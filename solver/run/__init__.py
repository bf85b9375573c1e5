"""Running many tasks: the command line, the supervisor and its device workers, the
resume journal, the time budget and the device's measured speed, progress."""
