"""Scheduled sync from the provinces' own spreadsheets into DHIS2, with a ledger that survives crashes.

sources (globs + mappings) → ``data.mapping`` → keys resolved column-wise (codes → UIDs) → ``ledger``
diff (only new, changed or unfinished values go on) → ``data.preflight`` → chunks sent in ledger
transactions (``send``) → marks from DHIS2's answer → optional completeness registration.

Modules: ``config`` (sync.yaml), ``ledger`` (SQLite), ``lock`` (one run at a time), ``keys``
(resolution and hashing), ``send`` (chunks), ``runner`` (a run), ``status`` (what the ledger says).
"""
