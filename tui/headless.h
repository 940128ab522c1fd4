/*
 * headless.h - the front end without a screen, like script(1): the agent's
 * output is copied to stdout as it comes, stdin is copied to the agent, and
 * the exit status is the agent's.  Tests and CI use it most.
 */
#ifndef BELAY_HEADLESS_H
#define BELAY_HEADLESS_H

#include "../supervisor/event.h"
#include "../supervisor/loop.h"
#include "../supervisor/session.h"

struct headless;

/* fixed_size: the size was given (--size); SIGWINCH does not change it. */
struct headless *headless_new(struct loop *loop, int fixed_size);
void headless_free(struct headless *h);

/* The size the agent's terminal should have: stdin's or stdout's, else 80x24. */
void headless_size(unsigned *rows, unsigned *cols);
/* The termios the agent's terminal should start with (stdin's, if a tty). */
int headless_termios(struct termios *t);

void headless_attach(struct headless *h, struct session *s);
/* --on-ask wait: say on stderr what waits, and how to answer it (belay approve SESSION:CALL). */
void headless_waits(struct headless *h, const char *session_id);
/* Session events: a session_event_cb. */
void headless_event(const struct event *ev, void *data);

#endif
