"""Who the access matrix asks about, and status sets shared by the row modules."""

WHO = ("anonymous", "staff", "staff2", "deputy", "dsl", "admin", "auditor", "dsl_b", "ended")
SIGNED_IN = tuple(who for who in WHO if who != "anonymous")
RECORDERS = {"staff": 200, "staff2": 200, "deputy": 200, "dsl": 200, "dsl_b": 200}
NON_RECORDERS = {"admin": 403, "auditor": 403, "ended": 403}
SIGNED_IN_ONLY = {who: 200 for who in SIGNED_IN}
# A concern staff wrote at site A, in an unrestricted category: the author, the site's DSL team
# and its auditor read it; everyone else is told it does not exist.
READERS_OF_THE_CONCERN = {
    **{who: 404 for who in SIGNED_IN},
    "staff": 200,
    "deputy": 200,
    "dsl": 200,
    "auditor": 200,
}
