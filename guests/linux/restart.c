/* restart: a blocking read(2) that a signal interrupts (SIGALRM, handler
 * with SA_RESTART) must be restarted by the kernel and return the data
 * that arrives later.  glibc's i386 system calls go through the vDSO's
 * __kernel_vsyscall, where the kernel restarts a call by moving EIP back
 * over the `int $0x80` it expects right before int80_landing_pad: an
 * afterburner that padded that instruction without a restart tail (ABI
 * version 1) broke every restarted call there (SIGSEGV in the vDSO, seen
 * with busybox ping and arping).  Prints
 * "restart: ok" or why not; exit 0 only on success. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

int main(void)
{
	int p[2];
	if (pipe(p)) {
		perror("restart: pipe");
		return 1;
	}
	pid_t c = fork();
	if (c < 0) {
		perror("restart: fork");
		return 1;
	}
	if (c == 0) {
		sleep(2); /* after the parent's alarm */
		if (write(p[1], "late", 4) != 4)
			_exit(1);
		_exit(0);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	char buf[8] = {0};
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	int st;
	waitpid(c, &st, 0);
	if (n != 4 || strcmp(buf, "late") != 0 || alarms != 1) {
		printf("restart: FAIL: read returned %zd (\"%s\") after %d alarms\n", n, buf, (int)alarms);
		return 1;
	}
	printf("restart: ok (read restarted after the alarm, %d alarm)\n", (int)alarms);
	return 0;
}
