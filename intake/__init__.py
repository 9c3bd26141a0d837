"""A council's own files in: its caseload workbook and its SEN2 return, read into case
histories with a data-quality report, before anything is written.

Pure apart from reading the given file: no database, no clock (``as_of`` is passed in),
no settings. ``services.onboarding`` feeds what this package plans to the store's
all-or-nothing import (``db.transfer``).

| module | one line |
|---|---|
| ``mapping`` | the mapping file (YAML, pydantic): which column holds which fact, words, dates |
| ``sheet`` | a worksheet or CSV as a header and numbered rows (merged headers, blank rows) |
| ``dates`` | a cell as a date: Excel dates and serials, the mapping's text formats |
| ``issues`` | the kinds of problem (as data), ``Issue``, and a planned case |
| ``rows`` | one row -> one case's events, with what was inferred, missing or impossible |
| ``sen2`` | a person-level SEN2 XML return -> the opening caseload |
| ``workbook`` | the data-quality report as an xlsx; the template's example workbook |
"""
