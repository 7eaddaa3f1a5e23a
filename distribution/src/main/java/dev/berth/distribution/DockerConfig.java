package dev.berth.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Docker's {@code config.json} as a credential source and sink: {@code credHelpers} (per registry),
 * then {@code credsStore} (for all), then {@code auths} (base64 {@code user:password}). Helpers are
 * {@code docker-credential-<name>} programs speaking Docker's helper protocol ({@code get},
 * {@code store}, {@code erase} with JSON on stdin/stdout). Other keys of the file are kept as they are.
 *
 * <pre>{@code
 * var config = DockerConfig.at(DockerConfig.defaultDir());   // $DOCKER_CONFIG or ~/.docker
 * config.store("127.0.0.1:5000", Credential.of("alice", "secret"));
 * Credential c = config.get("127.0.0.1:5000");
 * }</pre>
 */
public final class DockerConfig implements CredentialStore {
  /** Docker Hub's key in {@code auths}, kept from the v1 days. */
  public static final String HUB_KEY = "https://index.docker.io/v1/";

  private final Path file;
  private final List<Path> helperDirs;

  private DockerConfig(Path file, List<Path> helperDirs) {
    this.file = file;
    this.helperDirs = List.copyOf(helperDirs);
  }

  /** The config in {@code dir} ({@code dir/config.json}); helpers are looked up on PATH. */
  public static DockerConfig at(Path dir) {
    var dirs = new ArrayList<Path>();
    String path = System.getenv("PATH");
    for (String d : (path == null ? "/usr/local/bin:/usr/bin:/bin" : path).split(":")) {
      if (!d.isEmpty()) {
        dirs.add(Path.of(d));
      }
    }
    return new DockerConfig(dir.resolve("config.json"), dirs);
  }

