package dev.berth.api.server;

import dev.berth.api.model.ApiVersion;
import dev.berth.api.model.ContainerCreateResponse;
import dev.berth.api.model.ContainerPruneReport;
import dev.berth.api.model.ContainerSummary;
import dev.berth.api.model.ContainerTopResponse;
import dev.berth.api.model.ContainerViews;
import dev.berth.api.model.ContainerWaitResponse;
import dev.berth.api.model.HostConfig;
import dev.berth.api.model.ImageInspect;
import dev.berth.engine.ImageService;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.container.ContainerStatus;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;
import dev.berth.image.Image;
import dev.berth.oci.Json;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The {@code /containers} endpoints that need no I/O streams: each a few lines over {@link ContainerService}. */
final class ContainerRoutes {
  static final Set<String> LIST_FILTERS = Set.of("ancestor", "before", "expose", "exited", "health", "id", "isolation",
      "is-task", "label", "name", "network", "publish", "since", "status", "volume");
  static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "until");
  private static final int MAX_CREATE_BODY = 4 << 20;

  private final ContainerService containers;
  private final ImageService images;
  private final dev.berth.engine.container.ExecService execs;

  ContainerRoutes(ContainerService containers, ImageService images, dev.berth.engine.container.ExecService execs) {
    this.containers = containers;
    this.images = images;
    this.execs = execs;
  }

  void register(EngineApi.Routes r) {
    r.post("/containers/create", this::create);
    r.get("/containers/json", this::list);
    r.post("/containers/prune", this::prune);
    r.get("/containers/{id}/json", this::inspect);
    r.post("/containers/{id}/start", this::start);
    r.post("/containers/{id}/stop", this::stop);
    r.post("/containers/{id}/restart", this::restart);
    r.post("/containers/{id}/kill", this::kill);
    r.post("/containers/{id}/pause", this::pause);
    r.post("/containers/{id}/unpause", this::unpause);
    r.post("/containers/{id}/wait", this::await);
    r.post("/containers/{id}/rename", this::rename);
    r.post("/containers/{id}/resize", this::resize);
    r.get("/containers/{id}/top", this::top);
    r.delete("/containers/{id}", this::remove);
  }

  private void create(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    byte[] body = req.body().readNBytes(MAX_CREATE_BODY + 1);
    if (body.length == 0) {
      throw new InvalidArgumentException("bad parameter: config cannot be empty in order to create a container");
    }
    var config = Json.read(body, ImageInspect.LegacyConfig.class, "container config", MAX_CREATE_BODY);
    var host = Json.read(body, HostPart.class, "container config", MAX_CREATE_BODY).hostConfig();
    Container c = ImageRoutes.lookup(config.image() == null ? "" : config.image(),
        () -> containers.create(req.query("name"), ContainerViews.spec(config, host)));
    Responses.json(res, 201, new ContainerCreateResponse(c.id(), List.of()));
  }

  /** The part of a create body that is not the config. */
  record HostPart(@com.fasterxml.jackson.annotation.JsonProperty("HostConfig") HostConfig hostConfig) {}

  private void list(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Filters f = Filters.parse(req.query("filters")).accept(LIST_FILTERS);
    boolean all = Responses.bool(req.query("all"));
    boolean size = Responses.bool(req.query("size"));
    int limit = req.query("limit") == null || req.query("limit").isEmpty() ? -1 : Integer.parseInt(req.query("limit"));
    Instant now = Instant.now();
    List<ContainerSummary> out = new ArrayList<>();
    List<Container> list = containers.list();
    Long sinceCreated = bound(f, "since", list);
    Long beforeCreated = bound(f, "before", list);
    for (Container c : list) {
      if (!all && !c.state().running() && limit <= 0 && !f.has("status") && sinceCreated == null && beforeCreated == null
          && !f.has("exited")) {
        continue;
      }
      if (!accepts(f, c) || (sinceCreated != null && c.created().toEpochMilli() <= sinceCreated)
          || (beforeCreated != null && c.created().toEpochMilli() >= beforeCreated)) {
        continue;
      }
      out.add(ContainerViews.summary(c, imageName(c), now, size ? containers.sizeRw(c) : null,
          name -> containers.volumes().inspect(name).mountpoint().toString()));
      if (limit > 0 && out.size() >= limit) {
        break;
      }
    }
    Responses.json(res, out);
  }

  private Long bound(Filters f, String name, List<Container> list) {
    if (!f.has(name)) {
      return null;
    }
    return containers.get(f.get(name).getFirst()).created().toEpochMilli();
  }

  /** Docker's container list filters; each named filter must match one of its values. */
  private boolean accepts(Filters f, Container c) {
    if (f.has("id") && f.get("id").stream().noneMatch(id -> c.id().startsWith(id))) {
      return false;
    }
    if (f.has("name") && f.get("name").stream().noneMatch(n -> matchesName(n, c.name()))) {
      return false;
    }
    if (f.has("status")) {
      for (String s : f.get("status")) {
        ContainerStatus.parse(s);
      }
      if (!f.get("status").contains(c.state().status().wire())) {
        return false;
      }
    }
    if (f.has("exited")) {
      if (c.state().status() != ContainerStatus.EXITED) {
        return false;
      }
      if (f.get("exited").stream().noneMatch(code -> parseInt(code, "exited") == c.state().exitCode())) {
        return false;
      }
    }
    if (!f.matchLabels("label", c.spec().labels())) {
      return false;
    }
    if (f.has("ancestor") && f.get("ancestor").stream().noneMatch(a -> isAncestor(a, c))) {
      return false;
    }
    if (f.has("volume") && f.get("volume").stream().noneMatch(vol -> c.spec().host().mounts().stream()
        .anyMatch(m -> m.source().equals(vol) || m.destination().equals(vol)))) {
      return false;
    }
    if (f.has("network") && f.get("network").stream().noneMatch(n -> n.equals(networkOf(c)))) {
      return false;
    }
    return true;
  }

  private static String networkOf(Container c) {
    String mode = c.spec().host().networkMode();
    return mode.equals("default") ? "none" : mode;
  }

  /** Docker matches names as a regular expression over {@code /name}. */
  private static boolean matchesName(String pattern, String name) {
    try {
      return java.util.regex.Pattern.compile(pattern).matcher("/" + name).find();
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new InvalidArgumentException("invalid filter 'name=" + pattern + "': " + e.getDescription());
    }
  }

  private boolean isAncestor(String ancestor, Container c) {
    if (c.spec().image().equals(ancestor)) {
      return true;
    }
    try {
      return images.inspect(ancestor).id().equals(c.imageId());
    } catch (NotFoundException e) {
      return false;
    }
  }

  private static int parseInt(String s, String filter) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("invalid filter '" + filter + "=" + s + "'");
    }
  }

  /** What {@code ps} shows as IMAGE: the name given at create, or the ID when that name now means another image. */
  private String imageName(Container c) {
    try {
      Image now = images.store().find(c.spec().image()).orElse(null);
      if (now != null && now.id().equals(c.imageId())) {
        return c.spec().image();
      }
    } catch (RuntimeException ignored) {
      // a name that no longer parses or resolves: show the ID
    }
    return c.imageId().toString();
  }

  private void inspect(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Container c = containers.get(req.pathParam("id"));
    var view = ContainerViews.inspect(c, containers.logPath(c.id()).toString(), containers.rootfs().name(),
        execs.idsOf(c.id()), Responses.bool(req.query("size")) ? containers.sizeRw(c) : null);
    var mounts = ContainerViews.withVolumeSources(view.mounts(),
        name -> containers.volumes().inspect(name).mountpoint().toString());
    Responses.json(res, new dev.berth.api.model.ContainerInspect(view.id(), view.created(), view.path(), view.args(),
        view.state(), view.image(), view.resolvConfPath(), view.hostnamePath(), view.hostsPath(), view.logPath(),
        view.name(), view.restartCount(), view.driver(), view.platform(), view.mountLabel(), view.processLabel(),
        view.appArmorProfile(), view.execIds(), view.hostConfig(), view.graphDriver(), view.sizeRw(), view.sizeRootFs(),
        mounts, view.config(), view.networkSettings()));
  }

  private void start(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    if (!containers.start(req.pathParam("id"))) {
      res.status(304);
      return;
    }
    res.status(204);
  }

  private void stop(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    if (!containers.stop(req.pathParam("id"), timeout(req), req.query("signal"))) {
      res.status(304);
      return;
    }
    res.status(204);
  }

  private void restart(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    containers.restart(req.pathParam("id"), timeout(req), req.query("signal"));
    res.status(204);
  }

  private static Integer timeout(HttpRequest req) {
    String t = req.query("t");
    if (t == null || t.isEmpty()) {
      return null;
    }
    try {
      return Integer.parseInt(t);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("invalid value for t: " + t);
    }
  }

  private void kill(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    containers.kill(req.pathParam("id"), req.query("signal"));
    res.status(204);
  }

  private void pause(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    containers.pause(req.pathParam("id"));
    res.status(204);
  }

  private void unpause(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    containers.unpause(req.pathParam("id"));
    res.status(204);
  }

  /**
   * {@code POST /containers/{id}/wait}: the head goes out at once (docker run attaches, waits, then
   * starts), the status code once the condition holds. A newline every few seconds would break the
   * JSON, so the connection just stays open.
   */
  private void await(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    var condition = ContainerService.WaitCondition.parse(req.query("condition"));
    CompletableFuture<Container> done = containers.await(req.pathParam("id"), condition);
    res.status(200).contentType("application/json");
    OutputStream out = res.stream();
    out.flush();
    Container c = done.get();
    ContainerWaitResponse answer = new ContainerWaitResponse(c.state().exitCode(),
        c.state().error().isEmpty() ? null : new ContainerWaitResponse.WaitError(c.state().error()));
    out.write(Json.write(answer));
    out.write('\n');
    out.flush();
  }

  private void rename(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    containers.rename(req.pathParam("id"), req.query("name"));
    res.status(204);
  }

  private void resize(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    containers.resize(req.pathParam("id"), Responses.intQuery(req, "h"), Responses.intQuery(req, "w"));
    res.status(200);
  }

  private void top(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    String psArgs = req.query("ps_args");
    List<String> args = psArgs == null || psArgs.isBlank() ? List.of("-ef") : Arrays.asList(psArgs.strip().split("\\s+"));
    List<List<String>> table = containers.top(req.pathParam("id"), args);
    List<String> titles = table.isEmpty() ? List.of() : table.getFirst();
    Responses.json(res, new ContainerTopResponse(titles, table.isEmpty() ? List.of() : table.subList(1, table.size())));
  }

  private void remove(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    containers.remove(req.pathParam("id"), Responses.bool(req.query("force")), Responses.bool(req.query("v")));
    res.status(204);
  }

  private void prune(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Filters f = Filters.parse(req.query("filters")).accept(PRUNE_FILTERS);
    Instant until = f.has("until") ? until(f.get("until").getFirst()) : null;
    var report = containers.prune(c -> (f.has("label") && !f.matchLabels("label", c.spec().labels()))
        || (f.has("label!") && f.get("label!").stream().anyMatch(l -> Filters.labelMatches(l, c.spec().labels())))
        || (until != null && !c.created().isBefore(until)));
    Responses.json(res, new ContainerPruneReport(report.deleted().isEmpty() ? null : report.deleted(), report.reclaimedBytes()));
  }

  /** {@code until}: a Unix timestamp, an RFC 3339 time, or a Go duration before now ({@code 10m}). */
  static Instant until(String s) {
    try {
      if (s.matches("\\d+(\\.\\d+)?")) {
        return Instant.ofEpochMilli((long) (Double.parseDouble(s) * 1000));
      }
      if (s.matches("\\d+[smh]")) {
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        long secs = switch (s.charAt(s.length() - 1)) {
          case 'h' -> n * 3600;
          case 'm' -> n * 60;
          default -> n;
        };
        return Instant.now().minusSeconds(secs);
      }
      return java.time.OffsetDateTime.parse(s).toInstant();
    } catch (RuntimeException e) {
      throw new InvalidArgumentException("invalid filter 'until=" + s + "'");
    }
  }
}
