/* test-envpass.c - the agent's environment (supervisor/envpass.c). */
#include "unit.h"

#include "../../supervisor/envpass.h"
#include "../../supervisor/util.h"

static int has(char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

static void test_allow_list(void **state)
{
	char *env[] = {
		"PATH=/usr/bin", "HOME=/home/me", "LANG=C.UTF-8", "LC_ALL=C", "XDG_CONFIG_HOME=/home/me/.config",
		"GOPATH=/home/me/go", "VIRTUAL_ENV=/v", "https_proxy=http://proxy:3128",
		/* credentials */
		"AWS_ACCESS_KEY_ID=AKIA", "AWS_SECRET_ACCESS_KEY=s", "AWS_PROFILE=prod", "GOOGLE_APPLICATION_CREDENTIALS=/k",
		"GITHUB_TOKEN=ghp", "GH_TOKEN=gho", "NPM_TOKEN=n", "npm_config__authToken=x", "MY_SERVICE_TOKEN=t",
		"DB_PASSWORD=p", "STRIPE_SECRET_KEY=sk", "OPENAI_API_KEY=sk-o", "SSH_AUTH_SOCK=/run/ssh", "KUBECONFIG=/k",
		"DATABASE_URL=postgres://u:p@h/d", "azure_client_secret=lower",
		"HTTPS_PROXY=http://ana:hunter2@proxy:3128", "PIP_INDEX_URL=https://__token__:pypi-x@pypi.example/simple",
		/* families */
		"CUDA_HOME=/usr/local/cuda", "LIBRARY_PATH=/l", "RUST_BACKTRACE=1", "PIP_CERT=/c.pem",
		/* the person's desktop: not the agent's */
		"DISPLAY=:0", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus",
		/* the outer terminal */
		"TMUX=/tmp/tmux-0/default,1,0", "TERM=tmux-256color", "COLORTERM=truecolor", "KITTY_PID=3",
		/* unknown: withheld */
		"SOMETHING_ELSE=1",
		/* not NAME=VALUE */
		"garbage", "=x",
		NULL,
	};
	struct envpass ep;

	(void)state;
	envpass_build(env, NULL, &ep);
	for (const char *const *want = (const char *const[]){ "PATH=/usr/bin", "HOME=/home/me", "LANG=C.UTF-8",
							      "LC_ALL=C", "XDG_CONFIG_HOME=/home/me/.config",
							      "GOPATH=/home/me/go", "VIRTUAL_ENV=/v",
							      "https_proxy=http://proxy:3128", "CUDA_HOME=/usr/local/cuda",
							      "LIBRARY_PATH=/l", "RUST_BACKTRACE=1", "PIP_CERT=/c.pem", NULL };
	     *want; want++)
		if (!has(ep.envp, *want))
			fail_msg("'%s' did not pass", *want);
	for (const char *const *no = (const char *const[]){ "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
							    "AWS_PROFILE", "GOOGLE_APPLICATION_CREDENTIALS",
							    "GITHUB_TOKEN", "GH_TOKEN", "NPM_TOKEN",
							    "npm_config__authToken", "MY_SERVICE_TOKEN", "DB_PASSWORD",
							    "STRIPE_SECRET_KEY", "OPENAI_API_KEY", "SSH_AUTH_SOCK",
							    "KUBECONFIG", "DATABASE_URL", "azure_client_secret", "DISPLAY",
							    "DBUS_SESSION_BUS_ADDRESS", "SOMETHING_ELSE", "HTTPS_PROXY",
							    "PIP_INDEX_URL", NULL };
	     *no; no++)
		if (!has(ep.withheld, *no))
			fail_msg("'%s' was not withheld", *no);
	/* terminal variables are dropped, not listed; nothing withheld passes */
	assert_false(has(ep.withheld, "TMUX") || has(ep.withheld, "TERM"));
	for (size_t i = 0; ep.envp[i]; i++) {
		assert_null(strstr(ep.envp[i], "TMUX"));
		assert_null(strstr(ep.envp[i], "TERM="));
		assert_null(strstr(ep.envp[i], "KEY"));
		assert_null(strstr(ep.envp[i], "TOKEN"));
		assert_null(strstr(ep.envp[i], "garbage"));
	}
	/* sorted */
	for (size_t i = 1; i < ep.nwithheld; i++)
		assert_true(strcmp(ep.withheld[i - 1], ep.withheld[i]) < 0);
	envpass_release(&ep);
}

static void test_pass(void **state)
{
	char *env[] = { "OPENAI_API_KEY=sk-o", "OPENAI_BASE_URL=https://x", "ANTHROPIC_API_KEY=sk-a", "CODEX_HOME=/c",
			"AWS_SECRET_ACCESS_KEY=s", NULL };
	char *pass[] = { "OPENAI_*", "CODEX_*", NULL };
	struct envpass ep;

	(void)state;
	envpass_build(env, pass, &ep);
	/* the agent's own variables pass, whatever they look like; another agent's key does not */
	assert_true(has(ep.envp, "OPENAI_API_KEY=sk-o"));
	assert_true(has(ep.envp, "OPENAI_BASE_URL=https://x"));
	assert_true(has(ep.envp, "CODEX_HOME=/c"));
	assert_true(has(ep.withheld, "ANTHROPIC_API_KEY"));
	assert_true(has(ep.withheld, "AWS_SECRET_ACCESS_KEY"));
	assert_int_equal(ep.nwithheld, 2);
	envpass_release(&ep);
	/* everything, when asked */
	envpass_build(env, (char *[]){ "*", NULL }, &ep);
	assert_int_equal(ep.nwithheld, 0);
	envpass_release(&ep);
	/* nothing at all */
	envpass_build(NULL, NULL, &ep);
	assert_null(ep.envp[0]);
	envpass_release(&ep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow_list),
		cmocka_unit_test(test_pass),
	};

	return RUN_TESTS(tests);
}
