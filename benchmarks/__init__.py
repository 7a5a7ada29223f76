"""Benchmarks against a generated organisation (`manage.py seed_scale`); `make bench` runs them."""
