/* test-decode.c - decoders of what is read from an agent (supervisor/decode.c). */
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "../../supervisor/decode.h"
#include "../../supervisor/util.h"

static void path_is(const char *base, const char *path, const char *want)
{
	struct buf b = BUF_INIT;

	decode_path(base, path, &b);
	if (strcmp(b.data, want))
		fail_msg("'%s' in '%s' gave '%s', not '%s'", path, base, b.data, want);
	buf_release(&b);
}

static void test_path(void **state)
{
	(void)state;
	path_is("/w", "a.txt", "/w/a.txt");
	path_is("/w/x", "../a", "/w/a");
	path_is("/w", "/etc//passwd", "/etc/passwd");
	path_is("/w", "./a/./b/", "/w/a/b");
	path_is("/", "../../..", "/");
	path_is("/w", "/..", "/");
	path_is("/w", "", "/w");
	path_is("/w", "a/b/../../../c", "/c");
	path_is("/w", "...", "/w/...");
}

static void test_sockaddr(void **state)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(443) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(53) };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct call_addr a;

	(void)state;
	inet_pton(AF_INET, "10.1.2.3", &in.sin_addr);
	decode_sockaddr(&in, sizeof(in), &a);
	assert_string_equal(a.host, "10.1.2.3");
	assert_int_equal(a.port, 443);
	assert_int_equal(a.family, AF_INET);
	free(a.host);
	in6.sin6_addr.s6_addr[15] = 1;
	decode_sockaddr(&in6, sizeof(in6), &a);
	assert_string_equal(a.host, "::1");
	assert_int_equal(a.port, 53);
	free(a.host);
	/* an IPv4 host through an IPv6 socket is that IPv4 host */
	inet_pton(AF_INET6, "::ffff:10.9.8.7", &in6.sin6_addr);
	decode_sockaddr(&in6, sizeof(in6), &a);
	assert_string_equal(a.host, "10.9.8.7");
	assert_int_equal(a.family, AF_INET);
	free(a.host);
	strcpy(un.sun_path, "/run/x.sock");
	decode_sockaddr(&un, offsetof(struct sockaddr_un, sun_path) + 12, &a);
	assert_string_equal(a.host, "/run/x.sock");
	assert_int_equal(a.port, -1);
	free(a.host);
	memcpy(un.sun_path, "\0abstract", 9);
	decode_sockaddr(&un, offsetof(struct sockaddr_un, sun_path) + 9, &a);
	assert_string_equal(a.host, "@abstract");
	free(a.host);
	/* too short for its family: still a valid, empty address */
	decode_sockaddr(&in, 4, &a);
	assert_string_equal(a.host, "");
	assert_int_equal(a.port, -1);
	free(a.host);
	decode_sockaddr(&in, 1, &a);
	assert_string_equal(a.host, "");
	free(a.host);
}

/* A memory of two pages, the second one unmapped. */
static char page[4096];

static ssize_t one_page(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < 0x10000 || addr >= 0x10000 + sizeof(page))
		return -1;
	if (len > 0x10000 + sizeof(page) - addr)
		return -1; /* a read that crosses into the unmapped page fails whole */
	memcpy(buf, page + (addr - 0x10000), len);
	return (ssize_t)len;
}

static void test_string_at_page_end(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	memset(page, 'x', sizeof(page));
	memcpy(page + sizeof(page) - 6, "hello", 6);
	assert_int_equal(decode_string(one_page, NULL, 0x10000 + sizeof(page) - 6, 100, &b), 0);
	assert_string_equal(b.data, "hello");
	buf_reset(&b);
	/* longer than allowed */
	assert_int_equal(decode_string(one_page, NULL, 0x10000, 100, &b), -1);
	buf_reset(&b);
	/* running off the mapping without a NUL */
	page[sizeof(page) - 1] = 'y';
	assert_int_equal(decode_string(one_page, NULL, 0x10000 + sizeof(page) - 3, 100, &b), -1);
	buf_release(&b);
	assert_int_equal(decode_string(one_page, NULL, 0, 100, &b), -1);
}

static void test_argv(void **state)
{
	uint64_t ptrs[4] = { 0x10000 + 100, 0x10000 + 110, 0x10000 + 120, 0 };
	char **argv;
	size_t argc;
	int cut;

	(void)state;
	memset(page, 0, sizeof(page));
	memcpy(page, ptrs, sizeof(ptrs));
	strcpy(page + 100, "git");
	strcpy(page + 110, "push");
	strcpy(page + 120, "origin");
	assert_int_equal(decode_argv(one_page, NULL, 0x10000, 16, 1024, &argv, &argc, &cut), 0);
	assert_int_equal(argc, 3);
	assert_false(cut);
	assert_string_equal(argv[2], "origin");
	assert_null(argv[3]);
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	/* bounds: two arguments at most */
	assert_int_equal(decode_argv(one_page, NULL, 0x10000, 2, 1024, &argv, &argc, &cut), 0);
	assert_int_equal(argc, 2);
	assert_true(cut);
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	/* an unreadable array */
	assert_int_equal(decode_argv(one_page, NULL, 0x90000, 2, 1024, &argv, &argc, &cut), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_string_at_page_end),
		cmocka_unit_test(test_argv),
	};

	return RUN_TESTS(tests);
}
