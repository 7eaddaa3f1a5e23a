package dev.berth.api.server;

import dev.berth.api.model.ApiVersion;
import dev.berth.engine.ImageService;
import dev.berth.errors.BerthException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.http.HttpHandler;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpStatusException;
import dev.berth.http.Router;
import java.lang.System.Logger.Level;

/**
 * The Docker Engine API over berth's services: every route answers both unversioned
 * ({@code /images/json}) and under a version prefix ({@code /v1.50/images/json}), where the version
 * decides the shape of version-dependent answers.
 *
 * <pre>{@code
 * var api = EngineApi.handler(ImageService.open(root), EngineFacts.probe(root), false);
 * try (var server = HttpServer.start(UnixDomainSocketAddress.of(socket), api)) { ... }
 * }</pre>
 */
public final class EngineApi {
  private static final System.Logger LOG = System.getLogger("dev.berth.api");

  private EngineApi() {}

  /**
   * The whole API: routes, the headers Docker sends on every answer, and one debug log line per
   * request.
   *
   * @param debug what {@code /info} says as {@code Debug}
   */
  public static HttpHandler handler(ImageService images, EngineFacts facts, boolean debug) {
    return handler(images, null, facts, debug);
  }

  /** The whole API with the container, volume and event endpoints of {@code containers} (null: images only). */
  public static HttpHandler handler(ImageService images, dev.berth.engine.container.ContainerService containers,
      EngineFacts facts, boolean debug) {
    var routes = new Routes(new Router());
    new SystemRoutes(images, containers, facts, debug).register(routes);
    new ImageRoutes(images).register(routes);
    new RegistryRoutes(images).register(routes);
    new BuildRoutes(dev.berth.engine.build.BuildService.open(facts.rootDir(), images, containers)).register(routes);
    if (containers != null) {
      var execs = new dev.berth.engine.container.ExecService(containers);
      new ContainerRoutes(containers, images, execs).register(routes);
      new VolumeRoutes(containers.volumes()).register(routes);
      new EventRoutes(containers.events()).register(routes);
      new ExecRoutes(execs).register(routes);
      new StreamRoutes(containers, execs).register(routes);
    }
    HttpHandler router = routes.router;
    String server = "berth/" + facts.version() + " (linux)";
    return (req, res) -> {
      long start = System.nanoTime();
      res.header("Server", server)
          .header("Api-Version", ApiVersion.CURRENT.toString())
          .header("Docker-Experimental", "false")
          .header("Ostype", "linux");
      try {
        router.handle(req, res);
        log(req, res.status(), start, null);
      } catch (Exception e) {
        log(req, res.committed() ? res.status() : statusOf(e), start, e);
        throw e;
      }
    };
  }

  private static void log(HttpRequest req, int status, long start, Exception e) {
    if (!LOG.isLoggable(Level.DEBUG)) {
      return;
    }
    long micros = (System.nanoTime() - start) / 1000;
    LOG.log(Level.DEBUG, "%s %s %d %d.%03dms%s".formatted(req.method(), req.target(), status, micros / 1000,
        micros % 1000, e == null ? "" : ": " + e.getMessage()));
  }

  private static int statusOf(Exception e) {
    return switch (e) {
      case BerthException b -> b.httpStatus();
      case HttpStatusException h -> h.status();
      default -> 500;
    };
  }

  /**
   * The version of a {@code /v{version}/...} path, checked as Docker's version middleware does:
   * above {@link ApiVersion#CURRENT} or below {@link ApiVersion#MINIMUM} is a 400 with Docker's
   * words, which clients show as is.
   */
  static ApiVersion requested(String text) {
    ApiVersion v;
    try {
      v = ApiVersion.parse(text);
    } catch (InvalidArgumentException e) {
      // Docker's router only matches /v[0-9.]+, so anything else is no route at all.
      throw new HttpStatusException(404, "page not found");
    }
    if (v.lessThan(ApiVersion.MINIMUM)) {
      throw new InvalidArgumentException("client version " + text + " is too old. Minimum supported API version is "
          + ApiVersion.MINIMUM + ", please upgrade your client to a newer version");
    }
    if (ApiVersion.CURRENT.lessThan(v)) {
      throw new InvalidArgumentException("client version " + text + " is too new. Maximum supported API version is "
          + ApiVersion.CURRENT);
    }
    return v;
  }

  /** Registers each route twice: bare, at the current version, and under {@code /v{version}}. */
  static final class Routes {
    private final Router router;

    private Routes(Router router) {
      this.router = router;
    }

    Routes get(String path, ApiHandler h) {
      return add("GET", path, h);
    }

    Routes head(String path, ApiHandler h) {
      return add("HEAD", path, h);
    }

    Routes post(String path, ApiHandler h) {
      return add("POST", path, h);
    }

    Routes delete(String path, ApiHandler h) {
      return add("DELETE", path, h);
    }

    Routes put(String path, ApiHandler h) {
      return add("PUT", path, h);
    }

    private Routes add(String method, String path, ApiHandler h) {
      router.route(method, path, (req, res) -> h.handle(ApiVersion.CURRENT, req, res));
      router.route(method, "/v{version}" + path,
          (req, res) -> h.handle(requested(req.pathParam("version")), req, res));
      return this;
    }
  }
}
