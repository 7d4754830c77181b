#ifndef CLI_HOSTCHECK_H
#define CLI_HOSTCHECK_H
int hostcheck_main(int argc, char **argv);
#endif
