"""Deploy a built package to a DHIS2 instance: substitute instance defaults, plan, apply, back up, export."""
