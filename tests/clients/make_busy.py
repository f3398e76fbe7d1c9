"""The busy intervals of the test calendars, for the check with ical.js (``check_busy.mjs``).

``python tests/clients/make_busy.py OUT`` reads every calendar of tests/calendars/ with
`busy_from_ics` over the window of the tests (2026-10-01 to 2027-01-01 at a clinic in
America/Toronto) and writes, into the folder OUT, a copy of each file as ``NAME.ics`` and
``NAME.json``: the window, the clinic's zone, its VTIMEZONE (from the zone database, as
`mesotherapy.ical` writes it: ical.js has no zone database of its own, and needs it for
the floating, all-day and ``X-WR-TIMEZONE`` times, which are the clinic's), and the
intervals Python found, as UNIX seconds in order.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Final

import pendulum

import mesotherapy as meso
from mesotherapy import _ical_zones

CALENDARS: Final = Path(__file__).parent.parent / "calendars"
ZONE: Final = "America/Toronto"
START: Final = pendulum.datetime(2026, 10, 1, tz=ZONE)
END: Final = pendulum.datetime(2027, 1, 1, tz=ZONE)


def main(out: Path) -> None:
    """Write the pairs into *out*."""
    out.mkdir(parents=True, exist_ok=True)
    zone = _ical_zones.vtimezone(ZONE, pendulum.date(2026, 1, 1), pendulum.date(2028, 1, 1))
    vtimezone = zone.to_ical().decode("utf-8")
    for path in sorted(CALENDARS.glob("*.ics")):
        busy = meso.busy_from_ics(path, "dr-h", start=START, end=END, zone=ZONE)
        shutil.copy(path, out / path.name)
        document = {
            "window": [int(START.timestamp()), int(END.timestamp())],
            "zone": ZONE,
            "vtimezone": vtimezone,
            "busy": [[int(b.start.timestamp()), int(b.end.timestamp())] for b in busy],
        }
        (out / f"{path.stem}.json").write_text(json.dumps(document, indent=1), "utf-8")
    count = len(list(CALENDARS.glob("*.ics")))
    print(f"{count} calendars read into {out}")  # noqa: T201


if __name__ == "__main__":
    main(Path(sys.argv[1]))
