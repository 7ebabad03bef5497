"""Aggregate data values from the files provinces keep, into DHIS2, without losing a row.

file (readers, excel) or DataFrame → catalogue (codes → UIDs from the compiled package) → preflight
(DHIS2's rules once per distinct value, column-wise; units: org units on the server, names.py for
communes written by name) → payload (bounded chunks, JSON assembled from per-distinct fragments) →
dhis2.api import, each chunk's counts checked → outcome (every row stored, rejected or not sent;
``on_chunk``) → report, and the rows-to-push-again file (rejected).

Entry points: ``push.push_frame`` and ``push.push_file``.
"""
