"""The YAML authoring format (``metadata/``) and its compiler into the typed model.

``reader`` turns files into documents with ``file:line``; ``compiler`` turns documents into the
model (codes → UIDs, ``{en, vi}`` texts → translations, inline children, defaults); ``combos``
generates category option combos; ``expressions`` resolves codes inside expressions. ``tables`` is
the format's vocabulary, per type.
"""

from dhis2_mch.package.authoring.reader import load_project

__all__ = ["load_project"]
