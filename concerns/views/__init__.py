"""Staff and DSL-team pages: recording in recording.py, sharing in shares.py."""
