"""Renderers of a quarterly pack (D7, D8), each from the pack's *snapshot* (``reporting.snapshot``) and nothing
else, so that the formats cannot disagree:

- ``web``: the web page's body, and what every format shares (the parts shown, the contents, chart data tables);
- ``pdf``: WeasyPrint, for committee papers;
- ``word``: python-docx, on the council's own template;
- ``excel``: openpyxl, the data annex.

Web pages import only ``web``; the job that prepares a pack imports the others, and their libraries.
"""
