/*
 * demo - a scripted stand-in for an AI coding agent, for `make run`, the
 * screenshots and tests.  It talks like an agent and really acts in its
 * working directory: it writes files, runs shell commands and shows diffs,
 * so that everything belay watches has something to watch.
 *
 * Press Enter (or type anything) for the next step of the tour: it reads,
 * writes, edits, commits, pushes (belay holds that) and deletes a folder
 * (belay keeps it).  /help lists commands; /exit or C-d quits.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* Run cmd with sh, show its first lines; its exit status. */
static int run(const char *cmd)
{
	char line[512];
	FILE *p;
	int n = 0, st;

	tool("Bash", cmd);
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		printf("  %s %s", n++ ? " " : "⎿", line);
		if (n > 12) {
			printf("    " GREY "… (more lines)" RESET "\n");
			break;
		}
		fflush(stdout);
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void write_file(const char *path, const char *text)
{
	FILE *f;
	int n = 1;
	char dir[256];
	const char *slash = strrchr(path, '/');

	tool("Write", path);
	if (slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		mkdir(dir, 0755);
	}
	f = fopen(path, "w");
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

/*
 * The tour, one turn per Enter: the agent reads, writes, edits, commits,
 * asks belay to let a push through (held: the person decides), and deletes a
 * folder (not held: it can be rolled back).  After the last turn it only
 * says how to quit.
 */
static void act(int turn)
{
	switch (turn) {
	case 0:
		think("Reading the workspace");
		run("ls -A");
		say("This is the folder belay gave me, the workspace. Each thing I do is a step in belay's "
		    "side panel, and belay keeps a checkpoint of the workspace before and after it. "
		    "Press Enter and I will write some code.");
		break;
	case 1:
		think("Writing code");
		write_file("hello.py", "greetings = {'en': 'hello', 'ja': 'こんにちは', 'fr': 'bonjour'}\n"
				       "for lang, word in greetings.items():\n"
				       "    print(f'{lang}: {word}')\n");
		write_file("docs/notes.md", "# notes\n\nhello.py prints a greeting per language.\n");
		run("python3 hello.py");
		say("Done ✅ two files, written without asking you: inside the workspace every step can be "
		    "rolled back. Enter: I will improve the script.");
		break;
	case 2:
		think("Updating");
		tool("Update", "hello.py");
		printf("  " RED "- greetings = {'en': 'hello', 'ja': 'こんにちは', 'fr': 'bonjour'}" RESET "\n");
		printf("  " GREEN "+ greetings = {'en': 'hello', 'ja': 'こんにちは', 'fr': 'bonjour', 'de': 'hallo'}"
		       RESET "\n");
		run("sed -i \"s/'bonjour'}/'bonjour', 'de': 'hallo'}/\" hello.py && python3 hello.py");
		say("Added German. Enter: I will commit and push the work.");
		break;
	case 3: {
		int st;

		think("Committing");
		run("git add -A && git commit -qm 'Greet in four languages' && git log --oneline | head -3");
		say("Now the push. A push cannot be undone, so belay holds it until you decide: the status "
		    "line below names it. Press C-] then a to let it through, or C-] then d to refuse it.");
		fflush(stdout);
		st = run("git push -q origin HEAD 2>&1 && echo pushed");
		if (st == 0)
			say("You allowed it: the push went through. Enter: some tidying up.");
		else
			say("You refused it: git got 'Permission denied' and nothing left this machine. "
			    "Enter: some tidying up.");
		break;
	}
	case 4:
		think("Tidying up");
		run("rm -rf docs && ls -A");
		say("I deleted docs/ without asking you: belay checkpointed it first, so it can come back. "
		    "That is the tour. Quit with C-] then q (and y): belay shows where the workspace "
		    "and its history are, and how to roll docs/ back.");
		break;
	default:
		say("The tour is over: C-] then q quits (C-] ? lists belay's keys).");
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
	printf("╯" RESET "\n\n " GREY "Press Enter for each step of the tour; /exit quits." RESET "\n");
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
			printf(GREY "  /exit   quit\n  /help   this list\n  Enter (or anything else): the next step" RESET "\n");
			continue;
		}
		act(turn++);
		fflush(stdout);
	}
	printf("\n" GREY "bye" RESET "\n");
	return 0;
}
