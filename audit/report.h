/* Output of previrt audit: a table for people (report.c), one JSON document
 * for machines (json.c). */
#ifndef AUDIT_REPORT_H
#define AUDIT_REPORT_H

#include <stdio.h>

#include "result.h"

void report_human(FILE *out, const struct result *res);

void json_begin(FILE *out);
void json_file(FILE *out, const struct result *res);
void json_end(FILE *out, int status);

#endif
