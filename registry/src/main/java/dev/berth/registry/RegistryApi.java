package dev.berth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.content.BlobInfo;
import dev.berth.errors.BerthException;
import dev.berth.http.HttpHandler;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;
import dev.berth.http.HttpStatusException;
import dev.berth.oci.Digest;
import dev.berth.oci.Json;
import dev.berth.oci.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The distribution-spec HTTP API over {@link Registry}: routes, status codes, headers and the
 * spec's JSON errors. Every response, error or not, carries {@code
 * Docker-Distribution-API-Version: registry/2.0}; every failure is {@code {"errors":[{"code",
 * "message","detail"}]}}, malformed input a 4xx, never a 500.
 */
public final class RegistryApi implements HttpHandler {
  private static final System.Logger LOG = System.getLogger("dev.berth.registry");

  private static final Pattern UPLOADS = Pattern.compile("^/v2/(.+)/blobs/uploads/?$");
  private static final Pattern UPLOAD = Pattern.compile("^/v2/(.+)/blobs/uploads/([^/]+)$");
  private static final Pattern BLOB = Pattern.compile("^/v2/(.+)/blobs/([^/]+)$");
  private static final Pattern MANIFEST = Pattern.compile("^/v2/(.+)/manifests/([^/]+)$");
  private static final Pattern TAGS = Pattern.compile("^/v2/(.+)/tags/list$");
  private static final Pattern REFERRERS = Pattern.compile("^/v2/(.+)/referrers/([^/]+)$");
  private static final Pattern RANGE = Pattern.compile("^(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?$");
  private static final int MAX_PAGE = 10_000;

  private final Registry registry;
  private final AccessControl access;
  private final boolean deleteEnabled;
  private final Metrics metrics;
  private final PrintStream accessLog;

  public RegistryApi(Registry registry, AccessControl access, boolean deleteEnabled, Metrics metrics, PrintStream accessLog) {
    this.registry = registry;
    this.access = access;
    this.deleteEnabled = deleteEnabled;
    this.metrics = metrics;
    this.accessLog = accessLog;
    metrics.counter("berth_registry_http_requests_total", "HTTP requests by method, route and status code.")
        .counter("berth_registry_http_request_duration_milliseconds", "Time spent serving requests, by route.")
        .counter("berth_registry_blob_bytes_sent_total", "Blob bytes sent to clients.")
        .counter("berth_registry_blob_bytes_received_total", "Blob bytes received in uploads.")
        .gauge("berth_registry_uploads_in_progress", "Upload sessions on disk.", () -> registry.uploads().count());
  }

  @Override
  public void handle(HttpRequest req, HttpResponse res) throws IOException {
    long t0 = System.nanoTime();
    String route = "unknown";
    try {
      res.header("Docker-Distribution-API-Version", "registry/2.0");
      route = dispatch(req, res);
    } catch (Exception e) {
      route = route.equals("unknown") ? routeOf(req.path()) : route;
      if (res.committed()) {
        throw e instanceof IOException io ? io : new IOException("failed after responding: " + e.getMessage(), e);
      }
      respondError(req, res, e);
    } finally {
      long ms = (System.nanoTime() - t0) / 1_000_000;
      String status = Integer.toString(res.status());
      metrics.add("berth_registry_http_requests_total", 1, "method", req.method(), "route", route, "code", status);
      metrics.add("berth_registry_http_request_duration_milliseconds_total", ms, "route", route);
      if (accessLog != null) {
        accessLog.println(Instant.now() + " " + req.method() + " " + req.target() + " " + status + " " + ms + "ms \""
            + String.valueOf(req.header("User-Agent")).replace('"', '\'') + "\"");
      }
    }
  }

  private static String routeOf(String path) {
    if (UPLOAD.matcher(path).matches() || UPLOADS.matcher(path).matches()) {
      return "blob_upload";
    }
    if (BLOB.matcher(path).matches()) {
      return "blob";
    }
    if (MANIFEST.matcher(path).matches()) {
      return "manifest";
    }
    if (TAGS.matcher(path).matches()) {
      return "tags";
    }
    if (REFERRERS.matcher(path).matches()) {
      return "referrers";
    }
    return "other";
  }

