package dev.berth.api.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.api.model.ApiVersion;
import dev.berth.api.model.ProgressMessage;
import dev.berth.distribution.Credential;
import dev.berth.distribution.CredentialStore;
import dev.berth.distribution.DockerConfig;
import dev.berth.distribution.ProgressEvent;
import dev.berth.distribution.ProgressListener;
import dev.berth.distribution.PushResult;
import dev.berth.distribution.RegistryClient;
import dev.berth.distribution.RegistryConfig;
import dev.berth.engine.ImageService;
import dev.berth.errors.BerthException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;
import dev.berth.oci.Digest;
import dev.berth.oci.Json;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * Registry endpoints: pull ({@code POST /images/create?fromImage=}), {@code POST /images/{name}/push}
 * and {@code POST /auth}, over {@link RegistryClient}. Credentials come from the request's
 * {@code X-Registry-Auth} (what the docker CLI sends), else from the daemon user's Docker config.
 * Registry settings: {@code $BERTH_REGISTRY_CONFIG} (default {@code /etc/berth/registries.json}).
 */
final class RegistryRoutes {
  /** Docker's progress reader sends a byte count at most this often per layer; so do we. */
  private static final long PROGRESS_INTERVAL_NANOS = 100_000_000;

  private final ImageService images;
  // One client for the daemon's life: connections and each host's scheme are kept between requests;
  // each request gets its own credentials (and so its own tokens) over it.
  private final RegistryClient registries;

  RegistryRoutes(ImageService images) {
    this.images = images;
    String file = System.getenv("BERTH_REGISTRY_CONFIG");
    var config = RegistryConfig.load(Path.of(file != null && !file.isEmpty() ? file : "/etc/berth/registries.json"));
    this.registries = RegistryClient.create(config, CredentialStore.ANONYMOUS);
  }

  void register(EngineApi.Routes r) {
    r.post("/images/{name...}/push", this::push);
    r.post("/auth", this::auth);
  }

  /** {@code POST /images/create?fromImage=NAME&tag=TAG|DIGEST&platform=os/arch}. */
  void pull(ApiVersion v, HttpRequest req, HttpResponse res) {
    Reference ref = Reference.parseNormalized(req.query("fromImage"));
    String tag = req.query("tag");
    if (tag != null && !tag.isEmpty()) {
      ref = Digest.isDigest(tag) ? ref.withTag(null).withDigest(Digest.parse(tag)) : ref.withTag(tag).withDigest(null);
    } else if (ref.tag() == null && ref.digest() == null) {
      ref = ref.withTag("latest");
    }
    String p = req.query("platform");
    Platform platform = p == null || p.isEmpty() ? Platform.host() : Platform.parse(p);
    var stream = new ProgressStream(res);
    Reference target = ref;
    try {
      client(req).pull(target, platform, images.store(), listener(stream));
    } catch (RuntimeException e) {
      stream.fail(e);
    }
  }

  /** {@code POST /images/{name}/push?tag=}: the progress stream, then an aux message with the digest. */
  private void push(ApiVersion v, HttpRequest req, HttpResponse res) {
    Reference ref = Reference.parseNormalized(req.pathParam("name"));
    String tag = req.query("tag");
    if (tag != null && !tag.isEmpty()) {
      ref = ref.withTag(tag);
    } else if (ref.tag() == null && ref.digest() == null) {
      ref = ref.withTag("latest");
    }
    images.inspect(ref.toString()); // a 404 before the stream starts
    var stream = new ProgressStream(res);
    try {
      PushResult r = client(req).push(ref, images.store(), listener(stream));
      stream.send(ProgressMessage.aux(Json.MAPPER.valueToTree(Map.of(
          "Tag", r.reference().tag() == null ? "" : r.reference().tag(), "Digest", r.digest().toString(), "Size", r.size()))));
    } catch (RuntimeException e) {
      stream.fail(e);
    }
  }

