package dev.berth.testing.tools;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;

/**
 * Where the external tools are. Tests that need one call {@link #requireTool}: a missing tool is a
 * failure with a fix, never a silent skip, so CI cannot pass while testing nothing.
 */
public final class Tools {
  private Tools() {}

  /** The fix every "not installed" message points to. */
  public static final String INSTALL_HINT = "run scripts/install-deps.sh";

  /** The executable named {@code name} on PATH, or in the sbin directories a non-login shell may lack. */
  public static Optional<Path> find(String name) {
    if (name.contains("/")) {
      var p = Path.of(name);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    var dirs = new LinkedHashSet<String>();
    var path = System.getenv("PATH");
    if (path != null) {
      for (var d : path.split(File.pathSeparator)) {
        if (!d.isEmpty()) {
          dirs.add(d);
        }
      }
    }
    for (var d : new String[] {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
      dirs.add(d);
    }
    for (var d : dirs) {
      var p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  public static boolean has(String name) {
    return find(name).isPresent();
  }

  /**
   * The tool's path; fails (an {@link AssertionError}, reported as a test failure) with "podman not
   * installed: run scripts/install-deps.sh" when it is missing.
   */
  public static Path requireTool(String name) {
    return find(name).orElseThrow(() -> new AssertionError(name + " not installed: " + INSTALL_HINT));
  }

  /** Fails like {@link #requireTool} unless this JVM runs as root (the peers need it for mounts). */
  public static void requireRoot(String why) {
    if (!isRoot()) {
      throw new AssertionError(why + " needs root; CI runs as root (run the tests with sudo locally)");
    }
  }

  public static boolean isRoot() {
    try {
      for (var line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0"); // effective uid
        }
      }
    } catch (IOException e) {
      // No procfs: fall through and assume not root.
    }
    return false;
  }
}
