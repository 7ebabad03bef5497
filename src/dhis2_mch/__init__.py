"""dhis2-mch: Vietnam's maternal and child health programmes on DHIS2, as code."""

__version__ = "0.1.0"
