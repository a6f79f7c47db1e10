/* peakrss.c - run a command and record its peak RSS, for bench/run_bench.py.
 *
 *   cc -O2 bench/peakrss.c -o peakrss
 *   ./peakrss RESULT_FILE COMMAND [ARGS...]
 *
 * Forks, execs COMMAND, waits for it with wait4() and writes
 *
 *   maxrss_kb=K utime_s=U stime_s=S status=E
 *
 * to RESULT_FILE; exits with COMMAND's exit status (128+N if it was killed
 * by signal N, 127 if it could not be executed).
 *
 * Why not os.wait4 in the Python harness directly: Linux folds the RSS
 * high-water mark of the address space a process had before execve() into
 * its ru_maxrss, and Python's subprocess starts children with vfork(), whose
 * address space is the parent's. A child of the harness would therefore
 * report at least the harness's own peak RSS (numpy, loaded reference
 * outputs). This launcher is a ~1 MB process, so the RSS its child inherits
 * before execve() is negligible.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child = -1;

static void forward(int sig) {
  if (child > 0)
    kill(child, sig);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s RESULT_FILE COMMAND [ARGS...]\n", argv[0]);
    return 2;
  }
  child = fork();
  if (child < 0) {
    perror("peakrss: fork");
    return 127;
  }
  if (child == 0) {
    execvp(argv[2], argv + 2);
    fprintf(stderr, "peakrss: cannot execute %s: %s\n", argv[2],
            strerror(errno));
    _exit(127);
  }
  signal(SIGTERM, forward);
  signal(SIGINT, forward);
  int status = 0;
  struct rusage ru;
  pid_t got;
  do
    got = wait4(child, &status, 0, &ru);
  while (got < 0 && errno == EINTR);
  if (got < 0) {
    perror("peakrss: wait4");
    return 127;
  }
  int code = WIFEXITED(status)     ? WEXITSTATUS(status)
             : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                   : 127;
  FILE *f = fopen(argv[1], "w");
  if (f) {
    fprintf(f, "maxrss_kb=%ld utime_s=%.3f stime_s=%.3f status=%d\n",
            ru.ru_maxrss, ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6,
            ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6, code);
    fclose(f);
  } else {
    perror("peakrss: result file");
  }
  return code;
}
