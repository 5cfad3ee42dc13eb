/* bad_server.c -- a tiny HTTP server that misbehaves on purpose, for the
 * socket workload's fault tests (faults.sh).  usage: bad_server MODE
 *   trickle    a valid head promising 40 body bytes, then one byte every 0.5 s
 *   clen-neg   "Content-Length: -5"
 *   clen-huge  "Content-Length: 100000000000000000000000"
 * It listens on a free loopback port, prints it on stdout, and serves one
 * connection at a time until killed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void serve(int fd, const char *mode) {
  char buf[4096];
  if (recv(fd, buf, sizeof buf, 0) <= 0) return; /* the request (one segment on loopback) */
  const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n";
  if (!strcmp(mode, "clen-neg")) head = "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n";
  if (!strcmp(mode, "clen-huge")) head = "HTTP/1.1 200 OK\r\nContent-Length: 100000000000000000000000\r\n\r\n";
  if (send(fd, head, strlen(head), MSG_NOSIGNAL) < 0) return;
  if (strcmp(mode, "trickle") != 0) {
    pause(); /* a client that trusts the length waits here for ever */
    return;
  }
  for (int i = 0; i < 40; i++) {
    struct timespec ts = {0, 500 * 1000 * 1000};
    nanosleep(&ts, NULL);
    if (send(fd, "x", 1, MSG_NOSIGNAL) < 0) return;
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: bad_server trickle|clen-neg|clen-huge\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGCHLD, SIG_IGN); /* no zombies */
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 16) ||
      getsockname(l, (struct sockaddr *)&a, &len)) {
    perror("bad_server");
    return 1;
  }
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  for (;;) {
    int fd = accept(l, NULL, NULL);
    if (fd < 0) continue;
    if (fork() == 0) { /* one process per connection: a hang holds only its own */
      prctl(PR_SET_PDEATHSIG, SIGKILL); /* and goes when the server is killed */
      close(l);
      serve(fd, argv[1]);
      _exit(0);
    }
    close(fd);
  }
}
