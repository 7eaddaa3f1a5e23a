package dev.berth.testing.tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * umoci, the OCI image layout tool: an independent reader of the layouts berth writes. Stateless;
 * {@code unpack} needs root (it creates device nodes and chowns), else pass {@code --rootless}
 * through {@link #run}.
 */
public final class Umoci {
  private final Path binary;

  private Umoci(Path binary) {
    this.binary = binary;
  }

  public static Umoci create() {
    return new Umoci(Tools.requireTool("umoci"));
  }

  public Command command(String... args) {
    var argv = new ArrayList<String>(List.of(binary.toString()));
    argv.addAll(List.of(args));
    return Command.of(argv);
  }

  public ProcessResult run(String... args) {
    return command(args).run();
  }

  /** The tags in an OCI layout (from index.json's org.opencontainers.image.ref.name annotations). */
  public List<String> ls(Path layout) {
    return run("ls", "--layout", layout.toString()).checked().out().lines()
        .map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** {@code umoci stat --json}: the image's history as umoci reads it from manifest and config. */
  public String stat(Path layout, String tag) {
    return run("stat", "--json", "--image", layout + ":" + tag).checked().out();
  }

  /** Unpacks {@code layout:tag} into a new runtime bundle directory (rootfs/ and config.json). */
  public void unpack(Path layout, String tag, Path bundle) {
    var args = new ArrayList<String>(List.of("unpack"));
    if (!Tools.isRoot()) {
      args.add("--rootless");
    }
    args.addAll(List.of("--image", layout + ":" + tag, bundle.toString()));
    run(args.toArray(String[]::new)).checked();
  }

  /** Creates an empty OCI layout at {@code layout}. */
  public void init(Path layout) {
    run("init", "--layout", layout.toString()).checked();
  }
}
