// bench/load/burst.c: a burst of new keep-alive connections, timed per connection (the 1,000-connection tail in
// docs/performance.md). Opens N connections to 127.0.0.1:PORT at once; each sends GET PATH as soon as it is
// connected and again after every answer (as wrk does), for SECS seconds. Prints how long the connects took, how
// long each connection waited for its first answer (from its connect call), and the latency of every answer by
// the time its request was sent, in buckets of BUCKET_MS. wrk's summary cannot say which connections waited.
//
//   cc -O2 -o burst bench/load/burst.c && taskset -c 1 ./burst PORT N SECS BUCKET_MS [PATH]
//
// Only 127.0.0.1 is contacted; the run ends after SECS. Answers must carry Content-Length (no chunked bodies).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CONNECTING, WAITING, DONE };
typedef struct { int fd, state, len; double start, sent, connected, first; char buf[4096]; } conn_t;
typedef struct { float t, lat; } sample_t;  // when the request was sent (s from start), how long its answer took (s)

static double now(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec + ts.tv_nsec / 1e9; }
static int by_value(const void *a, const void *b) { float x = *(const float *)a, y = *(const float *)b; return x < y ? -1 : x > y; }
static float pct(const float *v, int n, double p) { if (!n) return 0; int i = (int)(n * p / 100); return v[i < n ? i : n - 1]; }

static int send_request(conn_t *c, const char *req, int len, double t) {
  c->sent = t;
  return write(c->fd, req, len) == len ? 0 : -1;  // a few dozen bytes into an empty socket buffer: all or nothing
}

static void drop(int ep, conn_t *c, int *errors) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->state = DONE;
  (*errors)++;
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: burst PORT N SECS BUCKET_MS [PATH]\n"); return 2; }
  int port = atoi(argv[1]), n = atoi(argv[2]);
  double secs = atof(argv[3]), bucket = atof(argv[4]) / 1000;
  if (port <= 0 || n <= 0 || secs <= 0 || secs > 600 || bucket <= 0) { fprintf(stderr, "burst: bad arguments\n"); return 2; }
  char req[512];
  int reqlen = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", argc > 5 ? argv[5] : "/api/small");
  int max_samples = 20000000, ns = 0, errors = 0;
  sample_t *s = malloc(sizeof(sample_t) * max_samples);
  conn_t *c = calloc(n, sizeof(conn_t));
  float *v = malloc(sizeof(float) * (max_samples > n ? max_samples : n));
  int ep = epoll_create1(0);
  if (!s || !c || !v || ep < 0) { perror("burst"); return 1; }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);

  double t0 = now(), end = t0 + secs;
  for (int i = 0; i < n; i++) {
    int one = 1;
    c[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c[i].fd < 0) { perror("burst: socket"); return 1; }
    setsockopt(c[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c[i].start = now();
    if (connect(c[i].fd, (struct sockaddr *)&to, sizeof to) < 0 && errno != EINPROGRESS) { drop(ep, &c[i], &errors); continue; }
    struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
  }
  struct epoll_event evs[256];
  while (now() < end) {
    int k = epoll_wait(ep, evs, 256, 10);
    for (int e = 0; e < k; e++) {
      conn_t *x = &c[evs[e].data.u32];
      double t = now();
      if (x->state == CONNECTING) {
        int err = 0; socklen_t l = sizeof err;
        getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err || send_request(x, req, reqlen, t) < 0) { drop(ep, x, &errors); continue; }
        x->connected = t; x->state = WAITING; x->len = 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[e].data.u32};
        epoll_ctl(ep, EPOLL_CTL_MOD, x->fd, &ev);
        continue;
      }
      if (x->state != WAITING) continue;
      int r = read(x->fd, x->buf + x->len, sizeof x->buf - 1 - x->len);
      if (r < 0 && errno == EAGAIN) continue;
      if (r <= 0) { drop(ep, x, &errors); continue; }
      x->len += r; x->buf[x->len] = 0;
      char *head_end = strstr(x->buf, "\r\n\r\n");
      if (!head_end) { if (x->len >= (int)sizeof x->buf - 1) drop(ep, x, &errors); continue; }
      char *cl = strcasestr(x->buf, "\r\ncontent-length:");
      int whole = (head_end - x->buf) + 4 + (cl && cl < head_end ? atoi(cl + 17) : 0);
      if (whole >= (int)sizeof x->buf) { drop(ep, x, &errors); continue; }  // bodies here are small
      if (x->len < whole) continue;
      if (ns < max_samples) { s[ns].t = x->sent - t0; s[ns].lat = t - x->sent; ns++; }
      if (x->first == 0) x->first = t - x->start;
      memmove(x->buf, x->buf + whole, x->len - whole);
      x->len -= whole;
      if (send_request(x, req, reqlen, t) < 0) drop(ep, x, &errors);
    }
  }

  int m = 0;
  for (int i = 0; i < n; i++) if (c[i].connected) v[m++] = c[i].connected - c[i].start;
  qsort(v, m, sizeof(float), by_value);
  printf("conns %d connected %d errors %d responses %d rps %.0f\n", n, m, errors, ns, ns / secs);
  printf("connect ms: p50 %.1f p99 %.1f max %.1f\n", pct(v, m, 50) * 1e3, pct(v, m, 99) * 1e3, m ? v[m - 1] * 1e3 : 0);
  m = 0;
  for (int i = 0; i < n; i++) if (c[i].first) v[m++] = c[i].first;
  qsort(v, m, sizeof(float), by_value);
  printf("first response ms (from connect): p50 %.1f p90 %.1f p99 %.1f max %.1f (answered %d)\n",
         pct(v, m, 50) * 1e3, pct(v, m, 90) * 1e3, pct(v, m, 99) * 1e3, m ? v[m - 1] * 1e3 : 0, m);
  for (int i = 0; i < ns; i++) v[i] = s[i].lat;
  qsort(v, ns, sizeof(float), by_value);
  printf("all ms: p50 %.2f p99 %.2f p99.9 %.1f max %.1f\n",
         pct(v, ns, 50) * 1e3, pct(v, ns, 99) * 1e3, pct(v, ns, 99.9) * 1e3, ns ? v[ns - 1] * 1e3 : 0);
  for (int b = 0; b * bucket < secs; b++) {
    m = 0;
    for (int i = 0; i < ns; i++) if (s[i].t >= b * bucket && s[i].t < (b + 1) * bucket) v[m++] = s[i].lat;
    if (!m) continue;
    qsort(v, m, sizeof(float), by_value);
    printf("t=%6.2fs n=%7d p50 %7.2f p99 %8.1f max %8.1f ms\n", b * bucket, m, pct(v, m, 50) * 1e3, pct(v, m, 99) * 1e3, v[m - 1] * 1e3);
  }
  return 0;
}
