"""Catalog import and export (format: docs/catalog.md).

    import_catalog(uow, Path("koeln.yaml"), actor=me)   # YAML catalog, or CSV/XLSX list
    export_catalog(uow, Path("stand.xlsx"))             # YAML, CSV or XLSX by suffix

The importer validates the whole file first and raises CatalogError with every
problem (German, with path or row/column); it flushes but never commits.
"""
from .errors import CatalogError
from .exporter import export_catalog
from .importer import import_catalog
from .report import ImportReport

__all__ = ["CatalogError", "ImportReport", "export_catalog", "import_catalog"]
