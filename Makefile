# SPDX-License-Identifier: GPL-2.0-only
# kscope build: BPF objects -> stripped -> skeletons -> one statically linked binary.
#
#   make            build ./kscope (out of tree in .output/)
#   make run        install what is missing, build, run the main job for a few seconds
#   make test       install what is missing, build, run the whole test suite (as root)
#   make test-stress  the host's suite under competing CPU and IO load (STRESS_RUNS=N times)
#   make unit       unit tests only (no root)
#   make sanitize   kscope, the unit tests and jsonq built with ASan + UBSan into .output/san;
#                   the suite runs them (its san/ stage; alone: make sanitize && sh tests/run.sh --san)
#   make bench      benchmarks (bench/README.md)
#   make vmtest     the tool tests on Debian kernels under qemu, and natively (tests/vmtest.sh;
#                   KSCOPE_KERNELS=5.10,6.12 picks kernels, KSCOPE=path tests another binary)
#   V=1             show the commands

OUTPUT      ?= .output
CC          ?= gcc
CLANG       ?= clang
LLVM_STRIP  ?= llvm-strip
BPFTOOL     ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VERSION     := 0.1.0
GIT_REV     := $(shell git rev-parse --short HEAD 2>/dev/null)
VERSION_STR := $(VERSION)$(if $(GIT_REV),-$(GIT_REV))
# $(OUTPUT)/version changes with the version, so what prints it is rebuilt (see below)
$(shell mkdir -p $(OUTPUT) && [ "$$(cat $(OUTPUT)/version 2>/dev/null)" = "$(VERSION_STR)" ] || \
	echo "$(VERSION_STR)" > $(OUTPUT)/version)

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' \
	-e 's/s390x/s390/' -e 's/riscv64/riscv/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
	-D_GNU_SOURCE -DKSCOPE_VERSION='"$(VERSION_STR)"' \
	-I$(OUTPUT) -Isrc -MMD -MP
LDLIBS += -Wl,-Bstatic -lbpf -lelf -lz -Wl,-Bdynamic
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(OUTPUT) -Isrc \
	$(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH)) -Wall -Werror -Wno-unused-function \
	-Wno-compare-distinct-pointer-types

