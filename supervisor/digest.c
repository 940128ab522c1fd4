/* digest.c - SHA-256 with OpenSSL's EVP (it uses the CPU's SHA instructions); see digest.h. */
#include "digest.h"

#include <openssl/evp.h>

#include "util.h"

void digest_sha256(const void *const *data, const size_t *len, size_t n, unsigned char out[DIGEST_LEN])
{
	/* one context, made again for each digest (a line of a recording is one) */
	static EVP_MD_CTX *md;
	unsigned outlen = 0;

	if (!md)
		md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		fatal("cannot compute SHA-256: OpenSSL refused");
	for (size_t i = 0; i < n; i++)
		EVP_DigestUpdate(md, data[i], len[i]);
	EVP_DigestFinal_ex(md, out, &outlen);
}

void digest_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}
