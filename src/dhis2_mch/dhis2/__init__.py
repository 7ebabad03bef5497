"""The only code in dhis2-mch that talks HTTP to DHIS2.

``connection`` (auth, timeouts, retries, TLS, error mapping, version, authorities), ``profiles``
(instances and secrets), ``reports`` (typed import results from every response shape), ``jobs``
(bounded polling of async jobs) and ``api`` (the typed calls the rest of the project makes).
Import from the submodules; this package imports nothing heavy on its own.
"""
