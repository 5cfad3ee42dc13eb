/* test_nginx.c -- the socket workload against a real nginx: starts
 * /usr/sbin/nginx (or $CF_NGINX) in the foreground on a free loopback port
 * with a generated configuration under a temporary prefix, GETs a file of
 * known size with and without keep-alive, and stops it.  Skipped (exit
 * 77) with a message when nginx is not installed. */
#include "wk_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILE_BYTES 12345

static char prefix[256];
static pid_t nginx_pid = -1;

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t al = sizeof a;
  CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
  CHECK_EQ(getsockname(fd, (struct sockaddr *)&a, &al), 0);
  close(fd);
  return ntohs(a.sin_port);
}

static int can_connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
  close(fd);
  return ok;
}

static void write_file(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  CHECK_EQ(fwrite(text, 1, len, f), len);
  CHECK_EQ(fclose(f), 0);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(p);
}

static void stop_nginx(void) {
  if (nginx_pid > 0) {
    kill(nginx_pid, SIGTERM);
    int st;
    waitpid(nginx_pid, &st, 0);
    nginx_pid = -1;
  }
}

/* Start nginx on a free port; returns the port, or 0 if it did not come up. */
static int start_nginx(const char *nginx) {
  int port = free_port();
  char conf[4096], path[512];
  int n = snprintf(conf, sizeof conf,
                   "daemon off;\nmaster_process off;\nworker_processes 1;\npid %s/nginx.pid;\n"
                   "error_log %s/error.log warn;\nevents { worker_connections 1024; }\n"
                   "http {\n  access_log off;\n  keepalive_requests 100000;\n"
                   "  client_body_temp_path %s/tmp/body;\n  proxy_temp_path %s/tmp/proxy;\n"
                   "  fastcgi_temp_path %s/tmp/fastcgi;\n  uwsgi_temp_path %s/tmp/uwsgi;\n"
                   "  scgi_temp_path %s/tmp/scgi;\n"
                   "  server {\n    listen 127.0.0.1:%d;\n    root %s/www;\n  }\n}\n",
                   prefix, prefix, prefix, prefix, prefix, prefix, prefix, port, prefix);
  snprintf(path, sizeof path, "%s/nginx.conf", prefix);
  write_file(path, conf, (size_t)n);
  nginx_pid = fork();
  CHECK(nginx_pid >= 0);
  if (nginx_pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive an aborted test */
    char errlog[300];
    snprintf(errlog, sizeof errlog, "%s/error.log", prefix);
    execl(nginx, nginx, "-p", prefix, "-e", errlog, "-c", path, (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 500; i++) { /* up to 5 s */
    if (can_connect(port)) return port;
    int st;
    if (waitpid(nginx_pid, &st, WNOHANG) == nginx_pid) {
      nginx_pid = -1;
      fprintf(stderr, "nginx exited (status %d); error.log:\n", st);
      char cmd[400];
      snprintf(cmd, sizeof cmd, "cat %s/error.log >&2", prefix);
      if (system(cmd)) {
      }
      return 0;
    }
    usleep(10000);
  }
  stop_nginx();
  return 0;
}

static void run(int port, const char *ka, size_t items, int workers) {
  char t[128], b[64];
  snprintf(t, sizeof t, "target=http://127.0.0.1:%d/data.bin", port);
  snprintf(b, sizeof b, "body=%d", FILE_BYTES);
  const char *kv[] = {t, b, ka};
  cf_wk_run *r = wk_prep("socket", kv, 3, items);
  wk_outcome o;
  wk_run(r, workers, &o, NULL, 0);
  CHECK_EQ(o.ok, items);
  CHECK(wk_metric(r, "latency_p99_us") > 0);
  cf_wk_teardown(r);
  /* a missing file: HTTP 404, a clear check failure */
  snprintf(t, sizeof t, "target=http://127.0.0.1:%d/missing", port);
  const char *kv2[] = {t, ka};
  r = wk_prep("socket", kv2, 2, 3);
  wk_run(r, 1, &o, NULL, 0);
  CHECK_EQ(o.check_failed, 3);
  CHECK_STR_CONTAINS(o.first_err, "HTTP status 404");
  cf_wk_teardown(r);
}

int main(int argc, char **argv) {
  wk_set_backend(argc, argv);
  const char *nginx = getenv("CF_NGINX") ? getenv("CF_NGINX") : "/usr/sbin/nginx";
  if (access(nginx, X_OK) != 0) {
    printf("SKIP: %s not found (install nginx-light to run this test)\n", nginx);
    return 77;
  }
  snprintf(prefix, sizeof prefix, "/tmp/cf-nginx-XXXXXX");
  CHECK(mkdtemp(prefix) != NULL);
  char path[512];
  const char *dirs[] = {"www", "tmp", "logs"};
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s", prefix, dirs[i]);
    CHECK_EQ(mkdir(path, 0700), 0);
  }
  char *data = malloc(FILE_BYTES);
  for (int i = 0; i < FILE_BYTES; i++) data[i] = (char)('A' + i % 26);
  snprintf(path, sizeof path, "%s/www/data.bin", prefix);
  write_file(path, data, FILE_BYTES);
  free(data);
  int port = 0;
  for (int attempt = 0; attempt < 3 && !port; attempt++) port = start_nginx(nginx);
  CHECK(port != 0);
  fprintf(stderr, "-- nginx pid %d on 127.0.0.1:%d\n", (int)nginx_pid, port);
  run(port, "keepalive=on", 300, 8);
  run(port, "keepalive=off", 100, 4);
  stop_nginx();
  nftw(prefix, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  fprintf(stderr, "ok\n");
  return 0;
}
