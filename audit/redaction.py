"""What the ledger writes in place of a value it must not keep."""

NOT_RECORDED = "(not recorded)"


def value_not_recorded(value: str) -> str:
    """auditlog's mask_callable for personal fields: the entry says the field changed, never to what."""
    return NOT_RECORDED
