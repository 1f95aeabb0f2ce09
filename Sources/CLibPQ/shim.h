#include <libpq-fe.h>
/* What driving libpq's non-blocking mode needs from the system; Glibc's Swift module lacks it. */
#include <sys/epoll.h>
#include <poll.h>
