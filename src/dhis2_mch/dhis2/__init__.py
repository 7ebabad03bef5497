"""The only code in dhis2-mch that talks HTTP to DHIS2.

- ``connection``: the session (auth, timeouts and the deadline, a swappable ``transport``), with its
  private helpers ``_send`` (one request: which may be retried, and the time limits), ``_urls`` (URL
  and plain-http policy), ``_retry``, ``_transport`` (UTF-8 Basic credentials, the timed body read)
  and ``_exceptions`` (failures → errors by kind);
- ``identity`` (version, user, authorities), ``profiles`` (instances) and ``credentials`` (where
  their secrets come from), ``version``;
- one module per kind of request, each with its typed result: ``reads``, ``authorities``,
  ``metadata``, ``datavalues``, ``tracker``, ``completeness``; ``jobs`` polls async jobs within
  bounds; ``_envelopes`` holds the shapes they share;
- ``api`` and ``reports`` gather the public names of those modules for callers.

Import from the submodules; this package imports nothing heavy on its own.
"""
