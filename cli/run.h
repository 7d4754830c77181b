#ifndef CLI_RUN_H
#define CLI_RUN_H
int run_main(int argc, char **argv);
#endif
