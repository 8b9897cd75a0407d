/*
 * Multicast flooder for bench/mcast-receive.mjs: sends datagrams of SIZE bytes to GROUP:PORT
 * through 127.0.0.1 with sendmmsg(2), 64 per call, at most COUNT of them and for at most SECONDS,
 * then prints "SENT <n> <errors>". One node:dgram sender cannot outrun two receivers sharing a
 * CPU (the kernel's loopback delivery runs on the sender's CPU); this one can.
 *   cc -O2 -o mcast-flood mcast-flood.c && ./mcast-flood GROUP PORT SIZE COUNT SECONDS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: mcast-flood GROUP PORT SIZE COUNT SECONDS\n");
    return 2;
  }
  const char *group = argv[1];
  int port = atoi(argv[2]);
  size_t size = (size_t)atol(argv[3]);
  long long limit = atoll(argv[4]);
  double seconds = atof(argv[5]);
  if (size < 1 || size > 65507 || port < 1 || port > 65535 || limit < 1 || seconds <= 0) {
    fprintf(stderr, "mcast-flood: bad arguments\n");
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct in_addr lo = {.s_addr = htonl(INADDR_LOOPBACK)};
  unsigned char ttl = 1;
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo);
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (inet_pton(AF_INET, group, &to.sin_addr) != 1 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
    perror("mcast-flood: connect");
    return 1;
  }
  char *payload = malloc(size);
  memset(payload, 'a', size);
  struct iovec iov = {.iov_base = payload, .iov_len = size};
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    msgs[i].msg_hdr.msg_iov = &iov;
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  long long sent = 0, errors = 0;
  double stop = now() + seconds;
  while (sent < limit && now() < stop) {
    int n = sendmmsg(fd, msgs, BATCH, 0);
    if (n < 0) errors++;
    else sent += n;
  }
  printf("SENT %lld %lld\n", sent, errors);
  return 0;
}
