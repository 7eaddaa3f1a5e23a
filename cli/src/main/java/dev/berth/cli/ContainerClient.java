package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.http.HttpClient;
import dev.berth.http.RawConnection;
import dev.berth.oci.Json;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The container calls the CLI makes beyond plain JSON: create with docker's messages, hijacked
 * attach and exec streams (demultiplexed onto stdout and stderr), wait, and the exit status docker
 * derives from a failed start.
 */
final class ContainerClient {
  private ContainerClient() {}

  static String create(Engine engine, ContainerFlags flags, String image, java.util.List<String> command, boolean attach)
      throws IOException {
    var body = Json.write(flags.body(image, command, attach));
    var q = new Engine.Query().addIf(flags.name != null, "name", flags.name == null ? "" : flags.name);
    try (var res = engine.send("POST", "/containers/create" + q, out -> out.write(body), "application/json")) {
      return Json.tree(res.bytes(), "create answer", 1 << 20).get("Id").asText();
    } catch (DaemonException e) {
      if (e.status() == 404 && e.getMessage().contains("No such image")) {
        throw new CliException(125, "Unable to find image '" + image + "' locally\n" + e.getMessage());
      }
      throw new CliException(125, e.getMessage());
    }
  }

  /** Docker's exit status for a start that failed: 127 command not found, 126 not executable, else 125. */
  static int startFailureStatus(String message) {
    if (message.contains("executable file not found") || message.contains("no such file or directory")) {
      return 127;
    }
    if (message.contains("permission denied")) {
      return 126;
    }
    return 125;
  }

  /** Opens a hijacked connection: attach or exec start. */
  static RawConnection hijack(Engine engine, String target, byte[] body) throws IOException {
    var res = engine.sendUpgrade(target, body);
    return res.hijack();
  }

  /**
   * Relays a hijacked stream to {@code out} and {@code err}: raw with a TTY, else Docker's frames.
   * Returns at the end of the stream.
   */
  static void relay(InputStream in, boolean tty, OutputStream out, OutputStream err) throws IOException {
    if (tty) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        out.flush();
      }
      return;
    }
    byte[] head = new byte[8];
    while (true) {
      if (!readFully(in, head)) {
        return;
      }
      int len = ((head[4] & 0xff) << 24) | ((head[5] & 0xff) << 16) | ((head[6] & 0xff) << 8) | (head[7] & 0xff);
      byte[] payload = in.readNBytes(len);
      if (payload.length < len) {
        throw new EOFException("stream ended inside a frame");
      }
      OutputStream to = head[0] == 2 ? err : out;
      to.write(payload);
      to.flush();
    }
  }

  private static boolean readFully(InputStream in, byte[] b) throws IOException {
    int off = 0;
    while (off < b.length) {
      int n = in.read(b, off, b.length - off);
      if (n < 0) {
        if (off == 0) {
          return false;
        }
        throw new EOFException("stream ended inside a frame header");
      }
      off += n;
    }
    return true;
  }

  /** Copies the client's stdin to the container, half-closing at its end. */
  static Thread pumpStdin(InputStream stdin, RawConnection conn) {
    return Thread.ofVirtual().start(() -> {
      byte[] buf = new byte[8192];
      try {
        OutputStream to = conn.output();
        for (int n; (n = stdin.read(buf)) > 0; ) {
          to.write(buf, 0, n);
          to.flush();
        }
        conn.closeOutput();
      } catch (IOException ignored) {
        // the container or the connection went away
      }
    });
  }

  /** {@code POST /containers/{id}/wait}: the exit status, once the condition holds. */
  static HttpClient.Response startWait(Engine engine, String id, String condition) throws IOException {
    return engine.send("POST", "/containers/" + id + "/wait?condition=" + condition);
  }

  static int waitResult(HttpClient.Response res) throws IOException {
    try (res) {
      JsonNode n = Json.tree(res.bytes(), "wait answer", 1 << 20);
      if (n.hasNonNull("Error") && n.get("Error").hasNonNull("Message") && !n.get("Error").get("Message").asText().isEmpty()) {
        // A start that failed: its message was already shown.
        return n.get("StatusCode").asInt();
      }
      return n.get("StatusCode").asInt();
    }
  }

  /** Puts the local terminal in raw mode while {@code action} runs, as docker does for {@code -t}. */
  static <T> T withRawTerminal(boolean raw, IoSupplier<T> action) throws IOException {
    if (!raw) {
      return action.get();
    }
    String saved = stty("-g").strip();
    stty("raw", "-echo");
    try {
      return action.get();
    } finally {
      stty(saved);
    }
  }

  @FunctionalInterface
  interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static String stty(String... args) throws IOException {
    var argv = new java.util.ArrayList<String>();
    argv.add("stty");
    argv.addAll(java.util.List.of(args));
    Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/tty")))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }
}
