package dev.berth.registry;

import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The registry's configuration, read from YAML. Every key is optional except {@code storage.root}:
 *
 * <pre>{@code
 * listen: 127.0.0.1:5000
 * storage:
 *   root: /var/lib/berth-registry
 *   delete: true            # DELETE of manifests, tags and blobs (else 405 UNSUPPORTED)
 * uploads:
 *   expiry: 24h             # an upload session untouched this long is removed
 * gc:
 *   interval: 1h            # online garbage collection; 0 turns it off
 *   grace: 10m              # blobs written or touched more recently are never collected
 * tls:
 *   certificate: /etc/berth/registry.crt   # PEM chain
 *   key: /etc/berth/registry.key           # PEM PKCS#8 (or PKCS#1 RSA / SEC1 EC) key
 * auth:
 *   htpasswd: /etc/berth/htpasswd          # bcrypt entries, as htpasswd -B writes them
 *   token:                                 # with token: the Bearer flow, realm /auth/token
 *     service: berth-registry
 *     issuer: berth-registry
 *     expiry: 5m
 *   anonymous: [pull]                      # what clients without credentials may do
 *   access:                                # first rule matching account and repository wins
 *     - account: alice
 *       repository: "team/*"
 *       actions: [pull, push, delete]
 *     - account: "*"
 *       repository: "*"
 *       actions: [pull]
 * log:
 *   access: "-"             # access log: a file, "-" for stderr, absent for none
 * }</pre>
 */
