"""What seed_demo needs besides its fictional data: its past weeks, replayed (history.py)."""
