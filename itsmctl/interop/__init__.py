"""Interoperability: import from and export to the formats teams already keep their data in.

One module per format and direction (`backstage_import`, `backstage_export`, `openslo_export`,
`pagerduty_export`, `opsgenie_export`, `servicenow_export`, `servicenow_import`); shared
plumbing in `names`, `carry`, `mapping`, `descriptors`, `csvtable` and `writer`. Like every
core module, none of them prints, exits or imports click: each returns a result object that
a reporter renders. The per-field mapping is documented in docs/interop.md.
"""