  /** {@code $DOCKER_CONFIG}, else {@code ~/.docker}. */
  public static Path defaultDir() {
    String env = System.getenv("DOCKER_CONFIG");
    return env != null && !env.isEmpty() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".docker");
  }

  /** The same config, looking for credential helpers in {@code dirs} first. */
  public DockerConfig withHelperDirs(List<Path> dirs) {
    var all = new ArrayList<>(dirs);
    all.addAll(helperDirs);
    return new DockerConfig(file, all);
  }

  public Path file() {
    return file;
  }

  /** The key a registry has in config.json: Docker Hub's v1 URL, else {@code host[:port]}. */
  public static String keyOf(String registry) {
    String r = RegistryConfig.canonicalRegistry(registry);
    return r.equals("docker.io") ? HUB_KEY : r;
  }

  @Override
  public Credential get(String registry) {
    String key = keyOf(registry);
    ObjectNode root = read();
    String helper = helperFor(root, key);
    if (helper != null) {
      return helperGet(helper, key);
    }
    JsonNode auths = root.path("auths");
    for (var it = auths.fields(); it.hasNext(); ) {
      var e = it.next();
      if (keyOf(e.getKey()).equals(RegistryConfig.canonicalRegistry(registry)) || e.getKey().equals(key)
          || (key.equals(HUB_KEY) && keyOf(e.getKey()).equals(HUB_KEY))) {
        return fromAuthEntry(e.getValue(), e.getKey());
      }
    }
    return Credential.ANONYMOUS;
  }

  /** Saves a credential (through the helper when one is configured); {@code berth login} / {@code docker login}. */
  public void store(String registry, Credential credential) {
    String key = keyOf(registry);
    ObjectNode root = read();
    String helper = helperFor(root, key);
    ObjectNode auths = root.has("auths") && root.get("auths").isObject() ? (ObjectNode) root.get("auths") : root.putObject("auths");
    if (helper != null) {
      runHelper(helper, "store", Json.writeString(Map.of("ServerURL", key, "Username", credential.username(),
          "Secret", credential.secret())));
      auths.putObject(key); // Docker leaves an empty entry so that `docker info` lists the registry
    } else {
      String auth = Base64.getEncoder().encodeToString(
          (credential.username() + ":" + credential.secret()).getBytes(StandardCharsets.UTF_8));
      auths.putObject(key).put("auth", auth);
    }
    write(root);
  }

  /** Removes the credential; false when there was none. */
  public boolean erase(String registry) {
    String key = keyOf(registry);
    ObjectNode root = read();
    String helper = helperFor(root, key);
    boolean had = root.path("auths").has(key);
    if (helper != null) {
      try {
        runHelper(helper, "erase", key);
        had = true;
      } catch (FailedPreconditionException e) {
        // "credentials not found": nothing to erase
      }
    }
    if (root.path("auths").isObject()) {
      ((ObjectNode) root.get("auths")).remove(key);
    }
    write(root);
    return had;
  }

  private String helperFor(ObjectNode root, String key) {
    JsonNode helpers = root.path("credHelpers");
    for (var it = helpers.fields(); it.hasNext(); ) {
      var e = it.next();
      if (keyOf(e.getKey()).equals(key) || e.getKey().equals(key)) {
        return e.getValue().asText();
      }
    }
    String store = root.path("credsStore").asText("");
    return store.isEmpty() ? null : store;
  }

  private Credential fromAuthEntry(JsonNode entry, String key) {
    String source = file + " (auths." + key + ")";
    String auth = entry.path("auth").asText("");
    if (!auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new InvalidArgumentException("reading credentials from " + source + ": auth is not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon <= 0) {
        throw new InvalidArgumentException("reading credentials from " + source + ": auth is not user:password");
      }
      return new Credential(decoded.substring(0, colon), decoded.substring(colon + 1), source);
    }
    if (entry.hasNonNull("username")) {
      return new Credential(entry.get("username").asText(), entry.path("password").asText(), source);
    }
    if (entry.hasNonNull("identitytoken")) {
      return new Credential("<token>", entry.get("identitytoken").asText(), source);
    }
    return Credential.ANONYMOUS;
  }

  private Credential helperGet(String helper, String key) {
    String out;
    try {
      out = runHelper(helper, "get", key);
    } catch (FailedPreconditionException e) {
      if (e.getMessage().contains("credentials not found")) {
        return Credential.ANONYMOUS;
      }
      throw e;
    }
    JsonNode reply = Json.tree(out.getBytes(StandardCharsets.UTF_8), "reply of docker-credential-" + helper, 1 << 20);
    return new Credential(reply.path("Username").asText(null), reply.path("Secret").asText(null),
        "credential helper docker-credential-" + helper);
  }

  private String runHelper(String helper, String verb, String input) {
    String program = "docker-credential-" + helper;
    Path binary = helperDirs.stream().map(d -> d.resolve(program)).filter(Files::isExecutable).findFirst()
        .orElseThrow(() -> new FailedPreconditionException("credential helper " + program + " (configured in " + file
            + ") is not on PATH"));
    try {
      Process p = new ProcessBuilder(binary.toString(), verb).redirectErrorStream(true).start();
      try (var stdin = p.getOutputStream()) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new FailedPreconditionException(program + " " + verb + " did not finish within 30 s");
      }
      if (p.exitValue() != 0) {
        throw new FailedPreconditionException(program + " " + verb + " failed: " + out.strip());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("running " + binary + " " + verb + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FailedPreconditionException("interrupted running " + program);
    }
  }

  private ObjectNode read() {
    if (!Files.exists(file)) {
      return Json.MAPPER.createObjectNode();
    }
    try {
      JsonNode node = Json.tree(Files.readAllBytes(file), "Docker config " + file, Json.MAX_METADATA_BYTES);
      if (!(node instanceof ObjectNode o)) {
        throw new InvalidArgumentException("Docker config " + file + " is not a JSON object");
      }
      return o;
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
    }
  }

  /** Atomic replace, mode 0600 as Docker writes it: the file holds secrets. */
  private void write(ObjectNode root) {
    try {
      Files.createDirectories(file.getParent());
      Path temp = Files.createTempFile(file.getParent(), ".config.json.", ".tmp",
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      try {
        Files.writeString(temp, Json.writePretty(root) + "\n");
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
    }
  }
}
