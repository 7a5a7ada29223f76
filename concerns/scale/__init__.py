"""A large fictional organisation for measuring Vigil at the size of a trust (`manage.py seed_scale`).

Every name, child and event is invented from the small word lists in `organisation.py`; nothing
here is loaded in production. The rows go in by PostgreSQL's COPY (bulk inserts on SQLite, for
the tiny sizes the tests use), and the ledger is hashed into its chain as it is written, so
`manage.py audit_verify` passes on it.
"""
