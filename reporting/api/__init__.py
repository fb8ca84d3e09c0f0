"""The REST API (``/api/``): plans, plan items, measures and their specifications, targets and returns, actions
and their updates, and every measure's assessment, read with the person's own scope (``pmf.access``); returns and
action updates written through the same services as the pages. The schema at ``/api/schema/``, the docs at
``/api/docs/``. It reads across the apps, so it lives in the reporting layer."""
