// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of src/core/cgroup: container ids from paths, layouts from mount tables. */
#include <errno.h>
#include <stdio.h>

#include "core/btf.h"
#include "core/cgroup.h"
#include "ktest.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID  "5f2a9c1e-7b3d-4e8f-9a01-23456789abcd"
#define UIDU "5f2a9c1e_7b3d_4e8f_9a01_23456789abcd"

static const struct {
	const char *path, *id, *runtime, *pod;
} paths[] = {
	/* docker, cgroupfs driver (v1 and v2) */
	{ "/docker/" ID64, "0123456789ab", "docker", "" },
	/* docker, systemd driver */
	{ "/system.slice/docker-" ID64 ".scope", "0123456789ab", "docker", "" },
	/* a container's own sub-cgroups (systemd inside, cgroup namespaces) */
	{ "/docker/" ID64 "/init.scope", "0123456789ab", "docker", "" },
	/* docker in docker: the inner one */
	{ "/docker/ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff/docker/" ID64,
	  "0123456789ab", "docker", "" },
	/* Kubernetes, cgroupfs driver: containerd or dockershim, the path doesn't say */
	{ "/kubepods/burstable/pod" UID "/" ID64, "0123456789ab", NULL, UID },
	{ "/kubepods/pod" UID "/" ID64, "0123456789ab", NULL, UID },
	{ "/kubepods/besteffort/pod" UID "/crio-" ID64, "0123456789ab", "cri-o", UID },
	/* Kubernetes, systemd driver */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU
	  ".slice/cri-containerd-" ID64 ".scope",
	  "0123456789ab", "containerd", UID },
	{ "/kubepods.slice/kubepods-pod" UIDU ".slice/crio-" ID64 ".scope", "0123456789ab", "cri-o",
	  UID },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU
	  ".slice/docker-" ID64 ".scope",
	  "0123456789ab", "docker", UID },
	/* podman, systemd and cgroupfs, root and rootless */
	{ "/machine.slice/libpod-" ID64 ".scope", "0123456789ab", "podman", "" },
	{ "/machine.slice/libpod-" ID64 ".scope/container", "0123456789ab", "podman", "" },
	{ "/libpod_parent/libpod-" ID64, "0123456789ab", "podman", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64 ".scope",
	  "0123456789ab", "podman", "" },
	/* a bare id elsewhere (ECS, other orchestrators): a container, runtime unnamed */
	{ "/ecs/8a2b0c/" ID64, "0123456789ab", NULL, "" },
	/* a pod's monitor (cri-o's conmon) is no container, but is in the pod */
	{ "/kubepods.slice/kubepods-pod" UIDU ".slice/crio-conmon-" ID64 ".scope", "", NULL, UID },
	/* a pod's own cgroup: the pod without a container */
	{ "/kubepods/burstable/pod" UID, "", NULL, UID },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice", "", NULL,
	  UID },
};

/* Paths that carry no container: monitors, services, near misses. */
static const char *const negatives[] = {
	"/",
	"",
	"/system.slice/docker.service",
	"/system.slice/containerd.service",
	"/user.slice/user-0.slice/session-3.scope",
	"/machine.slice/libpod-conmon-" ID64 ".scope",
	"/docker/0123456789abcdef",						    /* too short */
	"/docker/" ID64 "0",							    /* too long */
	"/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", /* upper */
	"/system.slice/docker-" ID64 ".service",
	"/system.slice/rkt-" ID64 ".scope",
	"/kubepods/burstable/pod" UIDU, /* underscores outside a slice */
	"/kubepods/burstable/pod5f2a9c1e-7b3d-4e8f-9a01-23456789abc", /* short uid */
	"/process_api/c30870f8e63142cf9030b568c6aea0e8",
};

static void t_container_paths(void)
{
	for (size_t i = 0; i < KS_ARRAY_SIZE(paths); i++) {
		struct ks_container c;
		bool got = ks_container_parse(paths[i].path, &c);

		CHECK(got, "%s: nothing found", paths[i].path);
		CHECK(!strcmp(c.id, paths[i].id), "%s: id '%s', expected '%s'", paths[i].path, c.id,
		      paths[i].id);
		CHECK(!strcmp(c.runtime ? c.runtime : "-",
			      paths[i].runtime ? paths[i].runtime : "-"),
		      "%s: runtime %s, expected %s", paths[i].path, c.runtime ? c.runtime : "-",
		      paths[i].runtime ? paths[i].runtime : "-");
		CHECK(!strcmp(c.pod, paths[i].pod), "%s: pod '%s', expected '%s'", paths[i].path,
		      c.pod, paths[i].pod);
	}
}

