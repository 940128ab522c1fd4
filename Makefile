# belay - one plain Makefile: build, run, test, bench, screenshots, install.
#
#   make            build build/belay
#   make run        install what is missing, build, and run belay on the demo agent
#   make test       install what is missing, build, run every test
#   make bench      throughput and latency side by side with tmux and the bare commands
#   make install PREFIX=/usr/local

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/belay
MANDIR    ?= $(PREFIX)/share/man

CC        ?= cc
PKGS      := ncursesw libtsm libgit2 libseccomp jansson libcrypto zlib
# careful: these are read when make reads this file.  On a fresh machine the
# packages come with `make deps`, so run, test, bench and screenshots install
# them first and then build in a second make that reads this file again.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TSM_VERSION := $(shell pkg-config --modversion libtsm 2>/dev/null)

WARN      := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes \
             -Wno-parentheses
ifeq ($(DEVELOPER),1)
WARN      += -Werror
endif
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(PKG_CFLAGS) -DBELAY_VERSION='"$(VERSION)"' \
             -DBELAY_LIBTSM_VERSION='"$(TSM_VERSION)"' \
             -DBELAY_DATADIR='"$(DATADIR)"' -MMD -MP
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SUPERVISOR_SRC := $(wildcard supervisor/*.c)
TUI_SRC        := $(filter-out tui/main.c,$(wildcard tui/*.c))
LIB_SRC        := $(SUPERVISOR_SRC) $(TUI_SRC)
DATA_FILES     := $(wildcard keymaps/*.keys themes/*.theme policies/*.rules profiles/*.profile)

B := build
OBJ      := $(LIB_SRC:%.c=$(B)/obj/%.o) $(B)/obj/tui/embed.o
SAN_OBJ  := $(LIB_SRC:%.c=$(B)/san/%.o) $(B)/san/tui/embed.o

UNIT_SRC   := $(wildcard tests/unit/test-*.c)
UNIT_BINS  := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
AGENT_SRC  := $(wildcard tests/agents/*.c)
AGENT_BINS := $(AGENT_SRC:tests/agents/%.c=$(B)/agents/%)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS  := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)

.PHONY: all deps run test unit scenario fuzz fuzz-long bench screenshots install uninstall clean \
	_run _test _bench _screenshots FORCE

all: $(B)/belay $(AGENT_BINS)

# The flags everything was built with: when they change (a package installed
# since, another CFLAGS), every object is built again.  Building without the
# libraries' flags would only fail later, at the link, so it stops here.
$(B)/flags: FORCE
	@if [ -z "$(PKG_LIBS)" ]; then \
		echo "belay: pkg-config does not find the libraries ($(PKGS));" >&2; \
		echo "belay: run 'make deps' (as root it installs them), or 'make test' / 'make run'" >&2; \
		exit 1; fi
	@mkdir -p $(B)
	@echo '$(subst ','\'',$(CC) $(ALL_CFLAGS) $(PKG_LIBS))' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

$(B)/belay: $(OBJ) $(B)/obj/tui/main.o
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.o,$^) $(PKG_LIBS)

$(B)/obj/%.o: %.c $(B)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/san/%.o: %.c $(B)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

# the default keymaps and themes are embedded from the very files users edit
$(B)/obj/tui/embed.o $(B)/san/tui/embed.o: tui/embed.S $(DATA_FILES)
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ tui/embed.S

$(B)/san/libbelay.a: $(SAN_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/unit/%: tests/unit/%.c tests/unit/unit.h $(B)/san/libbelay.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< $(B)/san/libbelay.a $(PKG_LIBS) -lcmocka

$(B)/agents/%: tests/agents/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -o $@ $< $(shell pkg-config --cflags --libs ncursesw) -lpthread

# fuzz targets: clang's libFuzzer, with the sanitizers
FUZZ_CC := clang
$(B)/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(wildcard supervisor/*.h tui/*.h) $(B)/flags
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -o $@ $< \
		$(LIB_SRC) tui/embed.S $(PKG_LIBS)

deps:
	@sh tools/deps.sh

# Install what is missing, then build and go on in a make that reads this
# file again (see PKG_LIBS above).
run test bench screenshots:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory _$@

_run: all
	@sh tools/demo.sh

unit: $(UNIT_BINS)
scenario: all
fuzz: $(FUZZ_BINS)

_test: all $(UNIT_BINS) $(FUZZ_BINS)
	@sh tests/run

fuzz-long: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$$(basename $$f); mkdir -p $(B)/corpus/$$n; \
	  $$f -max_total_time=$${FUZZ_SECONDS:-60} $(B)/corpus/$$n tests/fuzz/corpus/$$n || exit 1; done

_bench: all
	@sh tests/bench/run

_screenshots: all
	@sh tools/screenshots.sh

install: $(B)/belay
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/keymaps $(DESTDIR)$(DATADIR)/themes \
		$(DESTDIR)$(DATADIR)/policies $(DESTDIR)$(DATADIR)/profiles $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(B)/belay $(DESTDIR)$(BINDIR)/belay
	install -m 644 keymaps/*.keys $(DESTDIR)$(DATADIR)/keymaps/
	install -m 644 themes/*.theme $(DESTDIR)$(DATADIR)/themes/
	install -m 644 policies/*.rules $(DESTDIR)$(DATADIR)/policies/
	install -m 644 profiles/*.profile $(DESTDIR)$(DATADIR)/profiles/
	install -m 644 doc/belay.1 $(DESTDIR)$(MANDIR)/man1/belay.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/belay $(DESTDIR)$(MANDIR)/man1/belay.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
