package dev.berth.api.server;

import dev.berth.api.model.ApiVersion;
import dev.berth.api.model.ContainerViews;
import dev.berth.api.model.Volume;
import dev.berth.engine.container.VolumeService;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;
import dev.berth.oci.Json;
import java.util.List;
import java.util.Set;

/** The {@code /volumes} endpoints over {@link VolumeService}. */
final class VolumeRoutes {
  static final Set<String> LIST_FILTERS = Set.of("dangling", "driver", "label", "name");
  static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "all");

  private final VolumeService volumes;

  VolumeRoutes(VolumeService volumes) {
    this.volumes = volumes;
  }

  void register(EngineApi.Routes r) {
    r.get("/volumes", this::list);
    r.post("/volumes/create", this::create);
    r.post("/volumes/prune", this::prune);
    r.get("/volumes/{name}", this::inspect);
    r.delete("/volumes/{name}", this::remove);
  }

  private void list(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Filters f = Filters.parse(req.query("filters")).accept(LIST_FILTERS);
    Boolean dangling = f.bool("dangling");
    List<Volume> out = volumes.list().stream()
        .filter(vol -> !f.has("name") || f.get("name").stream().anyMatch(n -> vol.name().contains(n)))
        .filter(vol -> !f.has("driver") || f.get("driver").contains(vol.driver()))
        .filter(vol -> f.matchLabels("label", vol.labels()))
        .filter(vol -> dangling == null || dangling == volumes.usedBy(vol.name()).isEmpty())
        .map(ContainerViews::volume)
        .toList();
    Responses.json(res, new Volume.ListResponse(out, null));
  }

  private void create(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    byte[] body = req.body().readNBytes(1 << 20);
    var r = body.length == 0 ? new Volume.CreateRequest(null, null, null, null)
        : Json.read(body, Volume.CreateRequest.class, "volume create request", 1 << 20);
    var vol = volumes.create(r.name(), r.driver(), r.labels(), r.driverOpts());
    Responses.json(res, 201, ContainerViews.volume(vol));
  }

  private void inspect(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Responses.json(res, ContainerViews.volume(volumes.inspect(req.pathParam("name"))));
  }

  private void remove(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    volumes.remove(req.pathParam("name"), Responses.bool(req.query("force")));
    res.status(204);
  }

  private void prune(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Filters f = Filters.parse(req.query("filters")).accept(PRUNE_FILTERS);
    // API 1.42+: only anonymous volumes unless all=true, as Docker 23+.
    boolean all = Boolean.TRUE.equals(f.bool("all")) || v.lessThan(dev.berth.api.model.ApiVersion.parse("1.42"));
    var report = volumes.prune(all, vol -> (f.has("label") && !f.matchLabels("label", vol.labels()))
        || (f.has("label!") && f.get("label!").stream().anyMatch(l -> Filters.labelMatches(l, vol.labels()))));
    Responses.json(res, new Volume.PruneReport(report.deleted().isEmpty() ? null : report.deleted(), report.reclaimedBytes()));
  }
}
