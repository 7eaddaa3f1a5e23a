package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.http.HttpClient;
import dev.berth.oci.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Engine API as the CLI calls it: every request under {@code /v<version>}, the version being
 * berth's own (1.50) or the daemon's if that is older, as docker negotiates it from {@code
 * /_ping}; error answers become {@link DaemonException}s.
 */
final class Engine implements AutoCloseable {
  static final String API_VERSION = "1.50";
  private static final int MAX_JSON_BYTES = 64 * 1024 * 1024;

  private final Endpoint endpoint;
  private final HttpClient http;
  private String version = API_VERSION;

  Engine(Endpoint endpoint) {
    this.endpoint = endpoint;
    this.http = endpoint.client();
  }

  Endpoint endpoint() {
    return endpoint;
  }

  String version() {
    return version;
  }

  /** Pings the daemon and settles the API version; throws what connecting threw. */
  void ping() throws IOException {
    try (var res = http.get("/_ping")) {
      res.bytes();
      if (res.status() != 200) {
        throw new DaemonException(res.status(), "ping answered " + res.status());
      }
      String theirs = res.header("API-Version");
      if (theirs != null && compare(theirs, API_VERSION) < 0) {
        version = theirs;
      }
    }
  }

  /** Whether connecting failed because nothing listens: no socket file, or connection refused. */
  static boolean notRunning(IOException e) {
    if (e instanceof ConnectException || e instanceof NoSuchFileException) {
      return true;
    }
    String m = e.getMessage();
    return e instanceof SocketException
        && m != null
        && (m.contains("No such file") || m.contains("Connection refused"));
  }

  /** Sends a request; answers of 400 and above throw with the daemon's message. */
  HttpClient.Response send(String method, String target, HttpClient.BodyWriter body, String contentType)
      throws IOException {
    var req = http.request(method, "/v" + version + target);
    if (body != null) {
      req.header("Content-Type", contentType).body(body);
    }
    HttpClient.Response res = req.send();
    if (res.status() >= 400) {
      throw error(res);
    }
    return res;
  }

  /** A POST asking to upgrade to a raw stream (attach, exec start); hijack the answer. */
  HttpClient.Response sendUpgrade(String target, byte[] body) throws IOException {
    var req = http.request("POST", "/v" + version + target).header("Connection", "Upgrade").header("Upgrade", "tcp");
    if (body != null) {
      req.header("Content-Type", "application/json").body(body);
    }
    HttpClient.Response res = req.send();
    if (res.status() >= 400) {
      throw error(res);
    }
    return res;
  }

  HttpClient.Response send(String method, String target) throws IOException {
    return send(method, target, null, null);
  }

  /** A body-less request with extra headers, e.g. X-Registry-Auth. */
  HttpClient.Response send(String method, String target, java.util.Map<String, String> headers) throws IOException {
    var req = http.request(method, "/v" + version + target);
    headers.forEach(req::header);
    HttpClient.Response res = req.send();
    if (res.status() >= 400) {
      throw error(res);
    }
    return res;
  }

  /** The bytes of a JSON answer. */
  byte[] bytes(String method, String target) throws IOException {
    return send(method, target).bytes();
  }

  JsonNode json(String method, String target) throws IOException {
    return Json.tree(bytes(method, target), "answer of " + method + " " + target, MAX_JSON_BYTES);
  }

  private static DaemonException error(HttpClient.Response res) throws IOException {
    byte[] body = res.bytes();
    String message = new String(body, StandardCharsets.UTF_8).strip();
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      if (node != null && node.hasNonNull("message")) {
        message = node.get("message").asText();
      }
    } catch (IOException notJson) {
      // a proxy or an older daemon: show the body as it is
    }
    if (message.isEmpty()) {
      message = "status " + res.status();
    }
    return new DaemonException(res.status(), message);
  }

  /** A path segment carrying an image name: slashes and colons kept, the rest percent-encoded. */
  static String name(String name) {
    var sb = new StringBuilder(name.length());
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~:/@+".indexOf(c) >= 0) {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return sb.toString();
  }

  static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? parse(x[i]) : 0;
      int q = i < y.length ? parse(y[i]) : 0;
      if (p != q) {
        return Integer.compare(p, q);
      }
    }
    return 0;
  }

  private static int parse(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    http.close();
  }

  /** A query string built in order; {@code toString()} is {@code ""} or {@code ?k=v&...}. */
  static final class Query {
    private final List<String> parts = new ArrayList<>();

    Query add(String key, String value) {
      parts.add(encode(key) + "=" + encode(value));
      return this;
    }

    Query addIf(boolean condition, String key, String value) {
      return condition ? add(key, value) : this;
    }

    Query addAll(String key, List<String> values) {
      values.forEach(v -> add(key, v));
      return this;
    }

    private static String encode(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return parts.isEmpty() ? "" : "?" + String.join("&", parts);
    }
  }
}
