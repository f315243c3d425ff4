"""Built-in mappings of common ITSM exports onto the generic record format (docs/measure.md).

Each preset names, per generic field, the export's column, and maps the export's values
(priorities, types, states) onto ours. Values a preset does not map are counted and listed
by `measure`, never guessed: add them under `values:` in mapping.yaml.
"""

from __future__ import annotations

from typing import Any

GENERIC: dict[str, Any] = {}

# ServiceNow list export (CSV, display values) of the incident table. ServiceNow keeps no
# response timestamp on the incident itself: `work_start` (Actual start) is read; the state
# history comes from the Incident State metric (metric_instance: id, value, start).
SERVICENOW_INCIDENT: dict[str, Any] = {
    "columns": {
        "id": "number", "opened_at": "opened_at", "responded_at": "work_start",
        "resolved_at": "resolved_at", "closed_at": "closed_at", "priority": "priority",
        "channel": "contact_type", "reopened": "reopen_count",
        "service": ["business_service", "cmdb_ci"],
    },
    "constants": {"type": "incident"},
    "events": {"columns": {"id": "id", "at": "start", "status": "value"}},
    "values": {
        "priority": {"1 - Critical": "P1", "2 - High": "P2", "3 - Moderate": "P3",
                     "4 - Low": "P4"},
        "status": {"New": "new", "In Progress": "in-progress", "On Hold": "on-hold",
                   "Awaiting Caller": "awaiting-customer", "Resolved": "resolved",
                   "Closed": "closed", "Canceled": "canceled"},
        "channel": {"Self-service": "self-service", "Phone": "phone", "Email": "email",
                    "Chat": "chat", "Walk-in": "walk-in", "Virtual Agent": "virtual-agent"},
    },
}

# ServiceNow requested items (sc_req_item): fulfilment ends when the item is closed.
SERVICENOW_REQUESTED_ITEM: dict[str, Any] = {
    "columns": {
        "id": "number", "opened_at": "opened_at", "responded_at": "work_start",
        "resolved_at": "closed_at", "closed_at": "closed_at", "priority": "priority",
        "channel": "contact_type", "service": ["business_service", "cmdb_ci"],
    },
    "constants": {"type": "request"},
    "events": SERVICENOW_INCIDENT["events"],
    "values": SERVICENOW_INCIDENT["values"],
}

# ServiceNow change requests (change_request list export): the change is done at its actual
# end (`work_end`, else its closure); `type` is the change type (Standard, Normal, Emergency),
# `close_code` the outcome. "Successful with issues" counts as failed: the change degraded
# the service (DORA's change failure), which is what the failure rate is for.
SERVICENOW_CHANGE_REQUEST: dict[str, Any] = {
    "columns": {
        "id": "number", "opened_at": "opened_at", "responded_at": "work_start",
        "resolved_at": ["work_end", "closed_at"], "closed_at": "closed_at",
        "priority": "priority", "outcome": "close_code", "change_type": "type",
        "service": ["business_service", "cmdb_ci"],
    },
    "constants": {"type": "change"},
    "values": {
        "priority": SERVICENOW_INCIDENT["values"]["priority"],
        "outcome": {"Successful": "successful", "Successful with issues": "failed",
                    "Unsuccessful": "failed"},
        "change_type": {"Standard": "standard", "Normal": "normal", "Emergency": "emergency"},
    },
}

# Jira Service Management issue export (Export > CSV): dates as Jira writes them by default
# (`01/Dec/26 9:05 AM`, in the exporting user's zone: give --assume-tz); the first response
# is the `[CHART] Date of First Response` field; services from `Affected services`.
JIRA_SERVICE_MANAGEMENT: dict[str, Any] = {
    "timestampFormat": "%d/%b/%y %I:%M %p",
    "columns": {
        "id": "Issue key", "type": "Issue Type", "priority": "Priority",
        "opened_at": "Created", "resolved_at": "Resolved",
        "responded_at": "Custom field ([CHART] Date of First Response)",
        "service": ["Custom field (Affected services)", "Component/s"],
        "csat": "Satisfaction rating",
    },
    "events": {"columns": {"id": "Issue key", "at": "Changed", "status": "To status"}},
    "values": {
        "priority": {"Highest": "P1", "High": "P2", "Medium": "P3", "Low": "P4",
                     "Lowest": "P4"},
        "type": {"Incident": "incident", "[System] Incident": "incident",
                 "Service request": "request", "[System] Service request": "request",
                 "Service Request": "request", "Change": "change", "[System] Change": "change",
                 "Problem": "problem", "[System] Problem": "problem"},
        "status": {"Open": "new", "Work in progress": "in-progress", "In Progress": "in-progress",
                   "Pending": "on-hold", "Waiting for customer": "awaiting-customer",
                   "Waiting for support": "in-progress", "Resolved": "resolved",
                   "Closed": "closed", "Canceled": "canceled"},
    },
}

PRESETS: dict[str, dict[str, Any]] = {
    "generic": GENERIC,
    "servicenow-incident": SERVICENOW_INCIDENT,
    "servicenow-requested-item": SERVICENOW_REQUESTED_ITEM,
    "servicenow-change-request": SERVICENOW_CHANGE_REQUEST,
    "jira-service-management": JIRA_SERVICE_MANAGEMENT,
}