public record RegistryConfig(
    InetSocketAddress listen,
    Path root,
    boolean deleteEnabled,
    Duration uploadExpiry,
    Duration gcInterval,
    Duration gcGrace,
    Tls tls,
    Auth auth,
    String accessLog,
    Duration shutdownGrace) {

  public record Tls(Path certificate, Path key) {}

  /** One access rule: an account ({@code *} any authenticated one), a repository glob, actions. */
  public record AccessRule(String account, String repository, Set<String> actions) {
    boolean matches(String who, String repo) {
      return (account.equals("*") || account.equals(who)) && glob(repository, repo);
    }

    private static boolean glob(String pattern, String name) {
      if (pattern.equals("*")) {
        return true;
      }
      if (pattern.endsWith("/*")) {
        return name.startsWith(pattern.substring(0, pattern.length() - 1));
      }
      if (pattern.endsWith("*")) {
        return name.startsWith(pattern.substring(0, pattern.length() - 1));
      }
      return pattern.equals(name);
    }
  }

  /** The built-in token issuer; its ES256 key is made at start (tokens live minutes). */
  public record Token(String service, String issuer, Duration expiry) {}

  /**
   * @param htpasswd bcrypt users, or null for no authentication at all
   * @param token the token issuer's settings, or null for Basic authentication
   * @param anonymous actions any client may do without credentials
   * @param access rules; empty means every authenticated account may do everything
   */
  public record Auth(Path htpasswd, Token token, Set<String> anonymous, List<AccessRule> access) {}

  public static final Set<String> ACTIONS = Set.of("pull", "push", "delete");

  /** A config for tests and embedding: open, delete on, GC off. */
  public static RegistryConfig local(Path root) {
    return new RegistryConfig(
        new InetSocketAddress("127.0.0.1", 0), root, true, Duration.ofHours(24), Duration.ZERO,
        Duration.ofMinutes(10), null, null, null, Duration.ofSeconds(5));
  }

  public RegistryConfig withAuth(Auth a) {
    return new RegistryConfig(listen, root, deleteEnabled, uploadExpiry, gcInterval, gcGrace, tls, a, accessLog, shutdownGrace);
  }

  public RegistryConfig withTls(Tls t) {
    return new RegistryConfig(listen, root, deleteEnabled, uploadExpiry, gcInterval, gcGrace, t, auth, accessLog, shutdownGrace);
  }

  public RegistryConfig withDelete(boolean enabled) {
    return new RegistryConfig(listen, root, enabled, uploadExpiry, gcInterval, gcGrace, tls, auth, accessLog, shutdownGrace);
  }

  public RegistryConfig withGc(Duration interval, Duration grace) {
    return new RegistryConfig(listen, root, deleteEnabled, uploadExpiry, interval, grace, tls, auth, accessLog, shutdownGrace);
  }

  public RegistryConfig withUploadExpiry(Duration expiry) {
    return new RegistryConfig(listen, root, deleteEnabled, expiry, gcInterval, gcGrace, tls, auth, accessLog, shutdownGrace);
  }

  public RegistryConfig withListen(InetSocketAddress address) {
    return new RegistryConfig(address, root, deleteEnabled, uploadExpiry, gcInterval, gcGrace, tls, auth, accessLog, shutdownGrace);
  }

  public RegistryConfig withAccessLog(String log) {
    return new RegistryConfig(listen, root, deleteEnabled, uploadExpiry, gcInterval, gcGrace, tls, auth, log, shutdownGrace);
  }

  /** Reads a config file; relative paths in it are resolved against the file's directory. */
  public static RegistryConfig read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InvalidArgumentException("registry config " + file + " does not exist");
    } catch (IOException e) {
      throw new UncheckedIOException("reading registry config " + file + ": " + e.getMessage(), e);
    }
    Path base = file.toAbsolutePath().getParent();
    try {
      return parse(text, base);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException("registry config " + file + ": " + e.getMessage(), e);
    }
  }

  public static RegistryConfig parse(String yaml, Path base) {
    Object loaded;
    try {
      loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (RuntimeException e) {
      throw new InvalidArgumentException("malformed YAML: " + e.getMessage(), e);
    }
    var top = new Section("", loaded == null ? Map.of() : loaded);
    top.allow("listen", "storage", "uploads", "gc", "tls", "auth", "log", "shutdown");
    var storage = top.section("storage");
    storage.allow("root", "delete");
    String root = storage.string("root", null);
    if (root == null) {
      throw new InvalidArgumentException("storage.root is required");
    }
    var uploads = top.section("uploads");
    uploads.allow("expiry");
    var gc = top.section("gc");
    gc.allow("interval", "grace");
    var shutdown = top.section("shutdown");
    shutdown.allow("grace");
    Tls tls = null;
    if (top.has("tls")) {
      var t = top.section("tls");
      t.allow("certificate", "key");
      tls = new Tls(base.resolve(t.required("certificate")), base.resolve(t.required("key")));
    }
    Auth auth = null;
    if (top.has("auth")) {
      var a = top.section("auth");
      a.allow("htpasswd", "token", "anonymous", "access");
      Token token = null;
      if (a.has("token")) {
        var t = a.section("token");
        t.allow("service", "issuer", "expiry");
        token = new Token(t.string("service", "berth-registry"), t.string("issuer", "berth-registry"),
            t.duration("expiry", Duration.ofMinutes(5)));
      }
      var rules = new ArrayList<AccessRule>();
      int i = 0;
      for (Object o : a.list("access")) {
        var r = new Section("auth.access[" + i++ + "]", o);
        r.allow("account", "repository", "actions");
        rules.add(new AccessRule(r.required("account"), r.string("repository", "*"), actions(r.list("actions"), r.path + ".actions")));
      }
      auth = new Auth(base.resolve(a.required("htpasswd")), token, actions(a.list("anonymous"), "auth.anonymous"), List.copyOf(rules));
    }
    var log = top.section("log");
    log.allow("access");
    return new RegistryConfig(
        address(top.string("listen", "127.0.0.1:5000")),
        base.resolve(root),
        storage.bool("delete", true),
        uploads.duration("expiry", Duration.ofHours(24)),
        gc.duration("interval", Duration.ofHours(1)),
        gc.duration("grace", Duration.ofMinutes(10)),
        tls,
        auth,
        accessLogTarget(log.string("access", null), base),
        shutdown.duration("grace", Duration.ofSeconds(10)));
  }

  private static String accessLogTarget(String target, Path base) {
    return target == null || target.equals("-") || target.isEmpty() ? target : base.resolve(target).toString();
  }

  private static Set<String> actions(List<Object> list, String where) {
    var out = new java.util.TreeSet<String>();
    for (Object o : list) {
      String a = String.valueOf(o);
      if (a.equals("*")) {
        out.addAll(ACTIONS);
      } else if (!ACTIONS.contains(a)) {
        throw new InvalidArgumentException(where + ": unknown action \"" + a + "\" (want pull, push, delete or *)");
      } else {
        out.add(a);
      }
    }
    return Set.copyOf(out);
  }

  static InetSocketAddress address(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new InvalidArgumentException("listen: want HOST:PORT, got \"" + text + "\"");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("listen: invalid port in \"" + text + "\"");
    }
  }

  /** {@code 90s}, {@code 10m}, {@code 24h}, {@code 500ms}, {@code 0}, or a bare number of seconds. */
  static Duration duration(String text, String where) {
    String t = text.strip();
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long n = Long.parseLong(t.substring(0, t.length() - (Character.isDigit(t.charAt(t.length() - 1)) ? 0 : 1)));
      return switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> {
          if (!Character.isDigit(t.charAt(t.length() - 1))) {
            throw new NumberFormatException();
          }
          yield Duration.ofSeconds(n);
        }
      };
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new InvalidArgumentException(where + ": invalid duration \"" + text + "\" (want e.g. 30s, 10m, 24h)");
    }
  }

  /** A mapping of the YAML document with its dotted path, for errors that name the key. */
  private record Section(String path, Map<String, Object> map) {
    @SuppressWarnings("unchecked")
    Section(String path, Object value) {
      this(path, switch (value) {
        case Map<?, ?> m -> (Map<String, Object>) new LinkedHashMap<>(m);
        case null -> Map.of();
        default -> throw new InvalidArgumentException((path.isEmpty() ? "the document" : path) + ": want a mapping, got \"" + value + "\"");
      });
    }

    String key(String k) {
      return path.isEmpty() ? k : path + "." + k;
    }

    void allow(String... keys) {
      var allowed = Set.of(keys);
      for (Object k : map.keySet()) {
        if (!allowed.contains(String.valueOf(k))) {
          throw new InvalidArgumentException("unknown key " + key(String.valueOf(k)) + " (known: " + String.join(", ", keys) + ")");
        }
      }
    }

    boolean has(String k) {
      return map.get(k) != null;
    }

    Section section(String k) {
      return new Section(key(k), map.get(k));
    }

    String string(String k, String orElse) {
      Object v = map.get(k);
      if (v == null) {
        return orElse;
      }
      if (v instanceof Map || v instanceof List) {
        throw new InvalidArgumentException(key(k) + ": want a scalar value");
      }
      return String.valueOf(v);
    }

    String required(String k) {
      String v = string(k, null);
      if (v == null || v.isEmpty()) {
        throw new InvalidArgumentException(key(k) + " is required");
      }
      return v;
    }

    boolean bool(String k, boolean orElse) {
      Object v = map.get(k);
      if (v == null) {
        return orElse;
      }
      if (v instanceof Boolean b) {
        return b;
      }
      throw new InvalidArgumentException(key(k) + ": want true or false, got \"" + v + "\"");
    }

    Duration duration(String k, Duration orElse) {
      String v = string(k, null);
      return v == null ? orElse : RegistryConfig.duration(v, key(k));
    }

    @SuppressWarnings("unchecked")
    List<Object> list(String k) {
      Object v = map.get(k);
      if (v == null) {
        return List.of();
      }
      if (v instanceof List<?> l) {
        return (List<Object>) l;
      }
      throw new InvalidArgumentException(key(k) + ": want a list");
    }
  }
}
