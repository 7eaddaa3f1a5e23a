package dev.berth.testing.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * skopeo with a signature policy, registries.conf and tmp dir of its own, so it never depends on
 * the host's /etc/containers. Plain-HTTP registries work: {@code docker://} references get
 * {@code --*-tls-verify=false}, since test registries listen on loopback without TLS.
 *
 * <pre>{@code
 * try (var skopeo = Skopeo.create()) {
 *   skopeo.copy("oci-archive:" + tar, "docker://127.0.0.1:5000/busybox:latest");
 *   String manifest = skopeo.inspectRaw("docker://127.0.0.1:5000/busybox:latest");
 * }
 * }</pre>
 */
public final class Skopeo implements AutoCloseable {
  private final Path home;
  private final Path binary;

  private Skopeo(Path home, Path binary) {
    this.home = home;
    this.binary = binary;
  }

  public static Skopeo create() {
    var binary = Tools.requireTool("skopeo");
    var home = TempDirs.create("skopeo-");
    try {
      Files.createDirectories(home.resolve("tmp"));
      // Podman stats the auth file REGISTRY_AUTH_FILE names, so it must exist.
      Files.writeString(home.resolve("auth.json"), "{\"auths\": {}}\n");
      Files.writeString(home.resolve("policy.json"), """
          {"default": [{"type": "insecureAcceptAnything"}]}
          """);
      Files.writeString(home.resolve("registries.conf"), "unqualified-search-registries = []\n");
    } catch (IOException e) {
      TempDirs.deleteTree(home);
      throw new UncheckedIOException("setting up skopeo in " + home, e);
    }
    return new Skopeo(home, binary);
  }

  public Command command(String... args) {
    var argv = new ArrayList<String>(List.of(binary.toString(),
        "--policy", home.resolve("policy.json").toString(),
        "--registries-conf", home.resolve("registries.conf").toString(),
        "--tmpdir", home.resolve("tmp").toString()));
    argv.addAll(List.of(args));
    return Command.of(argv).withEnv("REGISTRY_AUTH_FILE", home.resolve("auth.json").toString());
  }

  public ProcessResult run(String... args) {
    return command(args).run();
  }

  /** Copies an image between transports, e.g. "oci:DIR:tag" to "docker://127.0.0.1:5000/x:tag". */
  public void copy(String src, String dst, String... options) {
    var args = new ArrayList<String>(List.of("copy"));
    if (src.startsWith("docker://")) {
      args.add("--src-tls-verify=false");
    }
    if (dst.startsWith("docker://")) {
      args.add("--dest-tls-verify=false");
    }
    args.addAll(List.of(options));
    args.add(src);
    args.add(dst);
    run(args.toArray(String[]::new)).checked();
  }

  /** skopeo's summary JSON of {@code ref} (Digest, RepoTags, Layers, …). */
  public String inspect(String ref) {
    return inspectWith(ref);
  }

  /** The manifest (or index) exactly as the source holds it. */
  public String inspectRaw(String ref) {
    return inspectWith(ref, "--raw");
  }

  /** The image config blob. */
  public String inspectConfig(String ref) {
    return inspectWith(ref, "--config", "--raw");
  }

  private String inspectWith(String ref, String... options) {
    var args = new ArrayList<String>(List.of("inspect"));
    if (ref.startsWith("docker://")) {
      args.add("--tls-verify=false");
    }
    args.addAll(List.of(options));
    args.add(ref);
    return run(args.toArray(String[]::new)).checked().out();
  }

  @Override
  public void close() {
    TempDirs.deleteTree(home);
  }
}
