/*
 * envpass.c - the agent's environment; see envpass.h.
 */
#define _GNU_SOURCE
#include "envpass.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "util.h"

/* What describes the outer terminal, not the agent's. */
static const char *const terminal[] = {
	"TMUX", "TMUX_PANE", "STY", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "TERMCAP",
	"LINES", "COLUMNS", "KITTY_WINDOW_ID", "KITTY_PID", "WEZTERM_PANE", "WEZTERM_EXECUTABLE",
	"VTE_VERSION", "ITERM_SESSION_ID", "WT_SESSION", "ALACRITTY_WINDOW_ID", "ALACRITTY_SOCKET",
	"KONSOLE_VERSION", "KONSOLE_DBUS_SESSION", "TERMINATOR_UUID", "COLORTERM", "TERM",
};

/*
 * Names that look like a credential, compared in capitals: keys, tokens,
 * passwords; cloud, registry and forge logins; agents that hold keys; URLs
 * that carry a password.
 */
static const char *const secret[] = {
	"*TOKEN*", "*SECRET*", "*PASSWORD*", "*PASSWD*", "*_PASS", "*_PWD", "*API_KEY*", "*APIKEY*", "*_KEY",
	"*_KEYS", "*ACCESS_KEY*", "*PRIVATE_KEY*", "*CREDENTIAL*", "*_AUTH", "*_AUTH_*", "*COOKIE*",
	"AWS_*", "AMAZON_*", "GOOGLE_*", "GCLOUD_*", "GCP_*", "CLOUDSDK_*", "AZURE_*", "ARM_*", "DIGITALOCEAN_*",
	"HEROKU_*", "FLY_*", "VERCEL_*", "NETLIFY_*", "CLOUDFLARE_*", "CF_*", "LINODE_*", "HCLOUD_*", "OCI_*",
	"GITHUB_*", "GH_*", "GITLAB_*", "GL_*", "BITBUCKET_*", "NODE_AUTH*", "PYPI_*", "TWINE_*",
	"CARGO_REGISTRY*", "DOCKER_*", "KUBECONFIG", "HELM_*", "VAULT_*", "CONSUL_*", "NOMAD_*", "TF_VAR_*",
	"TF_TOKEN*", "OP_SESSION*", "BW_SESSION", "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO",
	"*DATABASE_URL*", "*_DSN", "*REDIS_URL*", "*MONGO*", "PGPASS*", "MYSQL_PWD", "BUNDLE_*",
};