  /** Serves the request; returns the route's name for metrics. */
  private String dispatch(HttpRequest req, HttpResponse res) throws IOException {
    String path = req.path();
    String m = req.method();
    switch (path) {
      case "/v2", "/v2/" -> {
        only(m, "GET", "HEAD");
        access.authorize(req, null);
        json(res, 200, "{}");
        return "base";
      }
      case "/v2/_catalog" -> {
        only(m, "GET", "HEAD");
        catalog(req, res);
        return "catalog";
      }
      case "/healthz", "/health" -> {
        only(m, "GET", "HEAD");
        health(res);
        return "health";
      }
      case "/metrics" -> {
        only(m, "GET", "HEAD");
        res.contentType("text/plain; version=0.0.4; charset=utf-8").send(metrics.render());
        return "metrics";
      }
      case AccessControl.TOKEN_PATH -> {
        only(m, "GET");
        if (access.tokens() == null) {
          throw new RegistryException(ErrorCode.UNSUPPORTED, 404, "this registry issues no tokens", null);
        }
        json(res, 200, access.issueToken(req));
        return "token";
      }
      default -> {}
    }
    Matcher x;
    if ((x = UPLOADS.matcher(path)).matches()) {
      only(m, "POST");
      startUpload(req, res, repo(x.group(1)));
      return "blob_upload";
    }
    if ((x = UPLOAD.matcher(path)).matches()) {
      String name = repo(x.group(1));
      String id = x.group(2);
      switch (m) {
        case "GET", "HEAD" -> uploadStatus(req, res, name, id);
        case "PATCH" -> patchUpload(req, res, name, id);
        case "PUT" -> putUpload(req, res, name, id);
        case "DELETE" -> cancelUpload(req, res, name, id);
        default -> throw notAllowed(m, "GET, HEAD, PATCH, PUT, DELETE");
      }
      return "blob_upload";
    }
    if ((x = BLOB.matcher(path)).matches()) {
      String name = repo(x.group(1));
      switch (m) {
        case "GET", "HEAD" -> getBlob(req, res, name, x.group(2));
        case "DELETE" -> deleteBlob(req, res, name, x.group(2));
        default -> throw notAllowed(m, "GET, HEAD, DELETE");
      }
      return "blob";
    }
    if ((x = MANIFEST.matcher(path)).matches()) {
      String name = repo(x.group(1));
      switch (m) {
        case "GET", "HEAD" -> getManifest(req, res, name, x.group(2));
        case "PUT" -> putManifest(req, res, name, x.group(2));
        case "DELETE" -> deleteManifest(req, res, name, x.group(2));
        default -> throw notAllowed(m, "GET, HEAD, PUT, DELETE");
      }
      return "manifest";
    }
    if ((x = TAGS.matcher(path)).matches()) {
      only(m, "GET", "HEAD");
      tags(req, res, repo(x.group(1)));
      return "tags";
    }
    if ((x = REFERRERS.matcher(path)).matches()) {
      only(m, "GET", "HEAD");
      referrers(req, res, repo(x.group(1)), x.group(2));
      return "referrers";
    }
    throw new RegistryException(ErrorCode.UNSUPPORTED, 404, "no such endpoint: " + path, null);
  }

  private static void only(String method, String... allowed) {
    for (String a : allowed) {
      if (a.equals(method)) {
        return;
      }
    }
    throw notAllowed(method, String.join(", ", allowed));
  }

  private static RegistryException notAllowed(String method, String allowed) {
    return new RegistryException(ErrorCode.UNSUPPORTED, 405, "method " + method + " not allowed here", null).withHeader("Allow", allowed);
  }

  private static String repo(String name) {
    return Names.requireRepository(name);
  }

  // ---- blobs

  private void getBlob(HttpRequest req, HttpResponse res, String name, String ref) throws IOException {
    access.authorize(req, name, "pull");
    Digest d = Names.requireDigest(ref);
    BlobInfo info = registry.blob(name, d);
    long size = info.size();
    long start = 0;
    long end = size - 1;
    String range = req.header("Range");
    res.header("Docker-Content-Digest", d.toString())
        .header("Accept-Ranges", "bytes")
        .header("ETag", "\"" + d + "\"")
        .contentType("application/octet-stream");
    if (range != null && !range.contains(",")) {
      long[] r = parseByteRange(range, size);
      if (r == null) {
        throw new RegistryException(ErrorCode.BLOB_UNKNOWN, 416, "range " + range + " not satisfiable for a blob of " + size + " bytes", null)
            .withHeader("Content-Range", "bytes */" + size);
      }
      start = r[0];
      end = r[1];
      res.status(206).header("Content-Range", "bytes " + start + "-" + end + "/" + size);
    }
    long length = end - start + 1;
    res.sendFile(registry.blobPath(d), start, Math.max(length, 0));
    if (req.method().equals("HEAD")) {
      return;
    }
    metrics.add("berth_registry_blob_bytes_sent_total", length);
  }

  /** {@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}: {start, end} inclusive, or null. */
  static long[] parseByteRange(String header, long size) {
    String h = header.strip();
    if (!h.startsWith("bytes=")) {
      return null;
    }
    String spec = h.substring(6).strip();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String a = spec.substring(0, dash).strip();
      String b = spec.substring(dash + 1).strip();
      long start;
      long end;
      if (a.isEmpty()) {
        long n = Long.parseLong(b);
        if (n <= 0) {
          return null;
        }
        start = Math.max(0, size - n);
        end = size - 1;
      } else {
        start = Long.parseLong(a);
        end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
      }
      if (start < 0 || start >= size || end < start) {
        return null;
      }
      return new long[] {start, end};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private void deleteBlob(HttpRequest req, HttpResponse res, String name, String ref) {
    access.authorize(req, name, "delete");
    Digest d = Names.requireDigest(ref);
    requireDelete("blob");
    registry.deleteBlob(name, d);
    res.status(202).header("Content-Length", "0");
  }

  private void requireDelete(String what) {
    if (!deleteEnabled) {
      throw new RegistryException(ErrorCode.UNSUPPORTED, 405, "deleting a " + what + " is disabled on this registry (storage.delete)", null);
    }
  }

  // ---- uploads

  private void startUpload(HttpRequest req, HttpResponse res, String name) throws IOException {
    access.authorize(req, name, "pull", "push");
    String mount = req.query("mount");
    String from = req.query("from");
    if (mount != null && from != null && Digest.isDigest(mount) && Names.isRepository(from)
        && access.allowed(callerAccount(req), from).contains("pull")) {
      Digest d = Digest.parse(mount);
      if (registry.mount(name, from, d)) {
        res.status(201).header("Location", "/v2/" + name + "/blobs/" + d).header("Docker-Content-Digest", d.toString());
        return;
      }
    }
    String digest = req.query("digest");
    if (digest != null) {
      Digest d = Names.requireDigest(digest);
      long length = req.contentLength();
      BlobInfo info = registry.putBlob(name, req.body(), d, length);
      metrics.add("berth_registry_blob_bytes_received_total", info.size());
      res.status(201).header("Location", "/v2/" + name + "/blobs/" + d).header("Docker-Content-Digest", d.toString());
      return;
    }
    try (var s = registry.uploads().create(name)) {
      sessionHeaders(res.status(202), s, 0);
    }
  }

  /** The account the request authenticated as (Basic or token), null if anonymous. */
  private String callerAccount(HttpRequest req) {
    try {
      return access.open() ? null : access.authorize(req, null).account();
    } catch (RegistryException e) {
      return null;
    }
  }

  private static void sessionHeaders(HttpResponse res, Uploads.Session s, long size) {
    res.header("Location", "/v2/" + s.repository() + "/blobs/uploads/" + s.id())
        .header("Docker-Upload-UUID", s.id())
        .header("Range", "0-" + Math.max(0, size - 1))
        .header("Content-Length", "0");
  }

  private void uploadStatus(HttpRequest req, HttpResponse res, String name, String id) {
    access.authorize(req, name, "push");
    try (var s = registry.uploads().open(name, id)) {
      sessionHeaders(res.status(204), s, s.size());
    }
  }

  private void patchUpload(HttpRequest req, HttpResponse res, String name, String id) throws IOException {
    access.authorize(req, name, "push");
    try (var s = registry.uploads().open(name, id)) {
      long size = appendChunk(req, s);
      sessionHeaders(res.status(202), s, size);
    }
  }

  /**
   * Appends the request body to the session. With a Content-Range, the chunk must start where the
   * session ends (else 416 with the Range the server has) and its length must agree.
   */
  private long appendChunk(HttpRequest req, Uploads.Session s) throws IOException {
    long size = s.size();
    String cr = req.header("Content-Range");
    long declaredEnd = -1;
    if (cr != null) {
      Matcher r = RANGE.matcher(cr.strip());
      if (!r.matches()) {
        throw outOfOrder(s, size, "malformed Content-Range \"" + cr + "\"");
      }
      long start = Long.parseLong(r.group(1));
      long end = Long.parseLong(r.group(2));
      if (start != size || end < start) {
        throw outOfOrder(s, size, "chunk " + start + "-" + end + " does not continue the upload, which has " + size + " bytes");
      }
      long length = req.contentLength();
      if (length >= 0 && length != end - start + 1) {
        throw outOfOrder(s, size, "Content-Length " + length + " does not match Content-Range " + cr);
      }
      declaredEnd = end;
    }
    long before = size;
    size = registry.appendUpload(s, req.body());
    metrics.add("berth_registry_blob_bytes_received_total", size - before);
    if (declaredEnd >= 0 && size != declaredEnd + 1) {
      throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 400,
          "chunk ended at byte " + (size - 1) + ", Content-Range said " + declaredEnd, null)
          .withHeader("Range", "0-" + Math.max(0, size - 1));
    }
    return size;
  }

  private static RegistryException outOfOrder(Uploads.Session s, long size, String message) {
    return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416, message, null)
        .withHeader("Location", "/v2/" + s.repository() + "/blobs/uploads/" + s.id())
        .withHeader("Range", "0-" + Math.max(0, size - 1))
        .withHeader("Docker-Upload-UUID", s.id());
  }

  private void putUpload(HttpRequest req, HttpResponse res, String name, String id) throws IOException {
    access.authorize(req, name, "push");
    String digest = req.query("digest");
    try (var s = registry.uploads().open(name, id)) {
      if (req.contentLength() != 0) {
        appendChunk(req, s);
      }
      if (digest == null) {
        throw new RegistryException(ErrorCode.DIGEST_INVALID, "finishing an upload needs ?digest=");
      }
      Digest d = Names.requireDigest(digest);
      registry.finishUpload(s, d);
      res.status(201).header("Location", "/v2/" + name + "/blobs/" + d).header("Docker-Content-Digest", d.toString())
          .header("Content-Length", "0");
    }
  }

  private void cancelUpload(HttpRequest req, HttpResponse res, String name, String id) {
    access.authorize(req, name, "push");
    try (var s = registry.uploads().open(name, id)) {
      registry.cancelUpload(s);
    }
    res.status(204);
  }

  // ---- manifests

  private void getManifest(HttpRequest req, HttpResponse res, String name, String reference) throws IOException {
    access.authorize(req, name, "pull");
    Registry.StoredManifest m = registry.manifest(name, reference);
    if (!acceptable(req, m.mediaType())) {
      throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
          "manifest " + reference + " is " + m.mediaType() + ", which the request's Accept header does not list");
    }
    res.contentType(m.mediaType())
        .header("Docker-Content-Digest", m.digest().toString())
        .header("ETag", "\"" + m.digest() + "\"")
        .send(m.bytes());
  }

  /** Whether the Accept header (all its lines) admits the type; no Accept admits anything. */
  static boolean acceptable(HttpRequest req, String type) {
    List<String> lines = req.headers().all("Accept");
    if (lines.isEmpty()) {
      return true;
    }
    for (String line : lines) {
      for (String part : line.split(",")) {
        String t = part.split(";")[0].strip().toLowerCase();
        if (t.isEmpty() || t.equals("*/*") || t.equals(type) || t.equals("application/*")
            || t.equals("application/json")) {
          return true;
        }
      }
    }
    return false;
  }

  private void putManifest(HttpRequest req, HttpResponse res, String name, String reference) throws IOException {
    access.authorize(req, name, "pull", "push");
    long declared = req.contentLength();
    if (declared > Json.MAX_MANIFEST_BYTES) {
      throw new RegistryException(ErrorCode.SIZE_INVALID, 413, "manifest of " + declared + " bytes is over the limit of " + Json.MAX_MANIFEST_BYTES, null);
    }
    byte[] bytes = req.body().readNBytes(Json.MAX_MANIFEST_BYTES + 1);
    Registry.PutResult r = registry.putManifest(name, reference, req.header("Content-Type"), bytes);
    res.status(201)
        .header("Location", "/v2/" + name + "/manifests/" + r.digest())
        .header("Docker-Content-Digest", r.digest().toString())
        .header("Content-Length", "0");
    if (r.subject() != null) {
      res.header("OCI-Subject", r.subject().toString());
    }
  }

  private void deleteManifest(HttpRequest req, HttpResponse res, String name, String reference) {
    access.authorize(req, name, "delete");
    if (Names.looksLikeDigest(reference)) {
      Names.requireDigest(reference);
    }
    requireDelete(Names.looksLikeDigest(reference) ? "manifest" : "tag");
    registry.deleteManifest(name, reference);
    res.status(202).header("Content-Length", "0");
  }

  // ---- discovery

  private void tags(HttpRequest req, HttpResponse res, String name) throws IOException {
    access.authorize(req, name, "pull");
    var page = page(req, registry.tags(name));
    ObjectNode body = Json.MAPPER.createObjectNode().put("name", name);
    ArrayNode arr = body.putArray("tags");
    page.items().forEach(arr::add);
    if (page.more()) {
      res.header("Link", "</v2/" + name + "/tags/list?n=" + page.n() + "&last="
          + URLEncoder.encode(page.items().getLast(), StandardCharsets.UTF_8) + ">; rel=\"next\"");
    }
    json(res, 200, Json.MAPPER.writeValueAsString(body));
  }

  private record Page(List<String> items, int n, boolean more) {}

  /** The spec's pagination: items after {@code last} (lexically), at most {@code n}. */
  private static Page page(HttpRequest req, List<String> sorted) {
    String nText = req.query("n");
    String last = req.query("last");
    int n = MAX_PAGE;
    if (nText != null && !nText.isEmpty()) {
      try {
        n = Integer.parseInt(nText);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0) {
        throw new RegistryException(ErrorCode.UNSUPPORTED, 400, "invalid page size n=\"" + nText + "\": want an integer >= 0", null);
      }
      n = Math.min(n, MAX_PAGE);
    }
    var out = new ArrayList<String>();
    boolean more = false;
    for (String s : sorted) {
      if (last != null && s.compareTo(last) <= 0) {
        continue;
      }
      if (out.size() == n) {
        more = true;
        break;
      }
      out.add(s);
    }
    return new Page(out, n, more && !out.isEmpty());
  }

  private void referrers(HttpRequest req, HttpResponse res, String name, String ref) throws IOException {
    access.authorize(req, name, "pull");
    Digest subject = Names.requireDigest(ref);
    String artifactType = req.query("artifactType");
    List<JsonNode> found = registry.referrers(name, subject, artifactType);
    ObjectNode index = Json.MAPPER.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaType.OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    found.forEach(manifests::add);
    if (artifactType != null) {
      res.header("OCI-Filters-Applied", "artifactType");
    }
    res.contentType(MediaType.OCI_INDEX).send(Json.write(index));
  }

  private void catalog(HttpRequest req, HttpResponse res) throws IOException {
    String account = null;
    if (!access.open()) {
      account = access.authorize(req, null).account();
    }
    var visible = new ArrayList<String>();
    for (String n : registry.repositories().names()) {
      if (access.allowed(account, n).contains("pull")) {
        visible.add(n);
      }
    }
    var page = page(req, visible);
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode arr = body.putArray("repositories");
    page.items().forEach(arr::add);
    if (page.more()) {
      res.header("Link", "</v2/_catalog?n=" + page.n() + "&last=" + URLEncoder.encode(page.items().getLast(), StandardCharsets.UTF_8) + ">; rel=\"next\"");
    }
    json(res, 200, Json.MAPPER.writeValueAsString(body));
  }

  private void health(HttpResponse res) throws IOException {
    boolean ok = Files.isWritable(registry.content().root());
    json(res, ok ? 200 : 503, ok ? "{\"status\":\"ok\"}" : "{\"status\":\"storage not writable\"}");
  }

  private static void json(HttpResponse res, int status, String body) throws IOException {
    res.status(status).contentType("application/json").send(body);
  }

  // ---- errors

  private void respondError(HttpRequest req, HttpResponse res, Exception e) throws IOException {
    int status;
    String code;
    String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    Object detail = null;
    switch (e) {
      case RegistryException r -> {
        status = r.status();
        code = r.code().name();
        detail = r.detail();
        r.headers().forEach(res::header);
      }
      case BerthException b -> {
        status = b.httpStatus();
        code = switch (status) {
          case 404 -> "NAME_UNKNOWN";
          case 400 -> "UNSUPPORTED";
          default -> "UNKNOWN";
        };
      }
      case HttpStatusException h -> {
        status = h.status();
        code = "UNSUPPORTED";
      }
      case IOException io -> throw io; // the client went away mid-body: nobody to answer
      default -> {
        status = 500;
        code = "UNKNOWN";
        LOG.log(System.Logger.Level.WARNING, "serving " + req.method() + " " + req.target(), e);
      }
    }
    ObjectNode err = Json.MAPPER.createObjectNode();
    ObjectNode one = err.putArray("errors").addObject().put("code", code).put("message", message);
    if (detail != null) {
      one.set("detail", Json.MAPPER.valueToTree(detail));
    } else {
      one.putObject("detail");
    }
    res.status(status).contentType("application/json").send(Json.write(err));
  }

  /** The renderer for errors the HTTP layer finds before the API sees the request. */
  static dev.berth.http.ErrorRenderer renderer() {
    return (status, message, error) -> new dev.berth.http.ErrorRenderer.Rendered("application/json",
        ("{\"errors\":[{\"code\":\"UNSUPPORTED\",\"message\":" + dev.berth.http.ErrorRenderer.jsonString(message) + ",\"detail\":{}}]}\n")
            .getBytes(StandardCharsets.UTF_8));
  }


}
