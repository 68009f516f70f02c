/* jsonsort.h - JSON trees with every object's keys in bytewise order:
 * json-c prints keys in insertion order, and apgate's output is sorted so
 * that it never depends on the order things were built in. */
#ifndef APGATE_JSONSORT_H
#define APGATE_JSONSORT_H

#include <json-c/json.h>

/* A deep copy of o with every object's keys in sorted order. */
json_object *ag_json_sorted(json_object *o);
/* The same for reading only (serialising): parts of o already in sorted
 * order are shared with o, not copied, so neither may be changed while
 * the result lives. */
json_object *ag_json_sorted_view(json_object *o);

#endif
