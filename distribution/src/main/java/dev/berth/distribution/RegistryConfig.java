package dev.berth.distribution;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How to reach registries: which may be spoken to over plain HTTP, mirrors per registry, and the
 * certs.d directory with extra CAs and client certificates ({@code <certsDir>/<host:port>/ca.crt},
 * {@code client.cert}, {@code client.key}, as Docker lays it out).
 *
 * <p>As in Docker, loopback registries ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}) are
 * insecure without being listed: HTTPS is tried first, then plain HTTP.
 *
 * <pre>{@code
 * var config = RegistryConfig.DEFAULT
 *     .withInsecure(List.of("10.0.0.5:5000", "192.168.0.0/16"))
 *     .withMirrors("docker.io", List.of(URI.create("https://mirror.example")));
 * }</pre>
 *
 * @param insecure hosts ({@code host[:port]}) or IPv4 CIDRs that may use HTTP or unverified TLS
 * @param mirrors per registry ({@code docker.io} for Docker Hub), base URIs tried in order before
 *     the registry itself, for pulls only
 * @param certsDir where per-host CAs and client certificates are; may not exist
 */
public record RegistryConfig(List<String> insecure, Map<String, List<URI>> mirrors, Path certsDir) {
  public static final Path DOCKER_CERTS_DIR = Path.of("/etc/docker/certs.d");
  public static final RegistryConfig DEFAULT = new RegistryConfig(List.of(), Map.of(), DOCKER_CERTS_DIR);

  public RegistryConfig {
    insecure = List.copyOf(insecure);
    var copy = new java.util.TreeMap<String, List<URI>>();
    mirrors.forEach((k, v) -> {
      for (URI u : v) {
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
          throw new InvalidArgumentException("mirror \"" + u + "\" of " + k + ": want an http:// or https:// URI");
        }
      }
      copy.put(canonicalRegistry(k), List.copyOf(v));
    });
    mirrors = java.util.Collections.unmodifiableMap(copy);
  }

  public RegistryConfig withInsecure(List<String> hosts) {
    var all = new ArrayList<>(insecure);
    all.addAll(hosts);
    return new RegistryConfig(all, mirrors, certsDir);
  }

  public RegistryConfig withMirrors(String registry, List<URI> uris) {
    var all = new java.util.HashMap<>(mirrors);
    all.put(canonicalRegistry(registry), uris);
    return new RegistryConfig(insecure, all, certsDir);
  }

  public RegistryConfig withCertsDir(Path dir) {
    return new RegistryConfig(insecure, mirrors, dir);
  }

  /** The mirrors of {@code registry}, in order; empty when none are configured. */
  public List<URI> mirrorsOf(String registry) {
    return mirrors.getOrDefault(canonicalRegistry(registry), List.of());
  }

  /** True when {@code host[:port]} may be reached over plain HTTP. */
  public boolean isInsecure(String hostPort) {
    String host = hostOnly(hostPort);
    if (host.equals("localhost") || insecure.contains(hostPort) || insecure.contains(host)) {
      return true;
    }
    try {
      if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+\\]?")) {
        return false; // a name: never resolved for this decision, as Docker only checks names it is given
      }
      InetAddress address = InetAddress.getByName(host.replace("[", "").replace("]", ""));
      if (address.isLoopbackAddress()) {
        return true;
      }
      for (String entry : insecure) {
        if (entry.contains("/") && inCidr(address, entry)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /** The file form, Docker's daemon.json keys: {@code insecure-registries}, {@code registry-mirrors} (Hub), {@code mirrors}, {@code certs-dir}. */
  record File(
      @JsonProperty("insecure-registries") List<String> insecureRegistries,
      @JsonProperty("registry-mirrors") List<URI> registryMirrors,
      @JsonProperty("mirrors") Map<String, List<URI>> mirrors,
      @JsonProperty("certs-dir") String certsDir) {}

  /**
   * Reads a JSON file with Docker's daemon.json keys ({@code insecure-registries},
   * {@code registry-mirrors} for Docker Hub) plus {@code mirrors} (registry → URIs, for any registry)
   * and {@code certs-dir}; a missing file is the default.
   */
  public static RegistryConfig load(Path file) {
    if (!Files.exists(file)) {
      return DEFAULT;
    }
    try {
      File f = Json.read(Files.readAllBytes(file), File.class, "registry configuration " + file, Json.MAX_METADATA_BYTES);
      var mirrors = new java.util.HashMap<String, List<URI>>();
      if (f.mirrors() != null) {
        mirrors.putAll(f.mirrors());
      }
      if (f.registryMirrors() != null) {
        mirrors.put("docker.io", f.registryMirrors());
      }
      return new RegistryConfig(f.insecureRegistries() == null ? List.of() : f.insecureRegistries(), mirrors,
          f.certsDir() == null ? DOCKER_CERTS_DIR : Path.of(f.certsDir()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading registry configuration " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code docker.io} for every spelling of Docker Hub; others as given, lower case. */
  static String canonicalRegistry(String registry) {
    String r = registry.toLowerCase(Locale.ROOT);
    if (r.startsWith("https://")) {
      r = r.substring(8);
    } else if (r.startsWith("http://")) {
      r = r.substring(7);
    }
    int slash = r.indexOf('/');
    if (slash >= 0) {
      r = r.substring(0, slash);
    }
    return switch (r) {
      case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> "docker.io";
      default -> r;
    };
  }

  /** The host to connect to for a registry name: Docker Hub's API lives at registry-1.docker.io. */
  static String apiHost(String registry) {
    return canonicalRegistry(registry).equals("docker.io") ? "registry-1.docker.io" : registry;
  }

  private static String hostOnly(String hostPort) {
    if (hostPort.startsWith("[")) {
      int end = hostPort.indexOf(']');
      return end > 0 ? hostPort.substring(0, end + 1) : hostPort;
    }
    int colon = hostPort.lastIndexOf(':');
    return colon > 0 && hostPort.indexOf(':') == colon ? hostPort.substring(0, colon) : hostPort;
  }

  private static boolean inCidr(InetAddress address, String cidr) throws IOException {
    int slash = cidr.indexOf('/');
    byte[] net = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
    byte[] a = address.getAddress();
    if (net.length != a.length) {
      return false;
    }
    int bits = Integer.parseInt(cidr.substring(slash + 1));
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >> (i % 8);
      if ((net[i / 8] & mask) != (a[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }
}
