/*
 * demo - a scripted stand-in for an AI coding agent, for `make run`, the
 * screenshots and tests.  It talks like an agent and really acts in its
 * working directory: it writes files, runs shell commands and shows diffs,
 * so that everything belay watches has something to watch.
 *
 * Type a request and press Enter.  /help lists commands; /exit or C-d quits.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define DIM "\033[2m"
#define BOLD "\033[1m"
#define RESET "\033[0m"
#define ACCENT "\033[38;5;173m"
#define GREEN "\033[32m"
#define RED "\033[31m"
#define GREY "\033[38;5;245m"
#define BLUE "\033[38;2;110;160;230m"

static int cols(void)
{
	struct winsize ws;

	return ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void think(const char *what)
{
	static const char *const frames[] = { "·", "✢", "✳", "✶", "✻", "✽" };

	for (int i = 0; i < 12; i++) {
		printf("\r" ACCENT "%s" RESET " %s… " GREY "(%d.%ds)" RESET "\033[K", frames[i % 6], what, i / 10,
		       i % 10);
		fflush(stdout);
		sleep_ms(60);
	}
	printf("\r\033[K");
}

static void tool(const char *name, const char *arg)
{
	printf(GREEN "●" RESET " " BOLD "%s" RESET "(%s)\n", name, arg);
}

static void run(const char *cmd)
{
	char line[512];
	FILE *p;
	int n = 0;

	tool("Bash", cmd);
	p = popen(cmd, "r");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p)) {
		printf("  %s %s", n++ ? " " : "⎿", line);
		if (n > 12) {
			printf("    " GREY "… (more lines)" RESET "\n");
			break;
		}
	}
	pclose(p);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int n = 1;

	tool("Write", path);
	if (!f) {
		printf("  ⎿ " RED "cannot write %s" RESET "\n", path);
		return;
	}
	fputs(text, f);
	fclose(f);
	for (const char *p = text; *p; n++) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		printf("  " GREY "%3d" RESET " " GREEN "+ %.*s" RESET "\n", n, len, p);
		p += len + (nl ? 1 : 0);
	}
}

static void say(const char *text)
{
	int width = cols() - 4, col = 0;

	printf(ACCENT "⏺" RESET " ");
	for (const char *p = text; *p;) {
		const char *sp = strchr(p, ' ');
		int len = sp ? (int)(sp - p) : (int)strlen(p);

		if (col && col + len > width) {
			printf("\n  ");
			col = 0;
		}
		printf("%.*s ", len, p);
		col += len + 1;
		p += len + (sp ? 1 : 0);
	}
	printf("\n");
}

static void act(int turn)
{
	switch (turn % 4) {
	case 0:
		think("Reading the workspace");
		run("ls -la");
		say("The workspace is small. I will add a script that greets in three languages.");
		break;
	case 1:
		think("Writing code");
		write_file("hello.py", "greetings = {'en': 'hello', 'ja': 'こんにちは', 'fr': 'bonjour'}\n"
				       "for lang, word in greetings.items():\n"
				       "    print(f'{lang}: {word}')\n");
		run("python3 hello.py");
		say("Done ✅ hello.py prints a greeting per language.");
		break;
	case 2:
		think("Updating");
		tool("Update", "hello.py");
		printf("  " RED "- greetings = {'en': 'hello', 'ja': 'こんにちは', 'fr': 'bonjour'}" RESET "\n");
		printf("  " GREEN "+ greetings = {'en': 'hello', 'ja': 'こんにちは', 'fr': 'bonjour', 'de': 'hallo'}"
		       RESET "\n");
		run("sed -i \"s/'bonjour'}/'bonjour', 'de': 'hallo'}/\" hello.py && python3 hello.py");
		say("Added German. The script now prints four lines.");
		break;
	default:
		think("Checking");
		run("wc -l hello.py; date +%H:%M");
		say("All good. Anything else? (/exit quits)");
	}
}

static void banner(void)
{
	char cwd[4096];
	int w = cols() < 60 ? cols() - 2 : 58;

	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "?");
	printf(ACCENT "╭");
	for (int i = 0; i < w - 2; i++)
		printf("─");
	printf("╮\n│" RESET " " ACCENT "✻" RESET " " BOLD "demo agent" RESET " " GREY "a scripted stand-in for an AI agent"
	       RESET "\033[%dG" ACCENT "│\n│" RESET "   " GREY "cwd: %.*s" RESET "\033[%dG" ACCENT "│\n╰", w, w - 12,
	       cwd, w);
	for (int i = 0; i < w - 2; i++)
		printf("─");
	printf("╯" RESET "\n\n " GREY "Ask for anything; /help lists commands, /exit quits." RESET "\n");
}

int main(int argc, char **argv)
{
	char line[4096];
	int turn = 0;

	(void)argc, (void)argv;
	signal(SIGINT, SIG_IGN);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	printf("\033]0;demo agent\007");
	banner();
	for (;;) {
		printf("\n" BLUE "›" RESET " ");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			break;
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "/exit"))
			break;
		if (!strcmp(line, "/help")) {
			printf(GREY "  /exit   quit\n  /help   this list\n  anything else: the agent acts" RESET "\n");
			continue;
		}
		if (!line[0])
			continue;
		act(turn++);
		fflush(stdout);
	}
	printf("\n" GREY "bye" RESET "\n");
	return 0;
}
