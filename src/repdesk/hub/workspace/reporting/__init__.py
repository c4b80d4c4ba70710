"""What the report pages share: reading the filter bar from a query string
(`filter_form`), showing and exporting any report `Section` generically (`cells`), and
the catalogue of report pages (`catalog`). The routes are in `workspace.pages.reports`,
`workspace.pages.speed` and `workspace.pages.objection_feed`."""