static void t_container_negatives(void)
{
	for (size_t i = 0; i < KS_ARRAY_SIZE(negatives); i++) {
		struct ks_container c;
		bool got = ks_container_parse(negatives[i], &c);

		CHECK(!got && !c.id[0] && !c.pod[0] && !c.runtime, "%s: found id '%s' pod '%s'",
		      negatives[i], c.id, c.pod);
	}
}

/* A mount table in a file, loaded as /proc/mounts would be. */
static int load(const char *text)
{
	char path[] = "/tmp/kscope-unit-mounts-XXXXXX";
	int fd = mkstemp(path), err;
	FILE *f;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	err = ks_cgroup_mounts_load(path);
	unlink(path);
	return err;
}

/* Mount points that don't exist here, so no two look like the same hierarchy. */
#define M "/nonexistent/kscope-unit"

static const char hybrid[] =
	"tmpfs " M " tmpfs rw,relatime,mode=755 0 0\n"
	"cgroup " M "/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0\n"
	"cgroup " M "/memory cgroup rw,relatime,memory 0 0\n"
	"cgroup " M "/blkio cgroup rw,relatime,blkio 0 0\n"
	"cgroup " M "/systemd cgroup rw,relatime,xattr,name=systemd 0 0\n"
	"cgroup2 " M "/unified cgroup2 rw,nsdelegate 0 0\n";

