/* Count the site records of an assembled object's .afterburn section. */
#ifndef AFTERBURN_OBJCOUNT_H
#define AFTERBURN_OBJCOUNT_H

/* Sites (records other than HEADER) in the ELF file at path: >= 0, or -1
 * when it is not a readable ELF file or the section is malformed. */
long ab_count_records(const char *path);

#endif
