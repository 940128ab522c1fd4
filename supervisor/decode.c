/*
 * decode.c - paths and socket addresses from untrusted bytes; see decode.h.
 * Socket address layouts: unix(7), ip(7), ipv6(7).
 */
#include "decode.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "util.h"

void decode_path(const char *base, const char *path, struct buf *out)
{
	struct buf tmp = BUF_INIT;
	size_t start = out->len;
	const char *p;

	if (path[0] != '/') {
		buf_addstr(&tmp, base);
		buf_addch(&tmp, '/');
	}
	buf_addstr(&tmp, path);
	p = tmp.data;
	buf_addch(out, '/');
	while (*p) {
		const char *end;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 1 && p[0] == '.') {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			/* back to the previous '/', never before the root */
			while (out->len > start + 1 && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > start + 1)
				out->len--;
			out->data[out->len] = '\0';
		} else {
			if (out->len > start + 1)
				buf_addch(out, '/');
			buf_add(out, p, len);
		}
		p += len;
	}
	buf_release(&tmp);
}

void decode_sockaddr(const void *sa, size_t len, struct call_addr *out)
{
	sa_family_t family;
	char text[INET6_ADDRSTRLEN + 8];

	out->family = -1;
	out->port = -1;
	out->host = NULL;
	if (len < sizeof(family)) {
		out->host = xstrdup("");
		return;
	}
	memcpy(&family, sa, sizeof(family));
	out->family = family;
	if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in in;

		memcpy(&in, sa, sizeof(in));
		inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
		out->host = xstrdup(text);
		out->port = ntohs(in.sin_port);
	} else if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6;

		memcpy(&in6, sa, sizeof(in6));
		if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) {
			/* ::ffff:10.0.0.1 is a connection to 10.0.0.1: rules on
			 * IPv4 hosts must see it as one */
			inet_ntop(AF_INET, &in6.sin6_addr.s6_addr[12], text, sizeof(text));
			out->family = AF_INET;
		} else {
			inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
		}
		out->host = xstrdup(text);
		out->port = ntohs(in6.sin6_port);
	} else if (family == AF_UNIX) {
		const char *p = (const char *)sa + offsetof(struct sockaddr_un, sun_path);
		size_t n = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;

		n = MIN(n, sizeof(((struct sockaddr_un *)0)->sun_path));
		if (n && p[0] == '\0') {
			/* abstract: "@name", NULs inside shown as '@' too */
			char *h = xmalloc(n + 1);

			for (size_t i = 0; i < n; i++)
				h[i] = p[i] ? p[i] : '@';
			h[n] = '\0';
			out->host = h;
		} else {
			out->host = xstrndup(p, strnlen(p, n));
		}
	} else {
		out->host = xstrdup("");
	}
}

#define PAGE 4096

int decode_string(decode_read_fn rd, void *ctx, uint64_t addr, size_t max, struct buf *out)
{
	char chunk[PAGE];

	if (!addr)
		return -1;
	while (out->len <= max) {
		size_t room = PAGE - (size_t)(addr % PAGE);
		ssize_t r = rd(ctx, addr, chunk, room);
		char *nul;

		if (r <= 0)
			return -1;
		nul = memchr(chunk, '\0', (size_t)r);
		if (nul) {
			buf_add(out, chunk, (size_t)(nul - chunk));
			return out->len <= max ? 0 : -1;
		}
		buf_add(out, chunk, (size_t)r);
		if (addr + (uint64_t)r < addr)
			return -1; /* the end of the address space */
		addr += (uint64_t)r;
	}
	return -1;
}

int decode_argv(decode_read_fn rd, void *ctx, uint64_t addr, size_t max_args, size_t max_bytes, char ***argvp,
		size_t *argcp, int *cut)
{
	size_t n = 0, cap = 0, total = 0;
	char **argv = NULL;

	*cut = 0;
	while (addr) {
		uint64_t p;
		struct buf s = BUF_INIT;

		if (addr + n * 8 < addr || rd(ctx, addr + n * 8, &p, sizeof(p)) != (ssize_t)sizeof(p)) {
			if (!n)
				return -1;
			*cut = 1;
			break;
		}
		if (!p)
			break;
		if (n == max_args || total >= max_bytes) {
			*cut = 1;
			break;
		}
		if (decode_string(rd, ctx, p, max_bytes - total, &s) < 0) {
			buf_release(&s);
			*cut = 1;
			break;
		}
		total += s.len + 1;
		argv = xgrow(argv, &cap, n + 2, sizeof(char *));
		argv[n++] = buf_detach(&s, NULL);
	}
	argv = xgrow(argv, &cap, n + 1, sizeof(char *));
	argv[n] = NULL;
	*argvp = argv;
	*argcp = n;
	return 0;
}