BPF_SRCS  := $(wildcard src/tools/*.bpf.c src/core/*.bpf.c)
BPF_NAMES := $(notdir $(BPF_SRCS:.bpf.c=))
SKELS     := $(addprefix $(OUTPUT)/skel/,$(BPF_NAMES:=.skel.h))
CORE_SRCS := $(filter-out %.bpf.c,$(wildcard src/core/*.c)) $(wildcard src/lang/*.c)
TOOL_SRCS := $(filter-out %.bpf.c,$(wildcard src/tools/*.c))
APP_SRCS  := src/main.c $(CORE_SRCS) $(TOOL_SRCS)
APP_OBJS  := $(patsubst src/%.c,$(OUTPUT)/obj/%.o,$(APP_SRCS))
CORE_OBJS := $(patsubst src/%.c,$(OUTPUT)/obj/%.o,$(CORE_SRCS))

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/unit/%,$(UNIT_SRCS))
# unwindlib.c is unwindload's shared library, not a program (the unwindload block below)
HELPER_SRCS := $(filter-out tests/helpers/unwindlib.c,$(wildcard tests/helpers/*.c))
HELPER_BINS := $(patsubst tests/helpers/%.c,$(OUTPUT)/tests/helpers/%,$(HELPER_SRCS))
BENCH_BPF  := $(wildcard bench/*.bpf.c)
BENCH_SKELS := $(patsubst bench/%.bpf.c,$(OUTPUT)/skel/%.skel.h,$(BENCH_BPF))
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(OUTPUT)/bench/%,$(BENCH_SRCS))

.PHONY: all deps test-deps bench-deps vmtest-deps run test unit tooltests check bench helpers clean \
	vmtest
.DELETE_ON_ERROR:

all: kscope

deps:
	$(Q)sh scripts/setup
test-deps:
	$(Q)sh scripts/setup --test $(if $(VM_KERNELS),--vmtest)
bench-deps:
	$(Q)sh scripts/setup --bench
vmtest-deps:
	$(Q)sh scripts/setup --test --vmtest

# The main job: build and run a real tool for a few seconds.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	./kscope syscount -d 5

# The whole suite: unit tests, then tool tests against the running kernel, then some of both
# again under ASan + UBSan (make sanitize), and the tool tests on the VM_KERNELS under qemu
# meanwhile (VM_KERNELS= for the host alone).
VM_KERNELS ?= 5.10,sid
test: test-deps
	$(Q)$(MAKE) --no-print-directory all helpers unit-bins fuzz-bins sanitize
	$(Q)OUTPUT=$(OUTPUT) sh tests/run.sh $(if $(VM_KERNELS),--vm $(VM_KERNELS))

# The host's suite (no guests) under competing load: stress-ng CPU and IO workers and a
# loop building kscope from a copy of the sources (tests/stress.sh, tests/README.md), as many
# times in a row as STRESS_RUNS says; the first failure ends it.
STRESS_RUNS ?= 1
.PHONY: test-stress
test-stress:
	$(Q)sh scripts/setup --test --stress
	$(Q)$(MAKE) --no-print-directory all helpers unit-bins fuzz-bins sanitize
	$(Q)OUTPUT=$(OUTPUT) STRESS_RUNS=$(STRESS_RUNS) sh tests/stress.sh

# The tool tests on other kernels (Debian's, fetched and cached) under qemu, next to the
# host's own run: tests/vmtest.sh. With KSCOPE=path that binary is tested and not rebuilt.
vmtest: vmtest-deps
	$(Q)$(MAKE) --no-print-directory $(if $(KSCOPE),,all) helpers
	$(Q)OUTPUT=$(OUTPUT) $(if $(KSCOPE),KSCOPE=$(KSCOPE)) bash tests/vmtest.sh

unit: unit-bins
	$(Q)OUTPUT=$(OUTPUT) sh tests/run.sh --unit

helpers: $(HELPER_BINS)
unit-bins: $(UNIT_BINS)

bench: bench-deps
	$(Q)$(MAKE) --no-print-directory all bench-bins helpers
	$(Q)OUTPUT=$(OUTPUT) sh bench/run.sh
	$(Q)OUTPUT=$(OUTPUT) sh bench/bystander.sh
	$(Q)OUTPUT=$(OUTPUT) sh bench/profile.sh
	$(Q)OUTPUT=$(OUTPUT) sh bench/trace.sh

# Only the benchmark's programs (bench/README.md), e.g. into another tree: make OUTPUT=.output-b bench-bins
.PHONY: bench-bins
bench-bins: $(BENCH_BINS)

kscope: $(APP_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUTPUT)/vmlinux.h: $(VMLINUX_BTF)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $< format c > $@.tmp && mv $@.tmp $@

# Fallback syscall names, generated from this system's uapi headers; used only when the
# running kernel's own syscall metadata can't be read (see src/core/syscalls.c).
$(OUTPUT)/syscall_table.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)echo '#include <asm/unistd.h>' | $(CC) -E -dM -x c - | \
		awk '$$1 == "#define" && $$2 ~ /^__NR_[a-z0-9_]+$$/ && $$3 ~ /^[0-9]+$$/ \
		{ sub(/^__NR_/, "", $$2); printf "{ %s, \"%s\" },\n", $$3, $$2 }' | sort -n -t' ' -k2 > $@.tmp
	$(Q)mv $@.tmp $@

# One rule for every BPF object, wherever its source lives (names are unique across these).
vpath %.bpf.c src/tools src/core bench
$(OUTPUT)/bpf/%.bpf.o: %.bpf.c $(OUTPUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $@.d -MT $@ -c $< -o $@.full && $(LLVM_STRIP) -g $@.full -o $@ && rm -f $@.full

$(OUTPUT)/skel/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# Every C object may include any skeleton; generating them all first keeps the rules simple.
$(APP_OBJS): $(SKELS) $(OUTPUT)/syscall_table.h
$(OUTPUT)/obj/main.o $(OUTPUT)/obj/core/tool.o: $(OUTPUT)/version
$(OUTPUT)/obj/%.o: src/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# $< and the objects, not $^: the .d files add the included files to the prerequisites.
$(OUTPUT)/tests/unit/%: tests/unit/%.c $(CORE_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(CORE_OBJS) $(LDLIBS)

# Test helpers: plain C, frame pointers and no optimisation so what they do stays visible.
# stackload's stacks are what the stack tools' tests check: no PIE, no inlining, no tail calls.
$(OUTPUT)/tests/helpers/stackload: HELPER_FLAGS = -no-pie -fno-pie -fno-inline \
	-fno-optimize-sibling-calls
# uringload drives io_uring through liburing, linked in whole: the qemu guests have no liburing.
$(OUTPUT)/tests/helpers/uringload: LDLIBS += -l:liburing.a
# The helpers that report their threads' scheduling share tests/helpers/taskstate.h.
$(OUTPUT)/tests/helpers/schedload $(OUTPUT)/tests/helpers/stackload: tests/helpers/taskstate.h
# The helpers started by SIGUSR1 through tests/helpers/trigger.h.
$(OUTPUT)/tests/helpers/schedload $(OUTPUT)/tests/helpers/bioload \
	$(OUTPUT)/tests/helpers/uringload $(OUTPUT)/tests/helpers/workload \
	$(OUTPUT)/tests/helpers/netload: tests/helpers/trigger.h
$(OUTPUT)/tests/helpers/%: tests/helpers/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
		$(HELPER_FLAGS) -o $@ $< $(LDLIBS) -lpthread

# --- the unwinding fixture (tests/helpers/unwindload.c, tests/tools/unwindload.sh) -------------
# unwindload's call chains go through its shared library libunwindlib into libc. Built the
# ordinary way (-O2, PIE, .eh_frame), with and without frame pointers, and once stripped:
#   unwindload + libunwindlib.so          -fomit-frame-pointer: only .eh_frame unwinds it
#   unwindload-fp + libunwindlib-fp.so    frame pointers, also in leaf functions
#   unwindload-stripped (+ libunwindlib.so)  unwindload without .symtab or debug info (.eh_frame
#       stays); its symbols are in .debug/unwindload-stripped.debug beside it (its
#       .gnu_debuglink) and the same file as debug/.build-id/xx/rest.debug (debug root:
#       $(UWL)/debug)
# Each program finds its library beside itself (rpath $ORIGIN). UW_NAME makes each program a
# different file with its own build-id.
UWL := $(OUTPUT)/tests/helpers
UW_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Wl,--build-id
UW_NOFP := -fomit-frame-pointer
# -DUW_FP: gcc 12 ignores -mno-omit-leaf-frame-pointer at -O2; the sources keep the frame (unwindlib.h)
UW_FP := -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -DUW_FP
UW_BINS := $(addprefix $(UWL)/,libunwindlib.so libunwindlib-fp.so unwindload unwindload-fp \
	unwindload-stripped)
helpers: $(UW_BINS)

$(UWL)/libunwindlib.so $(UWL)/libunwindlib-fp.so: $(UWL)/lib%.so: tests/helpers/unwindlib.c \
	tests/helpers/unwindlib.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(UW_CFLAGS) $(if $(filter %-fp.so,$@),$(UW_FP),$(UW_NOFP)) -fPIC -shared \
		-Wl,-soname,$(@F) -o $@ $< -lpthread

UW_DEPS := tests/helpers/unwindload.c tests/helpers/unwindlib.h tests/helpers/trigger.h
UW_LINK = -fPIE -pie -L$(UWL) -Wl,-rpath,'$$ORIGIN' -lpthread
$(UWL)/unwindload: $(UW_DEPS) $(UWL)/libunwindlib.so
	$(call msg,CC,$@)
	$(Q)$(CC) $(UW_CFLAGS) $(UW_NOFP) -o $@ $< -l:libunwindlib.so $(UW_LINK)

$(UWL)/unwindload-fp: $(UW_DEPS) $(UWL)/libunwindlib-fp.so
	$(call msg,CC,$@)
	$(Q)$(CC) $(UW_CFLAGS) $(UW_FP) -DUW_NAME='"unwindload-fp"' -o $@ $< -l:libunwindlib-fp.so \
		$(UW_LINK)

$(UWL)/unwindload-stripped: $(UW_DEPS) $(UWL)/libunwindlib.so
	$(call msg,CC,$@)
	$(Q)$(CC) $(UW_CFLAGS) $(UW_NOFP) -DUW_NAME='"unwindload-stripped"' -o $@.full $< \
		-l:libunwindlib.so $(UW_LINK)
	$(Q)id=$$(readelf -n $@.full | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p'); \
		[ -n "$$id" ] || { echo "$@: no build-id" >&2; exit 1; }; \
		rm -rf $(UWL)/debug && d=$(UWL)/debug/.build-id/$$(echo $$id | cut -c1-2) && \
		mkdir -p $$d $(UWL)/.debug && \
		objcopy --only-keep-debug $@.full $(UWL)/.debug/$(@F).debug && \
		ln -f $(UWL)/.debug/$(@F).debug $$d/$$(echo $$id | cut -c3-).debug
	$(Q)strip --strip-all -o $@.strip $@.full && \
		objcopy --add-gnu-debuglink=$(UWL)/.debug/$(@F).debug $@.strip $@ && rm -f $@.full $@.strip
# --- end of the unwinding fixture --------------------------------------------------------------

# --- symbolizer test programs (tests/unit/syms.c) -------------------------------------------
# One small program and its shared library, built as every kind of binary the symbolizer must
# handle: non-PIE, PIE, and two stripped PIEs whose symbols are only in a separate debug file,
# found by build-id (under the test debug root) and by .gnu_debuglink (in .debug/ beside it).
# VARIANT makes each a different file, with its own build-id. They go into a subdirectory:
# tests/run.sh runs every executable file of tests/unit/ itself.
SYMT := $(OUTPUT)/tests/unit/symtargets
SYMT_CFLAGS := -O1 -g -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Werror -Wl,--build-id
SYMT_LINK := -L$(SYMT) -lsymlib -Wl,-rpath,'$$ORIGIN'
SYMT_BINS := $(addprefix $(SYMT)/,libsymlib.so symtarget-nopie symtarget-pie symtarget-bid \
	symtarget-dlink)
unit-bins: $(SYMT_BINS)

$(SYMT)/libsymlib.so: tests/unit/symtargets/symlib.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SYMT_CFLAGS) -fPIC -shared -o $@ $<

$(SYMT)/symtarget-nopie: tests/unit/symtargets/symtarget.c $(SYMT)/libsymlib.so
	$(call msg,CC,$@)
	$(Q)$(CC) $(SYMT_CFLAGS) -DVARIANT='"nopie"' -fno-pie -no-pie -o $@ $< $(SYMT_LINK)

$(SYMT)/symtarget-pie: tests/unit/symtargets/symtarget.c $(SYMT)/libsymlib.so
	$(call msg,CC,$@)
	$(Q)$(CC) $(SYMT_CFLAGS) -DVARIANT='"pie"' -fPIE -pie -o $@ $< $(SYMT_LINK)

# debug file at DEBUGROOT/.build-id/xx/rest.debug, DEBUGROOT = $(SYMT)/debugroot
$(SYMT)/symtarget-bid: tests/unit/symtargets/symtarget.c $(SYMT)/libsymlib.so
	$(call msg,CC,$@)
	$(Q)$(CC) $(SYMT_CFLAGS) -DVARIANT='"bid"' -fPIE -pie -o $@.full $< $(SYMT_LINK)
	$(Q)id=$$(readelf -n $@.full | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p'); \
		[ -n "$$id" ] || { echo "$@: no build-id" >&2; exit 1; }; \
		rm -rf $(SYMT)/debugroot && d=$(SYMT)/debugroot/.build-id/$$(echo $$id | cut -c1-2) && \
		mkdir -p $$d && objcopy --only-keep-debug $@.full $$d/$$(echo $$id | cut -c3-).debug
	$(Q)strip -s -o $@ $@.full && rm -f $@.full

# debug file at $(SYMT)/.debug/symtarget-dlink.debug, named (and CRC'd) by .gnu_debuglink
$(SYMT)/symtarget-dlink: tests/unit/symtargets/symtarget.c $(SYMT)/libsymlib.so
	$(call msg,CC,$@)
	$(Q)$(CC) $(SYMT_CFLAGS) -DVARIANT='"dlink"' -fPIE -pie -o $@.full $< $(SYMT_LINK)
	$(Q)mkdir -p $(SYMT)/.debug && objcopy --only-keep-debug $@.full $(SYMT)/.debug/$(@F).debug
	$(Q)strip -s -o $@.strip $@.full && \
		objcopy --add-gnu-debuglink=$(SYMT)/.debug/$(@F).debug $@.strip $@ && rm -f $@.full $@.strip
# --- end of the symbolizer test programs -----------------------------------------------------

# --- call-frame table test programs (tests/unit/cfi.c) ----------------------------------------
# One call chain built without frame pointers (what the DWARF tables are for; its stack is also
# the reference unwinder's test) and at -O0 with them, for the cross-check against readelf.
CFIT := $(OUTPUT)/tests/unit/cfitargets
# cfitarget-dbg has no .eh_frame of its own code, only .debug_frame, in its separate debug file.
CFIT_BINS := $(CFIT)/cfitarget-omit $(CFIT)/cfitarget-fp $(CFIT)/cfitarget-dbg
unit-bins: $(CFIT_BINS)
$(CFIT)/cfitarget-dbg: tests/unit/cfitargets/cfitarget.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -fomit-frame-pointer -fno-asynchronous-unwind-tables -fno-unwind-tables \
		-std=gnu11 -Wall -Wextra -Werror -o $@.full $<
	$(Q)objcopy --only-keep-debug $@.full $@.debug && strip -s -o $@ $@.full && rm -f $@.full
$(CFIT)/cfitarget-omit: CFIT_FLAGS = -O2 -fomit-frame-pointer
$(CFIT)/cfitarget-fp: CFIT_FLAGS = -O0 -fno-omit-frame-pointer
$(CFIT)/cfitarget-%: tests/unit/cfitargets/cfitarget.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFIT_FLAGS) -g -std=gnu11 -Wall -Wextra -Werror -o $@ $<

$(BENCH_BINS): $(BENCH_SKELS)
# The disk-IO workload submits its reads through io_uring (liburing-dev, scripts/setup --bench).
$(OUTPUT)/bench/randread: LDLIBS += -luring
$(OUTPUT)/bench/%: bench/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)
# The symbolizer benchmark uses src/core and symbolizes the unit tests' target program.
$(OUTPUT)/bench/symrate: bench/symrate.c $(CORE_OBJS) $(SYMT)/symtarget-pie
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(CORE_OBJS) $(LDLIBS)
-include $(wildcard $(OUTPUT)/bench/*.d)

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(OUTPUT) kscope

-include $(wildcard $(OUTPUT)/obj/*.d $(OUTPUT)/obj/*/*.d $(OUTPUT)/bpf/*.d $(OUTPUT)/tests/unit/*.d)

# --- fuzzing (tests/fuzz/, tests/tools/lang_fuzz.sh) -------------------------------------------
# libFuzzer targets, built by clang with ASan and UBSan from only the sources they test: the
# language's front end, and the core's output and log (its errors are escaped and written as
# JSON by them; the log links libbpf for its message hook). The allocator is wrapped so that
# the target can make allocations fail. `make fuzz-bins`, then run e.g.
# $(OUTPUT)/tests/fuzz/lang_fuzz -dict=tests/fuzz/lang.dict DIR (a copy of tests/fuzz/corpus).
FUZZ_CFLAGS := -g -O1 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -Isrc \
	-fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
LANG_FRONT_SRCS := src/lang/lex.c src/lang/parse.c src/lang/ast.c src/core/out.c src/core/log.c \
	src/core/clock.c
FUZZ_BINS := $(OUTPUT)/tests/fuzz/lang_fuzz
.PHONY: fuzz-bins
fuzz-bins: $(FUZZ_BINS)

# A fuzzer needs clang's libFuzzer runtime (libclang_rt.fuzzer, Debian's clang has it): a
# trivial target tells whether it links, so a missing runtime gets its own message.
$(OUTPUT)/tests/fuzz/lang_fuzz: tests/fuzz/lang_fuzz.c $(LANG_FRONT_SRCS) src/lang/ast.h src/lang/lex.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
		$(CLANG) -fsanitize=fuzzer -x c - -o $(@D)/.fuzz-probe >/dev/null 2>&1 || { \
		echo "make: $@: $(CLANG) cannot link a libFuzzer target (no libclang_rt.fuzzer in" \
			"its runtime, which Debian's clang package has: make deps installs it)" >&2; \
		rm -f $(@D)/.fuzz-probe; exit 1; }
	$(Q)rm -f $(@D)/.fuzz-probe
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/lang_fuzz.c $(LANG_FRONT_SRCS) \
		-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strndup -lbpf

# --- sanitizers (tests/run.sh's san/ stage, tests/README.md) ---------------------------------
# kscope, the unit tests and jsonq (the tests' JSON parser) built again with ASan and UBSan into
# $(SAN), next to the normal build, which stays as it is. UBSan findings abort (no recovery), so
# they fail the run like ASan's. The BPF side is not compiled again: the C objects include the
# same skeletons from $(OUTPUT)/skel. libbpf, libelf and libz stay Debian's static archives,
# not instrumented: what kscope hands them is checked at the call, not inside them.
SAN        := $(OUTPUT)/san
SAN_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# -O1 for readable reports; at -O1 gcc's truncation warnings see less than at -O2 and flag
# snprintf calls the normal build (-O2, -Werror) has already checked.
SAN_CFLAGS := $(patsubst -O2,-O1,$(CFLAGS)) -Wno-format-truncation $(SAN_FLAGS)
SAN_APP_OBJS  := $(patsubst src/%.c,$(SAN)/obj/%.o,$(APP_SRCS))
SAN_CORE_OBJS := $(patsubst src/%.c,$(SAN)/obj/%.o,$(CORE_SRCS))
SAN_UNIT_BINS := $(patsubst tests/unit/%.c,$(SAN)/tests/unit/%,$(UNIT_SRCS))
.PHONY: sanitize
sanitize: $(SAN)/kscope $(SAN_UNIT_BINS) $(SAN)/tests/unit/symtargets $(SAN)/tests/unit/cfitargets \
	$(SAN)/tests/helpers/jsonq

$(SAN)/kscope: $(SAN_APP_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

$(SAN_APP_OBJS): $(SKELS) $(OUTPUT)/syscall_table.h
$(SAN)/obj/main.o $(SAN)/obj/core/tool.o: $(OUTPUT)/version
$(SAN)/obj/%.o: src/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -c $< -o $@

$(SAN)/tests/unit/%: tests/unit/%.c $(SAN_CORE_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $< $(SAN_CORE_OBJS) $(LDLIBS)

# tests/unit/syms.c finds its target programs beside itself (a copy: the paths it symbolizes are
# compared as they are): the normal build's, not instrumented, they are symbolized, not tested.
$(SAN)/tests/unit/symtargets: $(SYMT_BINS)
	$(call msg,CP,$@)
	$(Q)mkdir -p $(@D) && rm -rf $@ && cp -a $(SYMT) $@

# tests/unit/cfi.c's target programs, found beside it likewise
$(SAN)/tests/unit/cfitargets: $(CFIT_BINS)
	$(call msg,CP,$@)
	$(Q)mkdir -p $(@D) && rm -rf $@ && cp -a $(CFIT) $@

$(SAN)/tests/helpers/jsonq: tests/helpers/jsonq.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $(SAN_FLAGS) -o $@ $<
-include $(wildcard $(SAN)/obj/*.d $(SAN)/obj/*/*.d $(SAN)/tests/unit/*.d)

# --- style ----------------------------------------------------------------------------------
# The C sources follow .clang-format; tests/tools/style.sh checks it in the suite.
.PHONY: format
format:
	$(Q)git ls-files '*.c' '*.h' | xargs clang-format -i
