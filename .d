-c: src/tools/opensnoop.bpf.c src/bpf/events.bpf.h src/bpf/kscope.bpf.h \
  .output/vmlinux.h src/shared/event.h src/shared/filter.h \
  src/bpf/syscall.bpf.h src/tools/opensnoop.h

src/bpf/events.bpf.h:

src/bpf/kscope.bpf.h:

.output/vmlinux.h:

src/shared/event.h:

src/shared/filter.h:

src/bpf/syscall.bpf.h:

src/tools/opensnoop.h:
