"""The typed model of DHIS2 metadata: object models, the type table, enumerations and UIDs."""
