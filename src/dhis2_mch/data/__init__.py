"""Aggregate data values from the files provinces keep, into DHIS2.

file → readers (DataFrame of text) → catalogue (codes → UIDs from the package) → preflight (DHIS2's
rules, row by row, before anything is sent) → payload (one envelope per data set, serialised once)
→ dhis2.api import → conflicts mapped back to source rows → report and a file of rejected rows.
"""
