"""Output adapters for the reports: flat records, CSV/JSON/Markdown, XLSX workbooks, charts.

They read the services layer's frozen results and write files; nothing here queries the store.
"""
