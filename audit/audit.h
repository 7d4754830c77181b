/* The `previrt audit` subcommand. */
#ifndef AUDIT_AUDIT_H
#define AUDIT_AUDIT_H

/* argv[0] is "audit"; returns the exit status (0 complete, 1 incomplete,
 * 2 bad input or usage). */
int audit_main(int argc, char **argv);

#endif
