package dev.berth.testing.tools;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's reference registry ({@code docker-registry serve}, distribution 2.8) on a free loopback
 * port, with its storage, config and certificates in a temp dir of its own.
 *
 * <pre>{@code
 * try (var registry = DistributionRegistry.builder().basicAuth("alice", "secret").start()) {
 *   skopeo.copy("oci:" + dir, "docker://" + registry.host() + "/app:1", "--dest-creds=alice:secret");
 * }
 * }</pre>
 *
 * <p>Configurations: plain HTTP (the default), htpasswd Basic auth ({@code htpasswd -B}), TLS with a
 * CA made for the registry ({@link #certsDir()} is laid out as Docker's certs.d, client certificate
 * included when {@link Builder#clientCerts()} asks the registry to require one), and token auth:
 * an in-process token server signs JWTs (RS256, {@code x5c} chained to the registry's
 * {@code rootcertbundle}) for the one user it knows.
 */
public final class DistributionRegistry implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Path home;
  private final int port;
  private final boolean tls;
  private final Process process;
  private final HttpServer tokenServer;
  private final AtomicInteger tokenRequests;
  private final Thread shutdownHook;
  private boolean closed;

  private DistributionRegistry(Path home, int port, boolean tls, Process process, HttpServer tokenServer,
      AtomicInteger tokenRequests) {
    this.home = home;
    this.port = port;
    this.tls = tls;
    this.process = process;
    this.tokenServer = tokenServer;
    this.tokenRequests = tokenRequests;
    this.shutdownHook = new Thread(this::close, "registry-fixture-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A plain-HTTP registry without auth. */
  public static DistributionRegistry start() {
    return builder().start();
  }

  /** What the registry is to require. */
  public static final class Builder {
    private String basicUser;
    private String basicPassword;
    private String tokenUser;
    private String tokenPassword;
    private boolean tls;
    private boolean clientCerts;

    /** htpasswd Basic auth with one user (bcrypt, as the registry requires). */
    public Builder basicAuth(String user, String password) {
      this.basicUser = user;
      this.basicPassword = password;
      return this;
    }

    /** Bearer token auth; the token server grants every requested action to this user only. */
    public Builder tokenAuth(String user, String password) {
      this.tokenUser = user;
      this.tokenPassword = password;
      return this;
    }

    /** HTTPS with a certificate for 127.0.0.1 signed by a CA of its own. */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /** HTTPS that also requires a client certificate signed by the same CA. */
    public Builder clientCerts() {
      this.tls = true;
      this.clientCerts = true;
      return this;
    }

    public DistributionRegistry start() {
      var binary = Tools.requireTool("docker-registry");
      var home = TempDirs.create("registry-");
      HttpServer tokenServer = null;
      var tokenRequests = new AtomicInteger();
      try {
        Files.createDirectories(home.resolve("storage"));
        int port = freePort();
        var yaml = new StringBuilder("""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: %s
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:%d
              secret: berth-test-secret
            """.formatted(home.resolve("storage"), port));
        if (tls) {
          var certs = home.resolve("certs.d").resolve("127.0.0.1:" + port);
          Files.createDirectories(certs);
          makeCertificates(home, certs, clientCerts);
          yaml.append("""
                tls:
                  certificate: %s
                  key: %s
              """.formatted(home.resolve("server.crt"), home.resolve("server.key")));
          if (clientCerts) {
            yaml.append("""
                    clientcas:
                      - %s
                """.formatted(certs.resolve("ca.crt")));
          }
        }
        if (basicUser != null) {
          Command.of(Tools.requireTool("htpasswd").toString(), "-Bbc", home.resolve("htpasswd").toString(),
              basicUser, basicPassword).checked();
          yaml.append("""
              auth:
                htpasswd:
                  realm: berth-test
                  path: %s
              """.formatted(home.resolve("htpasswd")));
        } else if (tokenUser != null) {
          openssl(home, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "token.key", "-out", "token.crt",
              "-subj", "/CN=berth-test-token", "-days", "2");
          tokenServer = startTokenServer(home, tokenUser, tokenPassword, tokenRequests);
          yaml.append("""
              auth:
                token:
                  realm: http://127.0.0.1:%d/token
                  service: berth-test-registry
                  issuer: berth-test-issuer
                  rootcertbundle: %s
              """.formatted(tokenServer.getAddress().getPort(), home.resolve("token.crt")));
        }
        Files.writeString(home.resolve("config.yml"), yaml);
        var process = new ProcessBuilder(binary.toString(), "serve", home.resolve("config.yml").toString())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("registry.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        var registry = new DistributionRegistry(home, port, tls, process, tokenServer, tokenRequests);
        try {
          registry.awaitReady();
        } catch (RuntimeException e) {
          registry.close();
          throw e;
        }
        return registry;
      } catch (IOException | RuntimeException e) {
        if (tokenServer != null) {
          tokenServer.stop(0);
        }
        TempDirs.deleteTree(home);
        throw e instanceof IOException io ? new UncheckedIOException("starting docker-registry in " + home, io)
            : (RuntimeException) e;
      }
    }
  }

  /** {@code 127.0.0.1:port}, the registry part of references. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:port} or {@code https://…}. */
  public URI baseUri() {
    return URI.create((tls ? "https" : "http") + "://" + host());
  }

  /** The registry's storage root (filesystem driver). */
  public Path storage() {
    return home.resolve("storage");
  }

  /** A certs.d directory laid out as Docker's: {@code <dir>/127.0.0.1:port/ca.crt} (and client.cert/key). */
  public Path certsDir() {
    return home.resolve("certs.d");
  }

  /** The CA that signed the server (and client) certificates; only with TLS. */
  public Path caCert() {
    return certsDir().resolve(host()).resolve("ca.crt");
  }

  /** How many token requests the token server has answered (granted or not). */
  public int tokenRequests() {
    return tokenRequests.get();
  }

  /** The last lines of the registry's log, for failure messages. */
  public String logTail() {
    try {
      var lines = Files.readAllLines(home.resolve("registry.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no registry log: " + e.getMessage() + ")";
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited " + process.exitValue() + " while starting\n" + logTail());
      }
      try (var s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        // not listening yet
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for docker-registry", e);
      }
    }
    throw new IllegalStateException("docker-registry did not listen on " + host() + " within " + START_TIMEOUT + "\n" + logTail());
  }

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
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        ProcessRunner.kill(process);
      }
    } catch (InterruptedException e) {
      ProcessRunner.kill(process);
      Thread.currentThread().interrupt();
    }
    if (tokenServer != null) {
      tokenServer.stop(0);
    }
    TempDirs.deleteTree(home);
  }

  private static int freePort() throws IOException {
    try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void openssl(Path dir, String... args) {
    var argv = new ArrayList<String>(List.of(Tools.requireTool("openssl").toString()));
    argv.addAll(List.of(args));
    Command.of(argv).in(dir).checked();
  }

  /** A CA, a server certificate for 127.0.0.1/localhost and, if asked, a client certificate. */
  private static void makeCertificates(Path home, Path certs, boolean client) throws IOException {
    openssl(home, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
        "-subj", "/CN=berth-test-ca", "-days", "2");
    Files.writeString(home.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl(home, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1");
    openssl(home, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.crt", "-days", "2", "-extfile", "server.ext");
    Files.copy(home.resolve("ca.crt"), certs.resolve("ca.crt"));
    if (client) {
      Files.writeString(home.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
      openssl(home, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr",
          "-subj", "/CN=berth-test-client");
      openssl(home, "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
          "-out", "client.crt", "-days", "2", "-extfile", "client.ext");
      Files.copy(home.resolve("client.crt"), certs.resolve("client.cert"));
      Files.copy(home.resolve("client.key"), certs.resolve("client.key"));
    }
  }

  /**
   * The realm: {@code GET /token?service=…&scope=…} with Basic credentials answers a JWT granting
   * the requested actions to the known user; anyone else gets a token granting nothing, so the
   * registry refuses them as it would a real token service's anonymous user.
   */
  private static HttpServer startTokenServer(Path home, String user, String password, AtomicInteger requests)
      throws IOException {
    PrivateKey key;
    byte[] certDer;
    try {
      key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pemBody(home.resolve("token.key"))));
      certDer = pemBody(home.resolve("token.crt"));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("reading the token signing key: " + e.getMessage(), e);
    }
    var server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    server.createContext("/token", exchange -> {
      requests.incrementAndGet();
      try {
        boolean known = expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
        if (exchange.getRequestHeaders().containsKey("Authorization") && !known) {
          reply(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
          return;
        }
        var access = new StringBuilder();
        for (String scope : queryValues(exchange, "scope")) {
          String[] parts = scope.split(":");
          if (known && parts.length == 3) {
            String actions = String.join(",", java.util.Arrays.stream(parts[2].split(",")).map(a -> "\"" + a + "\"").toList());
            access.append(access.isEmpty() ? "" : ",")
                .append("{\"type\":\"%s\",\"name\":\"%s\",\"actions\":[%s]}".formatted(parts[0], parts[1], actions));
          }
        }
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5c\":[\"" + Base64.getEncoder().encodeToString(certDer) + "\"]}";
        String claims = "{\"iss\":\"berth-test-issuer\",\"sub\":\"%s\",\"aud\":\"%s\",\"exp\":%d,\"nbf\":%d,\"iat\":%d,\"jti\":\"%s\",\"access\":[%s]}"
            .formatted(known ? user : "", queryValues(exchange, "service").stream().findFirst().orElse(""),
                now + 300, now - 10, now, UUID.randomUUID(), access);
        var url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
            + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        var signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        String token = signingInput + "." + url.encodeToString(signature.sign());
        reply(exchange, 200, "{\"token\":\"" + token + "\",\"expires_in\":300}");
      } catch (java.security.GeneralSecurityException e) {
        reply(exchange, 500, "{\"error\":\"" + e.getMessage() + "\"}");
      }
    });
    server.start();
    return server;
  }

  private static List<String> queryValues(HttpExchange exchange, String name) {
    var out = new ArrayList<String>();
    String q = exchange.getRequestURI().getRawQuery();
    if (q == null) {
      return out;
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        // A scope may list several, space-separated.
        for (String v : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).split(" ")) {
          if (!v.isEmpty()) {
            out.add(v);
          }
        }
      }
    }
    return out;
  }

  private static void reply(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (var out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] pemBody(Path pem) throws IOException {
    String text = Files.readString(pem);
    String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }
}
