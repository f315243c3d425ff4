"""`export openslo`: each SLA's availability promise as an OpenSLO v1 SLO, with its Service.

Our availability is time-based: the share of the calendar's minutes in a measurement period
without an outage (itsmctl/measure). In OpenSLO that is a `Timeslices` SLO over one-minute
slices with a calendar-aligned window of the measurement period (1M, 1Q, 1Y) in the SLA's
time zone. OpenSLO has no business hours: the SLA's calendar travels as the documented
`itsmctl.io/calendar` annotation, and a note says when the SLO would count more hours than
the SLA does. Response and resolution targets are ticket clocks, not SLOs; they travel as an
annotation too. The SLI (which metric tells up from down) is the user's: the SLO names it by
`indicatorRef: <service>-availability`.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itsmctl.catalog import Catalog
from itsmctl.interop.carry import encode
from itsmctl.interop.exporting import exported, load_catalog, refused, spec_of, write_files
from itsmctl.interop.result import ExportResult, Note
from itsmctl.interop.writer import dump_yaml
from itsmctl.model import Entity, Ref

if TYPE_CHECKING:
    from itsmctl.runcontext import RunContext

API = "openslo/v1"
WINDOW = {"monthly": "1M", "quarterly": "1Q", "yearly": "1Y"}
FIRST_MONTH = {"monthly": 1, "quarterly": 3, "yearly": 12}  # months per period
MAX_DESCRIPTION = 1050
SLICE = "1m"
# the zone pattern of OpenSLO's schema wants Area/Location; these are the one-word UTC names
UTC_NAMES = {"UTC", "GMT", "Z", "UCT", "Zulu", "Universal", "Etc/UTC"}
ZONE = re.compile(r"[A-Z][a-zA-Z_]+/[A-Z][a-zA-Z_]+")
LABEL = re.compile(r"^[a-z0-9A-Z][a-z0-9A-Z._-]*[a-z0-9A-Z]*\Z")
FULL_DAY = [{"start": "00:00", "end": "24:00"}]
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def window_start(period: str, effective: str | None, today: date) -> str:
    """The first instant of the period that holds the SLA's start (or today), local time."""
    anchor = date.fromisoformat(effective) if effective else today
    months = FIRST_MONTH[period]
    month = 1 if months == 12 else (anchor.month - 1) // months * months + 1
    return f"{anchor.year:04d}-{month:02d}-01 00:00:00"


def zone(name: str) -> str:
    return "Etc/UTC" if name in UTC_NAMES else name


def _description(text: Any) -> str | None:
    if not isinstance(text, str) or not text:
        return None
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 1] + "…"


def _always_open(calendar: Entity | None) -> bool:
    if calendar is None:
        return True
    hours = spec_of(calendar).get("weeklyHours") or {}
    return all(hours.get(day) == FULL_DAY for day in DAYS) and not \
        spec_of(calendar).get("holidays")


class OpenSloExporter:
    def __init__(self, catalog: Catalog, today: date) -> None:
        self.catalog = catalog
        self.today = today
        self.notes: list[Note] = []

    def service(self, service: Entity) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": service.name}
        if service.title != service.name:
            meta["displayName"] = service.title
        spec = {}
        description = _description(service.metadata.get("description"))
        if description:
            spec["description"] = description
        return {"apiVersion": API, "kind": "Service", "metadata": meta, "spec": spec}

    def slo(self, sla: Entity) -> dict[str, Any] | None:
        spec = spec_of(sla)
        subject = f"sla:{sla.name}"
        availability = spec.get("availability")
        if not isinstance(availability, (int, float)) or availability >= 100:
            self.notes.append(Note(subject, "availability 100% cannot be an OpenSLO target "
                                   "(it must be below 1); no SLO written"))
            return None
        calendar = self.catalog.get(Ref("BusinessCalendar", str(spec.get("calendar", ""))
                                        .rpartition(":")[2]))
        measurement = spec.get("measurement") or {}
        tz = measurement.get("timezone") or (spec_of(calendar).get("timezone") if calendar
                                             else None) or "UTC"
        if not ZONE.search(zone(tz)):
            self.notes.append(Note(subject, f"time zone {tz!r} is not an Area/Location name "
                                   "OpenSLO accepts; Etc/UTC was written"))
            tz = "UTC"
        if calendar is not None and not _always_open(calendar):
            self.notes.append(Note(subject, f"counts only the hours of calendar "
                                   f"{calendar.name}; OpenSLO tools count every minute "
                                   "(see the itsmctl.io/calendar annotation)"))
        period = measurement.get("period", "monthly")
        effective = (spec.get("effective") or {}).get("from")
        annotations = {"itsmctl.io/sla": sla.name, "itsmctl.io/sla-type": str(spec.get("type"))}
        if calendar is not None:
            annotations["itsmctl.io/calendar"] = calendar.name
            annotations["itsmctl.io/calendar-timezone"] = str(spec_of(calendar).get("timezone"))
            annotations["itsmctl.io/calendar-hours"] = encode(spec_of(calendar)
                                                             .get("weeklyHours", {}))
        for key, field in (("itsmctl.io/targets", "targets"),
                           ("itsmctl.io/service-credits", "serviceCredits"),
                           ("itsmctl.io/effective", "effective")):
            if spec.get(field):
                annotations[key] = encode(spec[field])
        if isinstance(spec.get("customer"), str):
            annotations["itsmctl.io/customer"] = spec["customer"]
        service = str(spec.get("service", "")).rpartition(":")[2]
        meta: dict[str, Any] = {"name": f"{sla.name}-availability",
                                "displayName": f"{sla.title}: availability"}
        labels = {k: v for k, v in (sla.metadata.get("labels") or {}).items()
                  if LABEL.match(k) and LABEL.match(v)}
        if labels:
            meta["labels"] = dict(sorted(labels.items()))
        meta["annotations"] = dict(sorted(annotations.items()))
        body: dict[str, Any] = {}
        description = _description(sla.metadata.get("description"))
        if description:
            body["description"] = description
        body.update({
            "service": service,
            "indicatorRef": f"{service}-availability",
            "timeWindow": [{"duration": WINDOW[period], "isRolling": False,
                            "calendar": {"startTime": window_start(period, effective, self.today),
                                         "timeZone": zone(tz)}}],
            "budgetingMethod": "Timeslices",
            "objectives": [{"displayName": "Availability",
                            "target": round(availability / 100, 10),
                            "timeSliceTarget": 1, "timeSliceWindow": SLICE}],
        })
        return {"apiVersion": API, "kind": "SLO", "metadata": meta, "spec": body}

    def documents(self) -> dict[str, str]:
        files: dict[str, str] = {}
        services: set[str] = set()
        for sla in self.catalog.of_kind("SLA"):
            slo = self.slo(sla)
            if slo is None:
                continue
            files[f"slos/{slo['metadata']['name']}.yaml"] = dump_yaml(slo)
            services.add(slo["spec"]["service"])
        for name in sorted(services):
            entity = self.catalog.get(Ref("Service", name))
            if entity is not None:
                files[f"services/{name}.yaml"] = dump_yaml(self.service(entity))
        return files


def export_openslo(context: RunContext, output: Path) -> ExportResult:
    loaded = load_catalog(context)
    if loaded.blocking:
        return refused("openslo", output, loaded)
    exporter = OpenSloExporter(loaded.catalog, context.today)
    files = exporter.documents()
    counts = Counter("SLO" if rel.startswith("slos/") else "Service" for rel in files)
    return exported("openslo", output, write_files(output, files), dict(counts),
                    exporter.notes)
