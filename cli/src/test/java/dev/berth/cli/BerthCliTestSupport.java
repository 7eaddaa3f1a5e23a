package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the CLI in-process with captured streams, a daemon address and an environment of the test's choosing. */
final class BerthCliTestSupport {
  private BerthCliTestSupport() {}

  /** What one command line did: its exit status and what it printed. */
  record Result(int code, String out, String err) {}

  /** {@code berth -H host args…} with {@code in} as stdin; {@code terminal}: stdin and stdout look like a TTY. */
  static Result run(String host, Map<String, String> env, InputStream in, boolean terminal, String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var streams = new Streams(in, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), terminal, terminal);
    String[] all = new String[args.length + 2];
    all[0] = "-H";
    all[1] = host;
    System.arraycopy(args, 0, all, 2, args.length);
    int code = BerthCli.run(streams, env, all);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Result runWithHost(String host, Map<String, String> env, String... args) {
    return run(host, env, InputStream.nullInputStream(), false, args);
  }

  /**
   * A new directory directly under /tmp with a short random name: conmon's attach socket path
   * under a daemon root there must fit a unix socket address.
   */
  static java.nio.file.Path shortTempDir(String prefix) throws java.io.IOException {
    return java.nio.file.Files.createDirectory(java.nio.file.Path.of("/tmp", prefix + Long.toString(
        java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 24, 36)));
  }

  /** The busybox image ({@code CMD ["sh"]}, Docker Hub's PATH), imported through the CLI into the daemon at {@code host}. */
  static void importBusybox(String host, java.nio.file.Path dir) {
    java.nio.file.Path tar = dir.resolve("busybox.tar");
    dev.berth.testing.rootfs.BusyboxRootfs.create(dir.resolve("rootfs")).writeTar(tar);
    String[] args = {"import", "--change", "CMD [\"sh\"]", "--change", "ENV PATH=" + dev.berth.testing.rootfs.BusyboxRootfs.PATH,
        tar.toString(), "busybox:latest"};
    succeeded(runWithHost(host, Map.of("BERTH_AUTOSTART", "0"), args), args);
  }

  /** {@code r}, after asserting that the command line {@code args} succeeded. */
  static Result succeeded(Result r, String... args) {
    assertEquals(0, r.code(), () -> String.join(" ", args) + " failed: " + r.err() + r.out());
    return r;
  }
}
