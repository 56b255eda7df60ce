"""Register spreadsheets (CSV and XLSX) read into rows of canonical fields, and written back out."""
from server.registry.tabular.cells import neutralise
from server.registry.tabular.columns import FIELDS, match_header
from server.registry.tabular.reading import ParsedTable, RowProblem, read_table
from server.registry.tabular.writing import headers, template, write_grid, write_table

__all__ = ["FIELDS", "ParsedTable", "RowProblem", "headers", "match_header", "neutralise", "read_table",
           "template", "write_grid", "write_table"]
