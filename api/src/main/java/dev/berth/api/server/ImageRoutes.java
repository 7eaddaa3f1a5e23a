package dev.berth.api.server;

import dev.berth.api.model.ApiVersion;
import dev.berth.api.model.ImageDeleteItem;
import dev.berth.api.model.ImagePruneReport;
import dev.berth.api.model.ImageSummary;
import dev.berth.api.model.ImageViews;
import dev.berth.api.model.ProgressMessage;
import dev.berth.engine.ImageService;
import dev.berth.errors.BerthException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;
import dev.berth.http.HttpStatusException;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.image.LoadResult;
import dev.berth.image.RootfsImporter;
import dev.berth.oci.Digest;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** The {@code /images} endpoints: each a few lines over {@link ImageService}. */
final class ImageRoutes {
  private final ImageService images;

  ImageRoutes(ImageService images) {
    this.images = images;
  }

  void register(EngineApi.Routes r) {
    r.get("/images/json", this::list);
    r.post("/images/load", this::load);
    r.get("/images/get", this::saveMany);
    r.post("/images/prune", this::prune);
    r.post("/images/create", this::create);
    r.get("/images/{name...}/json", this::inspect);
    r.get("/images/{name...}/history", this::history);
    r.get("/images/{name...}/get", this::saveOne);
    r.post("/images/{name...}/tag", this::tag);
    r.delete("/images/{name...}", this::remove);
  }

  private void list(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Filters f = Filters.parse(req.query("filters")).accept(ImageFilters.LIST);
    Instant now = Instant.now();
    List<ImageSummary> out = new ArrayList<>();
    for (Image image : images.list()) {
      if (!ImageFilters.accepts(f, image, name -> lookup(name, () -> images.inspect(name)), now)) {
        continue;
      }
      ImageSummary s = ImageViews.summary(image, v);
      if (f.has("reference")) {
        // Docker lists only the names that match, and leaves out images with none.
        List<String> tags = ImageFilters.matchingTags(f.get("reference"), s.repoTags() == null ? List.of() : s.repoTags());
        List<String> digests = ImageFilters.matchingTags(f.get("reference"),
            s.repoDigests() == null ? List.of() : s.repoDigests());
        if (tags.isEmpty() && digests.isEmpty()) {
          continue;
        }
        s = new ImageSummary(s.containers(), s.created(), s.id(), s.labels(), s.parentId(), s.descriptor(),
            s.manifests(), digests, tags, s.sharedSize(), s.size(), s.virtualSize());
      }
      out.add(s);
    }
    // Newest first, as Docker sorts them.
    out.sort((a, b) -> Long.compare(b.created(), a.created()));
    Responses.json(res, out);
  }

  private void inspect(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    String name = req.pathParam("name");
    Image image = lookup(name, () -> images.inspect(name));
    Responses.json(res, ImageViews.inspect(image, v));
  }

  private void history(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    String name = req.pathParam("name");
    Image image = lookup(name, () -> images.inspect(name));
    Responses.json(res, ImageViews.history(image));
  }

  /** {@code POST /images/{name}/tag?repo=&tag=}: 201 and no body, as Docker. */
  private void tag(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    String name = req.pathParam("name");
    Reference target = repoTag(req.query("repo"), req.query("tag"), "tag");
    if (target.familiarRepository().equals("sha256")) {
      throw new InvalidArgumentException("refusing to create an ambiguous tag using digest algorithm as name");
    }
    lookup(name, () -> images.tag(name, target.toString()));
    res.status(201);
  }

  private void remove(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    String name = req.pathParam("name");
    boolean force = Responses.bool(req.query("force"));
    // noprune has no effect: berth keeps no parent chain of intermediate images to prune.
    ImageStore.Removal removal = lookup(name, () -> images.remove(name, force));
    Responses.json(res, deleteItems(removal.untagged(), removal.deleted()));
  }

  private void prune(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Filters f = Filters.parse(req.query("filters")).accept(ImageFilters.PRUNE);
    Boolean dangling = f.bool("dangling");
    boolean all = dangling != null && !dangling;
    Instant now = Instant.now();
    // Images the other filters reject are kept; pruning itself decides on dangling and use.
    Set<Digest> keep = new HashSet<>();
    Filters rest = f.without("dangling");
    for (Image image : images.list()) {
      if (!ImageFilters.accepts(rest, image, images::inspect, now)) {
        keep.add(image.id());
      }
    }
    ImageStore.PruneReport report = keep.isEmpty() ? images.prune(all) : images.prune(all, keep::contains);
    Responses.json(res, new ImagePruneReport(deleteItems(report.untagged(), report.deletedImages()),
        report.reclaimedBytes()));
  }

