package dev.berth.runtime;

import dev.berth.runtime.spec.Spec;
import dev.berth.runtime.spec.SpecOptions;
import dev.berth.runtime.spec.Specs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds out which runtimes work on this host by running {@code /bin/true} in a tiny bundle whose
 * rootfs borrows the host's {@code /usr}, {@code /bin} and libraries read-only, and times it. A
 * runtime that fails says why in its own words (e.g. crun 1.8 on a hybrid cgroup layout: "cgroups
 * in hybrid mode not supported, drop all controllers from cgroupv2").
 */
public final class RuntimeProbe {
  private RuntimeProbe() {}

  /** How one runtime fared: works or not, why not, and its best time for a {@code run} of /bin/true. */
  public record Outcome(String name, Optional<Path> binary, boolean works, String reason, Optional<Duration> runTime) {
    public static Outcome missing(String name) {
      return new Outcome(name, Optional.empty(), false, name + " is not installed", Optional.empty());
    }
  }

  /** Probes {@code runtime} under {@code scratch} (a directory it may use and empties again); {@code runs} timed runs. */
  public static Outcome probe(OciRuntime candidate, Path scratch, String cgroupParent, int runs) {
    var runtime = candidate.forNetwork("none");
    var bundle = scratch.resolve("probe-" + runtime.name());
    try {
      Files.createDirectories(bundle.resolve("rootfs"));
      var mounts = new ArrayList<Spec.Mount>();
      mounts.add(new Spec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
      for (var dir : List.of("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32")) {
        if (Files.isDirectory(Path.of(dir))) {
          mounts.add(new Spec.Mount(dir, "bind", dir, List.of("rbind", "ro", "rprivate")));
        }
      }
      Duration best = null;
      for (int i = 0; i < runs; i++) {
        var id = "berth-probe-" + runtime.name() + "-" + ProcessHandle.current().pid() + "-" + i;
        var spec = Specs.compose(Specs.defaultSpec(),
            SpecOptions.root(bundle.resolve("rootfs"), false),
            SpecOptions.args(List.of("/bin/true")),
            SpecOptions.cgroupsPath("/" + cgroupParent + "/" + id),
            s -> s.withMounts(mounts));
        Files.write(bundle.resolve("config.json"), spec.toJson());
        long t0 = System.nanoTime();
        var r = runtime.exec(new OciRuntime.Run(id, bundle));
        var took = Duration.ofNanos(System.nanoTime() - t0);
        runtime.exec(new OciRuntime.Delete(id, true));
        if (!r.ok()) {
          return new Outcome(runtime.name(), Optional.of(runtime.binary()), false,
              runtime.name() + " cannot run a container here: " + r.message(), Optional.empty());
        }
        best = best == null || took.compareTo(best) < 0 ? took : best;
      }
      return new Outcome(runtime.name(), Optional.of(runtime.binary()), true, "runs /bin/true in " + best.toMillis()
          + " ms", Optional.ofNullable(best));
    } catch (IOException e) {
      throw new UncheckedIOException("probing " + runtime.name() + " in " + bundle, e);
    } finally {
      deleteQuietly(bundle);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Nothing was created.
    }
  }
}
