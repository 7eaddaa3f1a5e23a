package dev.berth.runtime.spec;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.ContainerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A container's spec from its image config and the run options, with Docker's semantics for every
 * field: {@link #processArgs}, {@link #mergeEnv}, user and groups from the rootfs's own passwd and
 * group files, {@code --network}, capabilities, seccomp, limits, mounts.
 *
 * <pre>{@code
 * Spec spec = ContainerSpecs.forContainer(image.configOrEmpty(), run, rootfs, "berth/" + id, HostLimits.ofThisProcess());
 * }</pre>
 */
public final class ContainerSpecs {
  private ContainerSpecs() {}

  /** Validates everything first (no side effects), then composes the spec. */
  public static Spec forContainer(ContainerConfig image, RunConfig run, Path rootfs, String cgroupsPath,
      HostLimits host) {
    var img = image == null ? ContainerConfig.EMPTY : image;
    var args = processArgs(img, run);
    var userSpec = run.user() != null && !run.user().isEmpty() ? run.user() : img.user();
    var user = UserResolver.resolve(rootfs, userSpec, run.groupAdd());
    var hostname = run.hostname() != null && !run.hostname().isEmpty() ? run.hostname()
        : img.hostname() != null && !img.hostname().isEmpty() ? img.hostname() : null;
    var env = mergeEnv(img.env(), run.env(), hostname, run.tty(), user.home());
    var cwd = run.workingDir() != null && !run.workingDir().isEmpty() ? run.workingDir()
        : img.workingDir() != null && !img.workingDir().isEmpty() ? img.workingDir() : "/";
    var caps = Capabilities.resolve(run.capAdd(), run.capDrop(), run.privileged());

    var options = new ArrayList<SpecOption>();
    options.add(SpecOptions.root(rootfs, run.readOnlyRootfs()));
    options.add(SpecOptions.args(args));
    options.add(SpecOptions.env(env));
    options.add(SpecOptions.cwd(cwd));
    options.add(SpecOptions.user(user.toSpec()));
    options.add(SpecOptions.terminal(run.tty()));
    if (hostname != null) {
      options.add(SpecOptions.hostname(hostname));
    }
    options.add(SpecOptions.network(run.network()));
    options.add(run.privileged() ? SpecOptions.privileged() : SpecOptions.capabilities(caps));
    options.add(SpecOptions.noNewPrivileges(run.noNewPrivileges()));
    options.add(SpecOptions.rlimits(host, run.ulimits()));
    options.add(SpecOptions.resources(run.limits()));
    options.add(SpecOptions.mounts(run.mounts()));
    if (cgroupsPath != null) {
      options.add(SpecOptions.cgroupsPath(cgroupsPath));
    }
    options.add(SpecOptions.annotations(run.annotations()));
    return Specs.compose(Specs.defaultSpec(), options);
  }

  /**
   * argv as Docker computes it (moby daemon/commit.go {@code merge} and create.go): without a run
   * entrypoint, an empty run Cmd takes the image's Cmd, and a missing (null) run entrypoint takes
   * the image's; then an entrypoint of {@code [""]} is cleared. argv = entrypoint + cmd.
   */
  public static List<String> processArgs(ContainerConfig image, RunConfig run) {
    List<String> entrypoint = run.entrypoint();
    List<String> cmd = run.cmd();
    if (entrypoint == null || entrypoint.isEmpty()) {
      if (cmd.isEmpty()) {
        cmd = image.cmd() == null ? List.of() : image.cmd();
      }
      if (entrypoint == null) {
        entrypoint = image.entrypoint() == null ? List.of() : image.entrypoint();
      }
    }
    if (entrypoint.size() == 1 && entrypoint.getFirst().isEmpty()) {
      entrypoint = List.of();
    }
    if (entrypoint.isEmpty() && cmd.isEmpty()) {
      throw new InvalidArgumentException("no command specified");
    }
    var args = new ArrayList<String>(entrypoint);
    args.addAll(cmd);
    return args;
  }

  /**
   * The process environment as Docker builds it: {@code PATH} default, {@code HOSTNAME},
   * {@code TERM=xterm} with a TTY; then the container env (the image's, with run-time values
   * replacing same-named ones and new ones appended) replaces or appends; a bare {@code NAME}
   * removes it; {@code HOME} from passwd when nothing set it.
   */
  public static List<String> mergeEnv(List<String> imageEnv, List<String> runEnv, String hostname, boolean tty,
      String home) {
    var container = new ArrayList<String>(runEnv);
    for (var e : imageEnv == null ? List.<String>of() : imageEnv) {
      var key = key(e);
      if (container.stream().noneMatch(u -> key(u).equals(key))) {
        container.add(e);
      }
    }
    var env = new LinkedHashMap<String, String>();
    env.put("PATH", "PATH=" + Specs.DEFAULT_PATH);
    env.put("HOSTNAME", "HOSTNAME=" + (hostname == null ? "" : hostname));
    if (tty) {
      env.put("TERM", "TERM=xterm");
    }
    for (var e : container) {
      var key = key(e);
      if (key.isEmpty()) {
        throw new InvalidArgumentException("invalid environment variable: \"" + e + "\"");
      }
      if (e.indexOf('=') < 0) {
        env.remove(key);
      } else {
        env.put(key, e);
      }
    }
    if (home != null) {
      env.putIfAbsent("HOME", "HOME=" + home);
    }
    return List.copyOf(env.values());
  }

  private static String key(String e) {
    int eq = e.indexOf('=');
    return eq < 0 ? e : e.substring(0, eq);
  }
}
