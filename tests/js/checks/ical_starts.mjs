// Reads each iCalendar file named on the command line with ical.js, as a web calendar does:
// registers the file's VTIMEZONEs, then prints every VEVENT's UID and UTC start and end (JSON).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const out = {};
for (const file of process.argv.slice(2)) {
  const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  out[file] = root.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      zone: event.startDate.zone ? event.startDate.zone.tzid : null,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
    };
  });
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.remove(vtz.getFirstPropertyValue("tzid"));
  }
}
process.stdout.write(JSON.stringify(out));