/* What a development environment needs and holds no secret. */
static const char *const allowed[] = {
	/* who and where */
	"PATH", "HOME", "USER", "LOGNAME", "USERNAME", "SHELL", "HOSTNAME", "PWD", "OLDPWD", "SHLVL", "TZ",
	"TMPDIR", "TEMP", "TMP", "MAIL", "EMAIL",
	/* language */
	"LANG", "LANGUAGE", "LC_*",
	/* tools a person sets once */
	"EDITOR", "VISUAL", "PAGER", "MANPAGER", "MANPATH", "INFOPATH", "LESS", "LESSCHARSET", "LESSHISTFILE",
	"LS_COLORS", "GREP_COLORS", "NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERMINFO",
	"TERMINFO_DIRS", "INPUTRC", "PS1", "PS2", "PS4", "HISTFILE", "HISTSIZE", "HISTFILESIZE", "HISTCONTROL",
	"ENV", "BASH_ENV", "ZDOTDIR",
	/* the folders programs keep things in */
	"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_DIRS",
	"XDG_DATA_DIRS", "XDG_RUNTIME_DIR",
	/* the network, as the person's programs reach it */
	"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "all_proxy",
	"ALL_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE",
	"CURL_CA_BUNDLE", "GIT_SSL_CAINFO",
	/* toolchains */
	"GOPATH", "GOROOT", "GOBIN", "GOCACHE", "GOMODCACHE", "GOFLAGS", "GOPROXY", "GOPRIVATE", "GOTOOLCHAIN",
	"CARGO_HOME", "CARGO_TARGET_DIR", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN", "RUSTFLAGS", "JAVA_HOME",
	"MAVEN_OPTS", "GRADLE_USER_HOME", "GRADLE_OPTS", "ANDROID_HOME", "ANDROID_SDK_ROOT", "NVM_DIR", "NVM_BIN",
	"NVM_INC", "NODE_PATH", "NODE_ENV", "NODE_OPTIONS", "PNPM_HOME", "BUN_INSTALL", "DENO_DIR",
	"DENO_INSTALL", "VOLTA_HOME", "npm_config_*", "PYTHONPATH", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE",
	"PYTHONUNBUFFERED", "PYTHONIOENCODING", "PYTHONUTF8", "PYENV_ROOT", "PYENV_VERSION", "PYENV_SHELL",
	"VIRTUAL_ENV", "CONDA_*", "PIPX_HOME", "PIPX_BIN_DIR", "UV_CACHE_DIR", "RBENV_ROOT", "GEM_HOME",
	"GEM_PATH", "CC", "CXX", "CPP", "LD", "AR", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "MAKEFLAGS",
	"PKG_CONFIG_PATH", "LD_LIBRARY_PATH", "LD_PRELOAD", "CMAKE_GENERATOR", "CMAKE_BUILD_PARALLEL_LEVEL",
	"CCACHE_DIR",
	/* who commits */
	"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_EDITOR",
	"GIT_PAGER",
	/* running unattended */
	"CI", "DEBIAN_FRONTEND", "_",
	/* families of the above: where things are, certificates, the
	 * toolchains' own settings (their secrets are caught first) */
	"*_HOME", "*_PATH", "*_DIR", "*_DIRS", "*CA_BUNDLE*", "*CA_CERTS*", "*SSL_CERT*", "*_CERT_FILE", "PIP_*",
	"PYTHON*", "RUST_*", "NODE_*", "UV_*", "POETRY_*", "MAMBA_*", "OMP_*", "OPENBLAS_*", "MKL_*", "CUDA_*",
	"TOX_*", "NIX_*", "JAVA_*", "MAVEN_*", "GRADLE_*",
};

static int envpass_terminal(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(terminal); i++)
		if (!strcmp(name, terminal[i]))
			return 1;
	return 0;
}

static int any(const char *const *globs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (glob_match(globs[i], name, GLOB_TEXT) == 1)
			return 1;
	return 0;
}

static int envpass_secret(const char *name)
{
	char up[256];
	size_t i;

	for (i = 0; name[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[i] = '\0';
	return any(secret, ARRAY_SIZE(secret), up);
}

/* True if the value is a URL with a password in it (https://user:pass@host). */
static int url_with_password(const char *v)
{
	const char *p = strstr(v, "://"), *end, *at, *colon;

	if (!p)
		return 0;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
	return colon != NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void envpass_build(char *const *env, char *const *pass, struct envpass *out)
{
	size_t n = 0, k = 0, cap = 0;

	memset(out, 0, sizeof(*out));
	while (env && env[n])
		n++;
	out->envp = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');
		char *name;
		int passes;

		if (!eq || eq == env[i])
			continue; /* not NAME=VALUE: nobody's */
		name = xstrndup(env[i], (size_t)(eq - env[i]));
		if (envpass_terminal(name)) {
			free(name);
			continue;
		}
		passes = 0;
		for (size_t p = 0; pass && pass[p] && !passes; p++)
			passes = glob_match(pass[p], name, GLOB_TEXT) == 1;
		if (!passes && !envpass_secret(name) && !url_with_password(eq + 1))
			passes = any(allowed, ARRAY_SIZE(allowed), name);
		if (passes) {
			out->envp[k++] = env[i];
			free(name);
		} else {
			out->withheld = xgrow(out->withheld, &cap, out->nwithheld + 2, sizeof(char *));
			out->withheld[out->nwithheld++] = name;
			out->withheld[out->nwithheld] = NULL;
		}
	}
	out->envp[k] = NULL;
	if (out->nwithheld)
		qsort(out->withheld, out->nwithheld, sizeof(char *), by_name);
}

void envpass_release(struct envpass *ep)
{
	free(ep->envp);
	for (size_t i = 0; i < ep->nwithheld; i++)
		free(ep->withheld[i]);
	free(ep->withheld);
	memset(ep, 0, sizeof(*ep));
}
