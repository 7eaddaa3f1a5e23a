package dev.berth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A tiny HTTP client for the tests: the JDK's, one request at a time, no redirects. */
final class Http {
  private final HttpClient client;
  private final String base;
  private String authorization;

  Http(String base) {
    this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
  }

  Http(String base, HttpClient client) {
    this.base = base;
    this.client = client;
  }

  Http withAuthorization(String value) {
    var h = new Http(base, client);
    h.authorization = value;
    return h;
  }

  record Response(int status, java.net.http.HttpHeaders headers, byte[] body) {
    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      return Json.tree(body, "response", 1 << 24);
    }

    /** The first error code of a spec error body. */
    String errorCode() {
      return json().path("errors").path(0).path("code").asText(null);
    }

    String location() {
      String l = header("Location");
      if (l == null) {
        return null;
      }
      URI u = URI.create(l);
      return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }
  }

  Response send(String method, String path, byte[] body, String... headers) {
    var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Response get(String path, String... headers) {
    return send("GET", path, null, headers);
  }

  Response head(String path, String... headers) {
    return send("HEAD", path, null, headers);
  }

  Response delete(String path) {
    return send("DELETE", path, null);
  }
}
