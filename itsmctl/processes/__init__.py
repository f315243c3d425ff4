"""ITSM processes as code: the metrics table, KPI targets and the Process kind's readers."""
