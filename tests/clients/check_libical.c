/* Every VEVENT of each .ics file read with libical through the file's own VTIMEZONE.
 *
 *   check_libical FILE.ics...
 *
 * Prints "FILE name" before each file's events, then one line an event:
 * "S start end" for a session (an event with X-MESOTHERAPY-STATUS), "M" for any other,
 * with the instants in Unix seconds. tests/clients/check_libical.py compares them with
 * the plans' JSON. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file) return NULL;
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  rewind(file);
  char *text = malloc(size + 1);
  if (fread(text, 1, size, file) != (size_t)size) size = 0;
  text[size] = 0;
  fclose(file);
  return text;
}

static long instant(icalcomponent *root, icalproperty *property) {
  struct icaltimetype time = icalproperty_get_datetime_with_component(property, root);
  icalparameter *tzid = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER);
  icaltimezone *zone = tzid ? icalcomponent_get_timezone(root, icalparameter_get_tzid(tzid))
                            : icaltimezone_get_utc_timezone();
  if (!zone) return -1; /* a TZID the file does not define */
  return (long)icaltime_as_timet_with_zone(time, zone);
}

static int is_session(icalcomponent *event) {
  for (icalproperty *p = icalcomponent_get_first_property(event, ICAL_X_PROPERTY); p;
       p = icalcomponent_get_next_property(event, ICAL_X_PROPERTY)) {
    if (strcmp(icalproperty_get_x_name(p), "X-MESOTHERAPY-STATUS") == 0) return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *text = slurp(argv[i]);
    icalcomponent *root = text ? icalparser_parse_string(text) : NULL;
    if (!root) {
      fprintf(stderr, "%s: not read\n", argv[i]);
      return 2;
    }
    printf("FILE %s\n", argv[i]);
    for (icalcomponent *event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
         event; event = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
      if (!is_session(event)) {
        printf("M\n");
        continue;
      }
      icalproperty *start = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
      icalproperty *end = icalcomponent_get_first_property(event, ICAL_DTEND_PROPERTY);
      printf("S %ld %ld\n", instant(root, start), instant(root, end));
    }
    icalcomponent_free(root);
    free(text);
  }
  return 0;
}
