package dev.berth.distribution;

import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.NotFoundException;
import dev.berth.errors.UnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * HTTP to registries (through {@link Http}: berth's client for plain HTTP, the JDK's for TLS, both
 * keeping connections): picks the scheme per host, answers auth challenges, retries transient
 * failures with backoff. What is per host (scheme, connections) lives in {@link Hosts}, which
 * transports with other credentials may share.
 */
final class Transport {
  /** Where requests for a registry go: a mirror or the registry itself. */
  record Endpoint(String registry, URI base, boolean mirror) {
    String host() {
      return base.getRawAuthority();
    }

    URI resolve(String pathAndQuery) {
      return URI.create(base.toString().replaceAll("/+$", "") + pathAndQuery);
    }
  }

  /**
   * What is known per registry host, whatever the credentials: its scheme (found once) and its
   * connections. One per process is enough; the daemon shares it between requests.
   */
  static final class Hosts implements AutoCloseable {
    private final RegistryConfig config;
    private final Map<String, URI> bases = new ConcurrentHashMap<>();
    private final Http.Clients clients;

    Hosts(RegistryConfig config) {
      this.config = config;
      this.clients = new Http.Clients(this::tlsContext);
    }

    RegistryConfig config() {
      return config;
    }

    private SSLContext tlsContext(String host) {
      SSLContext ctx = TlsContexts.forHost(config.certsDir(), host);
      if (ctx == null && config.isInsecure(host)) {
        ctx = TlsContexts.trustingAll();
      }
      return ctx;
    }

    /**
     * https, unless the registry is insecure (configured so, or loopback) and does not speak TLS; a
     * certs.d entry for the host means verified TLS only.
     */
    URI baseOf(String registry) {
      String host = RegistryConfig.apiHost(registry);
      URI known = bases.get(host);
      if (known != null) {
        return known;
      }
      URI https = URI.create("https://" + host);
      boolean certsD = config.certsDir() != null && java.nio.file.Files.isDirectory(config.certsDir().resolve(host));
      if (certsD || !config.isInsecure(host)) {
        bases.put(host, https);
        return https;
      }
      try {
        clients.jdk(host).send(java.net.http.HttpRequest.newBuilder(https.resolve("/v2/")).timeout(Duration.ofSeconds(10))
            .GET().build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        bases.put(host, https);
        return https;
      } catch (ConnectException e) {
        return https; // nothing listens (yet): the request proper reports it; ask again next time
      } catch (IOException e) {
        URI http = URI.create("http://" + host); // not TLS: plain HTTP, as Docker allows for insecure registries
        bases.put(host, http);
        return http;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return https;
      }
    }

    @Override
    public void close() {
      clients.close();
    }
  }

  private static final int ATTEMPTS = 4;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  private final Hosts hosts;
  private final Authenticator auth;

  Transport(Hosts hosts, CredentialStore credentials) {
    this.hosts = hosts;
    this.auth = new Authenticator(credentials);
  }

  Authenticator auth() {
    return auth;
  }

  Hosts hosts() {
    return hosts;
  }

  /** Mirrors first, then the registry itself. */
  List<Endpoint> pullEndpoints(String registry) {
    var out = new ArrayList<Endpoint>();
    for (URI m : hosts.config().mirrorsOf(registry)) {
      out.add(new Endpoint(registry, m, true));
    }
    out.add(registryEndpoint(registry));
    return out;
  }

  Endpoint registryEndpoint(String registry) {
    return new Endpoint(registry, hosts.baseOf(registry), false);
  }

  /**
   * Sends a request, answering a 401 once with credentials or a token for {@code scope}, retrying
   * connection failures, 429 and 5xx with backoff (not on mirrors: the next endpoint is the retry).
   * Redirects are followed without the Authorization header. The caller closes the body.
   *
   * @param action what is being done, for messages: "pulling manifest of 127.0.0.1:5000/app:1"
   * @param request a fresh request per attempt (bodies must be re-creatable)
   */
  Http.Response send(Endpoint ep, String scope, String action, Supplier<Http.Request> request) {
    return send(ep, scope, action, request, !ep.mirror());
  }

  /** As {@link #send(Endpoint, String, String, Supplier)}; without {@code retry}, a failure is thrown at once. */
  Http.Response send(Endpoint ep, String scope, String action, Supplier<Http.Request> request, boolean retry) {
    int attempts = retry ? ATTEMPTS : 1;
    boolean answered = false;
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      Http.Request r = request.get();
      String authorization = auth.header(ep.registry(), ep.host(), scope);
      if (authorization != null) {
        r.header("Authorization", authorization);
      }
      r.header("User-Agent", "berth/0.1");
      Http.Response res;
      try {
        res = followRedirects(hosts.clients.send(r), r);
      } catch (IOException e) {
        if (attempt < attempts) {
          sleep(backoff);
          backoff = backoff.multipliedBy(2);
          continue;
        }
        throw new UnavailableException(action + ": " + ep.base() + " is unreachable: " + describe(e), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UnavailableException(action + ": interrupted", e);
      }
      int status = res.statusCode();
      if (status == 401) {
        String body = readError(res);
        Challenge c = Challenge.parse(res.header("WWW-Authenticate").orElse(null));
        if (!answered && auth.answer(hosts.clients.jdk(ep.host()), ep.registry(), ep.host(), scope, c)) {
          answered = true;
          attempt--;
          continue;
        }
        throw new FailedPreconditionException(action + ": 401 unauthorized (credentials: "
            + auth.credentialFor(ep.registry()).describe() + "); " + ep.host() + " answered: " + body);
      }
      if ((status == 429 || status >= 500) && attempt < attempts) {
        readError(res);
        sleep(backoff);
        backoff = backoff.multipliedBy(2);
        continue;
      }
      return res;
    }
  }

  private Http.Response followRedirects(Http.Response res, Http.Request original) throws IOException, InterruptedException {
    for (int hops = 0; hops < 5 && isRedirect(res.statusCode()); hops++) {
      String location = res.header("Location").orElse(null);
      if (location == null) {
        return res;
      }
      res.body().close();
      var next = Http.Request.get(res.uri().resolve(location));
      original.header("Range").ifPresent(range -> next.header("Range", range));
      res = hosts.clients.send(next);
    }
    return res;
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** Throws the error the registry answered for a non-2xx status, in berth's vocabulary. */
  static RuntimeException failure(String action, Endpoint ep, Http.Response res) {
    String body = readError(res);
    int status = res.statusCode();
    String message = action + ": " + ep.host() + " answered " + status + " " + body;
    return switch (status) {
      case 404 -> new NotFoundException(message);
      case 401, 403 -> new FailedPreconditionException(message);
      case 400, 405, 409, 413, 416 -> new dev.berth.errors.InvalidArgumentException(message);
      default -> new UnavailableException(message);
    };
  }

  /** The registry's error text: the distribution-spec error messages when the body is JSON, else the body. */
  static String readError(Http.Response res) {
    try (InputStream in = res.body()) {
      return errorText(in.readNBytes(64 * 1024));
    } catch (IOException e) {
      return "(unreadable body: " + e.getMessage() + ")";
    }
  }

  static String errorText(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    try {
      var node = dev.berth.oci.Json.MAPPER.readTree(body);
      if (node != null && node.path("errors").isArray() && !node.path("errors").isEmpty()) {
        var parts = new ArrayList<String>();
        for (var e : node.get("errors")) {
          parts.add(e.path("code").asText("") + ": " + e.path("message").asText(""));
        }
        return String.join("; ", parts);
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: the text as is
    }
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting to retry", e);
    }
  }
}