static void t_layouts(void)
{
	const struct ks_cgroup_hier *h;
	char why[512];
	size_t n;

	if (ks_cgroup_subsys_id("memory") < 0 || ks_cgroup_subsys_id("cpu") < 0) {
		KT_SKIP("no kernel BTF with memory and cpu in enum cgroup_subsys_id");
		return;
	}
	CHECK_INT(load(hybrid), 0);
	CHECK_INT(ks_cgroup_layout(), KS_CGROUP_LAYOUT_HYBRID);
	CHECK(!strcmp(ks_cgroup_layout_name(ks_cgroup_layout()), "hybrid"), "name");
	n = ks_cgroup_hiers(&h);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK(!strcmp(h[0].name, "cpu,cpuacct"), "co-mounted: %s", h[0].name);
		CHECK_INT(h[0].ssid, ks_cgroup_subsys_id("cpu"));
		CHECK(!strcmp(h[2].name, "blkio"), "blkio: %s", h[2].name);
		CHECK_INT(h[2].ssid, ks_cgroup_subsys_id("io"));
		CHECK(!strcmp(h[3].name, "name=systemd") && h[3].ssid == -1, "named: %s %d",
		      h[3].name, h[3].ssid);
		CHECK(h[4].v2 && !strcmp(h[4].name, "unified"), "v2: %s", h[4].name);
	}
	CHECK(!strcmp(ks_cgroup2_root(), M "/unified"), "v2 root %s", ks_cgroup2_root());
	CHECK(ks_cgroup_hier_find("cpuacct", why, sizeof(why)) == &h[0], "cpuacct");
	CHECK(ks_cgroup_hier_find("memory", why, sizeof(why)) == &h[1], "memory");
	CHECK(ks_cgroup_hier_find("unified", why, sizeof(why)) == &h[4], "unified");
	CHECK(ks_cgroup_hier_find("v2", why, sizeof(why)) == &h[4], "v2");
	CHECK(!ks_cgroup_hier_find("systemd", why, sizeof(why)), "systemd has no controller");
	CHECK(strstr(why, "name=systemd is a named cgroup v1 hierarchy without a controller"), "%s",
	      why);
	CHECK(!ks_cgroup_hier_find("pids", why, sizeof(why)), "pids is not mounted");
	CHECK(strstr(why, "no cgroup hierarchy 'pids' is mounted (use one of: cpu,cpuacct, "
			  "memory, blkio, unified)"),
	      "%s", why);

	/* The default naming on a hybrid host: v2, else memory. */
	CHECK_INT(ks_cgroup_ident_set(NULL, NULL, why, sizeof(why)), 0);
	/* (the v2 root can't be opened here: without its id tasks are named by v1) */
	CHECK(!strcmp(ks_cgroup_ident()->v1name, "memory"), "%s", ks_cgroup_ident()->v1name);
	CHECK_INT(ks_cgroup_ident()->ssid, ks_cgroup_subsys_id("memory"));
	CHECK_INT(ks_cgroup_ident_set("cpuacct", NULL, why, sizeof(why)), 0);
	CHECK(!strcmp(ks_cgroup_ident()->name, "cpuacct"), "%s", ks_cgroup_ident()->name);
	CHECK_INT(ks_cgroup_ident_set(NULL, &h[2], why, sizeof(why)), 0);
	CHECK(!strcmp(ks_cgroup_ident()->v1name, "blkio"), "-c's hierarchy first: %s",
	      ks_cgroup_ident()->v1name);
	CHECK(ks_cgroup_ident_set("bogus", NULL, why, sizeof(why)) < 0, "bogus");

	/* v1 only (with the named systemd hierarchy) */
	CHECK_INT(load("cgroup " M "/cpu cgroup rw,cpu 0 0\n"
		       "cgroup " M "/systemd cgroup rw,name=systemd 0 0\n"),
		  0);
	CHECK_INT(ks_cgroup_layout(), KS_CGROUP_LAYOUT_V1);
	CHECK(!ks_cgroup2_root(), "no v2 root");
	CHECK_INT(ks_cgroup_ident_set(NULL, NULL, why, sizeof(why)), 0);
	CHECK(!strcmp(ks_cgroup_ident()->name, "cpu"), "v1 default: %s", ks_cgroup_ident()->name);
	CHECK(!ks_cgroup_hier_find("unified", why, sizeof(why)), "no v2");
	CHECK(strstr(why, "no cgroup v2 hierarchy is mounted"), "%s", why);

	/* pure v2; a named v1 hierarchy beside it does not make it hybrid */
	CHECK_INT(load("cgroup2 " M "/cg cgroup2 rw 0 0\n"
		       "cgroup " M "/systemd cgroup rw,name=systemd 0 0\n"),
		  0);
	CHECK_INT(ks_cgroup_layout(), KS_CGROUP_LAYOUT_V2);
	CHECK_INT(ks_cgroup_ident_set(NULL, NULL, why, sizeof(why)), 0);
	CHECK(!strcmp(ks_cgroup_ident()->name, "unified"), "v2: %s", ks_cgroup_ident()->name);
	CHECK(!ks_cgroup_hier_find("memory", why, sizeof(why)), "no memory");

	/* the first controller hierarchy when neither memory nor cpu is mounted */
	CHECK_INT(load("cgroup " M "/pids cgroup rw,relatime,pids 0 0\n"
		       "cgroup2 " M "/cg cgroup2 rw 0 0\n"),
		  0);
	CHECK_INT(ks_cgroup_layout(), KS_CGROUP_LAYOUT_HYBRID);
	CHECK_INT(ks_cgroup_ident_set(NULL, NULL, why, sizeof(why)), 0);
	CHECK(!strcmp(ks_cgroup_ident()->v1name, "pids"), "%s", ks_cgroup_ident()->v1name);

	CHECK_INT(load("proc /proc proc rw 0 0\n"), 0);
	CHECK_INT(ks_cgroup_layout(), KS_CGROUP_LAYOUT_NONE);
	CHECK_INT(ks_cgroup_ident_set(NULL, NULL, why, sizeof(why)), 0);
	CHECK_INT(ks_cgroup_ident()->mode, 0);
}

static void t_subsys_ids(void)
{
	int mem = ks_cgroup_subsys_id("memory");

	if (mem < 0) {
		KT_SKIP("no kernel BTF with enum cgroup_subsys_id");
		return;
	}
	CHECK(mem >= 0 && mem < 64, "memory: %d", mem);
	CHECK_INT(ks_cgroup_subsys_id("blkio"), ks_cgroup_subsys_id("io"));
	CHECK_INT(ks_cgroup_subsys_id("relatime"), -ENOENT);
	CHECK_INT(ks_cgroup_subsys_id("name=systemd"), -ENOENT);
}

int main(void)
{
	RUN(t_container_paths);
	RUN(t_container_negatives);
	RUN(t_subsys_ids);
	RUN(t_layouts);
	return kt_done();
}