  /** {@code POST /images/load}: the archive is the body; names loaded come back as a JSON stream. */
  private void load(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    boolean quiet = Responses.bool(req.query("quiet"));
    Platform platform = platform(req.query("platform"));
    var stream = new ProgressStream(res);
    List<String> loaded = new ArrayList<>();
    try {
      LoadResult result = images.load(req.body(), "from the request body", platform, line -> {
        // "Loaded image" lines go out after the load committed; progress only to those who want it.
        if (line.startsWith("Loaded image")) {
          loaded.add(line);
        } else if (!quiet) {
          stream.send(ProgressMessage.stream(line + "\n"));
        }
      });
      if (loaded.isEmpty()) {
        result.images().forEach(i -> loaded.add("Loaded image ID: " + i.id()));
      }
    } catch (RuntimeException e) {
      stream.fail(e);
      return;
    }
    for (String line : loaded) {
      stream.send(ProgressMessage.stream(line + "\n"));
    }
  }

  private void saveMany(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    save(req.query().all("names"), res);
  }

  private void saveOne(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    save(List.of(req.pathParam("name")), res);
  }

  private void save(List<String> names, HttpResponse res) throws Exception {
    if (names.isEmpty()) {
      throw new InvalidArgumentException("saving images: no image named (want ?names=NAME)");
    }
    for (String name : names) {
      lookup(name, () -> images.inspect(name));
    }
    res.contentType("application/x-tar");
    // The archive writer resolves every name before its first byte, so a missing image is still a 404.
    try (var body = new LazyBody(res)) {
      images.save(names, body);
    }
  }

  /**
   * {@code POST /images/create}: with {@code fromSrc=-} an import of the rootfs tar in the body
   * ({@code docker import}); pulling ({@code fromImage}) is not there yet.
   */
  private void create(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    String fromSrc = req.query("fromSrc");
    if (fromSrc == null || fromSrc.isEmpty()) {
      if (req.query("fromImage") != null) {
        new RegistryRoutes(images).pull(v, req, res);
        return;
      }
      throw new InvalidArgumentException("creating an image: want fromImage (pull) or fromSrc (import)");
    }
    if (!fromSrc.equals("-")) {
      throw new InvalidArgumentException("importing from " + fromSrc + ": only the request body (fromSrc=-) is supported");
    }
    String repo = req.query("repo");
    Reference name = repo == null || repo.isEmpty() ? null : repoTag(repo, req.query("tag"), "import");
    var request = new RootfsImporter.Request(fromSrc, name, req.query().all("changes"), req.query("message"),
        platform(req.query("platform")));
    var stream = new ProgressStream(res);
    Image image;
    try {
      image = images.importRootfs(req.body(), request);
    } catch (RuntimeException e) {
      stream.fail(e);
      return;
    }
    stream.send(ProgressMessage.status(null, image.id().toString()));
  }

  /**
   * Docker's {@code RepoTagReference}: {@code repo} may carry a tag, {@code tag} overrides it,
   * {@code latest} when neither does; digests are refused.
   */
  private static Reference repoTag(String repo, String tag, String action) {
    if (repo == null || repo.isEmpty()) {
      throw new InvalidArgumentException(action + ": repository name must have at least one component");
    }
    Reference ref = Reference.parseNormalized(repo);
    if (ref.digest() != null) {
      throw new InvalidArgumentException(action + ": cannot " + action + " with a digest reference " + repo);
    }
    if (tag != null && !tag.isEmpty()) {
      return ref.withTag(tag);
    }
    return ref.tag() == null ? ref.withTag("latest") : ref;
  }

  /** Docker's clients send an OCI platform as JSON (API 1.48+); {@code os/arch[/variant]} is accepted too. */
  private static Platform platform(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (text.startsWith("{")) {
      return dev.berth.oci.Json.read(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), Platform.class,
          "platform " + text, 4096).normalised();
    }
    return Platform.parse(text);
  }

  private static List<ImageDeleteItem> deleteItems(List<String> untagged, List<Digest> deleted) {
    List<ImageDeleteItem> items = new ArrayList<>();
    untagged.forEach(u -> items.add(ImageDeleteItem.untagged(u)));
    deleted.forEach(d -> items.add(ImageDeleteItem.deleted(d)));
    return items;
  }

  /**
   * Runs an image verb, saying "No such image" the way Docker does: a name with its default tag
   * ({@code No such image: nope:latest}), an ID as given.
   */
  static <T> T lookup(String name, Supplier<T> action) {
    try {
      return action.get();
    } catch (NotFoundException e) {
      if (e.getMessage().equals("No such image: " + name)) {
        throw new NotFoundException("No such image: " + dockerName(name), e);
      }
      throw e;
    }
  }

  private static String dockerName(String name) {
    if (Digest.isDigest(name)) {
      return name;
    }
    try {
      return Reference.parse(name).familiar();
    } catch (BerthException e) {
      return name;
    }
  }
}
