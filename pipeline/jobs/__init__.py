"""Unattended operation: job files of several studies, a lock, retries, checkpoint and resume."""
