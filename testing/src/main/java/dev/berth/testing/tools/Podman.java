package dev.berth.testing.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A podman with all its state in a temp dir of its own: storage (vfs), run root, tmp dir, file locks,
 * events, network configs, containers.conf, storage.conf, registries.conf and signature policy. It
 * never reads or writes the host's podman state, so tests can run beside each other and beside a
 * user's podman.
 *
 * <pre>{@code
 * try (var podman = Podman.start()) {
 *   podman.importRootfs(tar, "localhost/busybox:latest");
 *   podman.save("localhost/busybox:latest", "oci-archive", out);
 * }
 * }</pre>
 */
public final class Podman implements AutoCloseable {
  /** Subcommands that copy images and so read a signature policy; the flag is hidden but accepted. */
  private static final Set<String> POLICY_COMMANDS = Set.of("pull", "push", "load", "import", "save", "build", "run", "create");

  private final Path home;
  private final Path binary;
  private final Map<String, String> env;
  private final List<String> globals;
  private final Thread shutdownHook;
  private boolean closed;

  private Podman(Path home, Path binary) throws IOException {
    this.home = home;
    this.binary = binary;
    for (var d : List.of("root", "runroot", "tmp", "networks")) {
      Files.createDirectories(home.resolve(d));
    }
    // Settings from FACTS.md: runc (crun fails on this host's cgroup layout), cgroupfs (no systemd),
    // ulimits the kernel allows. File locks keep us off the host's shared /libpod_lock segment.
    Files.writeString(home.resolve("containers.conf"), """
        [containers]
        default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

        [engine]
        runtime = "runc"
        cgroup_manager = "cgroupfs"
        events_logger = "file"
        lock_type = "file"
        tmp_dir = "%1$s/tmp"

        [network]
        network_config_dir = "%1$s/networks"
        """.formatted(home));
    Files.writeString(home.resolve("storage.conf"), """
        [storage]
        driver = "vfs"
        graphroot = "%1$s/root"
        runroot = "%1$s/runroot"
        """.formatted(home));
    Files.writeString(home.resolve("registries.conf"), """
        unqualified-search-registries = []
        short-name-mode = "disabled"
        """);
    // Podman stats the auth file REGISTRY_AUTH_FILE names, so it must exist.
    Files.writeString(home.resolve("auth.json"), "{\"auths\": {}}\n");
    Files.writeString(home.resolve("policy.json"), """
        {"default": [{"type": "insecureAcceptAnything"}]}
        """);
    this.env = Map.of(
        "CONTAINERS_CONF", home.resolve("containers.conf").toString(),
        "CONTAINERS_STORAGE_CONF", home.resolve("storage.conf").toString(),
        "CONTAINERS_REGISTRIES_CONF", home.resolve("registries.conf").toString(),
        "REGISTRY_AUTH_FILE", home.resolve("auth.json").toString(),
        "TMPDIR", home.resolve("tmp").toString());
    this.globals = List.of(
        "--root", home.resolve("root").toString(),
        "--runroot", home.resolve("runroot").toString(),
        "--storage-driver", "vfs",
        "--tmpdir", home.resolve("tmp").toString(),
        "--cgroup-manager", "cgroupfs",
        "--events-backend", "file",
        "--network-config-dir", home.resolve("networks").toString());
    this.shutdownHook = new Thread(this::close, "podman-fixture-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** A fresh podman; fails with the install hint when podman or runc is missing. */
  public static Podman start() {
    var binary = Tools.requireTool("podman");
    Tools.requireTool("runc");
    var home = TempDirs.create("podman-");
    try {
      return new Podman(home, binary);
    } catch (IOException e) {
      TempDirs.delete(home);
      throw new UncheckedIOException("setting up podman in " + home, e);
    }
  }

  /** The temp dir holding all of this podman's state. */
  public Path home() {
    return home;
  }

  /** The podman command line for {@code args}, with this fixture's globals and environment. */
  public Command command(String... args) {
    var argv = new ArrayList<String>();
    argv.add(binary.toString());
    argv.addAll(globals);
    for (int i = 0; i < args.length; i++) {
      argv.add(args[i]);
      // After the subcommand ("load", or "image load"), point it at our policy.
      if (POLICY_COMMANDS.contains(args[i]) && (i == 0 || (i == 1 && args[0].equals("image")))) {
        argv.add("--signature-policy=" + home.resolve("policy.json"));
      }
    }
    return Command.of(argv).withEnv(env);
  }

  /** Runs podman; a failure is in the result (call {@code .checked()} to throw on it). */
  public ProcessResult run(String... args) {
    return command(args).run();
  }

  /** Imports a rootfs tar as a one-layer image (PATH and CMD as Docker Hub's busybox); returns its id. */
  public String importRootfs(Path tar, String name) {
    return run("import",
        "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "--change", "CMD [\"sh\"]",
        tar.toString(), name).checked().out().strip();
  }

  /** Writes image {@code name} to {@code out} as a "docker-archive" or an "oci-archive". */
  public void save(String name, String format, Path out) {
    if (!format.equals("docker-archive") && !format.equals("oci-archive")) {
      throw new IllegalArgumentException("format must be docker-archive or oci-archive, not " + format);
    }
    run("save", "--format", format, "-o", out.toString(), name).checked();
  }

  /** Loads an archive (docker-archive or oci-archive); returns the names podman reports loaded. */
  public List<String> load(Path archive) {
    var out = run("load", "-i", archive.toString()).checked().out();
    var names = new ArrayList<String>();
    for (var line : out.lines().toList()) {
      // "Loaded image: localhost/busybox:latest" or "Loaded image(s): a,b"
      int colon = line.indexOf(": ");
      if (line.startsWith("Loaded image") && colon > 0) {
        for (var n : line.substring(colon + 2).split(",")) {
          if (!n.isBlank()) {
            names.add(n.strip());
          }
        }
      }
    }
    return names;
  }

  /** {@code podman image inspect} of one image: a JSON array with one object. */
  public String inspect(String name) {
    return run("image", "inspect", name).checked().out();
  }

  /** The image's manifest digest, "sha256:…". */
  public String imageDigest(String name) {
    return run("image", "inspect", "--format", "{{.Digest}}", name).checked().out().strip();
  }

  /** The image's id (the config digest's hex). */
  public String imageId(String name) {
    return run("image", "inspect", "--format", "{{.Id}}", name).checked().out().strip();
  }

  /** Removes every container, stops whatever they left running, unmounts and deletes the temp dir. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: we are the hook.
    }
    try {
      command("rm", "--all", "--force", "--time", "0").withTimeout(java.time.Duration.ofSeconds(60)).run();
    } catch (CommandFailedException e) {
      // Best effort; the kill-and-unmount below does not depend on podman.
    }
    TempDirs.delete(home);
  }
}
