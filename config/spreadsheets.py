"""Exports that are safe to open in a spreadsheet: no cell is read as a formula (OWASP "CSV injection").

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel, LibreOffice
and Google Sheets (`=HYPERLINK(...)`, `@SUM(...)`); customer names, event properties and codes come from
outside, so every exported text cell goes through `neutralise`, which puts a `'` before such a cell.
Plain numbers (`-12.50`, an E.164 phone number `+8801712345678`) are left as they are: they are not formulas.
Every admin export format (`IMPORT_EXPORT_FORMATS`) and the API's CSV downloads use it.
"""

import re

import tablib
from import_export.formats import base_formats

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Neutralised:
    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
        for row in dataset:
            safe.append([neutralise(cell) for cell in row])
        return super().export_data(safe, **kwargs)


class CSV(_Neutralised, base_formats.CSV):
    pass


class XLSX(_Neutralised, base_formats.XLSX):
    pass


class TSV(_Neutralised, base_formats.TSV):
    pass


# JSON is not opened by spreadsheets; it stays exact.
FORMATS = [CSV, XLSX, TSV, base_formats.JSON]
# The admin exports native numbers and dates only to the formats in this list, compared by exact type.
base_formats.BINARY_FORMATS.append(XLSX)