  /** {@code POST /auth}: checks the credentials against the registry; the client stores them. */
  private void auth(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    JsonNode body = Json.tree(req.body().readNBytes(1 << 20), "auth request", 1 << 20);
    String server = body.path("serveraddress").asText("");
    if (server.isEmpty()) {
      server = DockerConfig.HUB_KEY;
    }
    var credential = new Credential(body.path("username").asText(null), body.path("password").asText(null),
        "the login request");
    String registry = server;
    try {
      registries.withCredentials(CredentialStore.of(credential)).checkLogin(registry);
    } catch (BerthException e) {
      Responses.json(res, 401, Map.of("message", e.getMessage()));
      return;
    }
    Responses.json(res, Map.of("Status", "Login Succeeded", "IdentityToken", ""));
  }

  private RegistryClient client(HttpRequest req) {
    String header = req.header("X-Registry-Auth");
    CredentialStore credentials = DockerConfig.at(DockerConfig.defaultDir());
    if (header != null && !header.isBlank()) {
      JsonNode auth = decodeAuth(header);
      String user = auth.path("username").asText("");
      if (!user.isEmpty()) {
        credentials = CredentialStore.of(new Credential(user, auth.path("password").asText(""), "X-Registry-Auth"));
      } else if (!auth.path("identitytoken").asText("").isEmpty()) {
        credentials = CredentialStore.of(new Credential("<token>", auth.path("identitytoken").asText(), "X-Registry-Auth"));
      }
    }
    return registries.withCredentials(credentials);
  }

  private static JsonNode decodeAuth(String header) {
    byte[] json;
    try {
      json = Base64.getUrlDecoder().decode(header.strip());
    } catch (IllegalArgumentException e) {
      try {
        json = Base64.getDecoder().decode(header.strip());
      } catch (IllegalArgumentException e2) {
        throw new InvalidArgumentException("X-Registry-Auth is not base64-encoded JSON");
      }
    }
    if (json.length == 0 || new String(json, StandardCharsets.UTF_8).isBlank()) {
      return Json.MAPPER.createObjectNode();
    }
    return Json.tree(json, "X-Registry-Auth", 1 << 20);
  }

  /**
   * Progress events as Docker's JSON messages; layer threads report at once, so sends are serialised.
   * Byte counts of a layer go out at most every 100 ms (and the last one always), as Docker's do: the
   * client redraws no faster, and each message is a flushed write on both sides.
   */
  private static ProgressListener listener(ProgressStream stream) {
    return new ProgressListener() {
      private final Map<String, Long> lastSent = new java.util.HashMap<>();

      @Override
      public synchronized void on(ProgressEvent e) {
        if (e.hasBytes()) {
          long now = System.nanoTime();
          Long last = lastSent.get(e.id());
          if (last != null && now - last < PROGRESS_INTERVAL_NANOS && e.current() < e.total()) {
            return;
          }
          lastSent.put(e.id(), now);
          stream.send(ProgressMessage.progress(e.id(), e.status(), e.current(), e.total(), bar(e.current(), e.total())));
        } else {
          stream.send(ProgressMessage.status(e.id(), e.status()));
        }
      }
    };
  }

  /** The pre-rendered bar old clients print: {@code [=====>      ]  1.2MB/3.4MB}. */
  static String bar(long current, long total) {
    int width = 50;
    int done = total > 0 ? (int) Math.min(width, current * width / total) : 0;
    String bar = "=".repeat(Math.max(0, done - 1)) + (done > 0 && done < width ? ">" : done == width ? "=" : "") + " ".repeat(width - done);
    return "[" + bar + "] " + size(current) + "/" + size(total);
  }

  private static String size(long bytes) {
    if (bytes < 1000) {
      return bytes + "B";
    }
    if (bytes < 1000_000) {
      return String.format("%.1fkB", bytes / 1000.0);
    }
    return String.format("%.1fMB", bytes / 1000_000.0);
  }
}
