"""The council workbook (issue 12): a council's organisation, people, plans, measures, targets, returns, actions,
risks and benchmarks in one Excel workbook (or a ZIP of CSV files), written by ``export`` and read by ``load``.
The sheets are declared in ``layout``; reading and checking rows is the core's (``pmf.imports``)."""
