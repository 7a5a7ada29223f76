"""Concerns' forms, by domain: recording (and sharing), the records console, the ledger's filter,
and the GOV.UK-style date field they share."""
