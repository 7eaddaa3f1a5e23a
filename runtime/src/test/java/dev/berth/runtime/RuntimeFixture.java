package dev.berth.runtime;

import dev.berth.oci.ContainerConfig;
import dev.berth.runtime.spec.ContainerSpecs;
import dev.berth.runtime.spec.HostLimits;
import dev.berth.runtime.spec.RunConfig;
import dev.berth.runtime.spec.Spec;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.TempDirs;
import dev.berth.testing.tools.Tools;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A runtime state root and a busybox rootfs in a temp dir, with a cgroup parent of its own;
 * {@link #close} force-removes every container, the cgroup parent and the directory.
 */
final class RuntimeFixture implements AutoCloseable {
  static final ContainerConfig BUSYBOX = ContainerConfig.of(List.of("PATH=" + BusyboxRootfs.PATH), List.of("sh"));
  private static final AtomicInteger SEQ = new AtomicInteger();

  final Path dir;
  final Path rootfs;
  final String cgroupParent;
  ContainerRuntime runtime;

  RuntimeFixture() {
    Tools.requireRoot("running containers");
    Tools.requireTool("runc");
    Tools.requireTool("conmon");
    dir = TempDirs.create("brt-");
    rootfs = BusyboxRootfs.builder().file("etc/group", "root:x:0:\nnobody:x:65534:\nstaff:x:50:nobody\n")
        .build(dir.resolve("rootfs")).dir();
    cgroupParent = "berth-test-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    runtime = open();
  }

  ContainerRuntime open() {
    return ContainerRuntime.open(new ContainerRuntime.Config(dir.resolve("state"), cgroupParent, "runc"));
  }

  String id(String name) {
    return name + "-" + SEQ.incrementAndGet();
  }

  Spec spec(RunConfig run) {
    return ContainerSpecs.forContainer(BUSYBOX, run, rootfs, null, HostLimits.ofThisProcess());
  }

  Spec spec(String... cmd) {
    return spec(RunConfig.builder().cmd(cmd).build());
  }

  @Override
  public void close() {
    try {
      var fresh = open();
      for (var c : fresh.list()) {
        try {
          fresh.delete(c.id(), true);
        } catch (RuntimeException e) {
          // Keep cleaning the others.
        }
      }
    } finally {
      dev.berth.runtime.Cgroups.removeTree("/" + cgroupParent);
      TempDirs.delete(dir);
    }
  }
}
