package dev.berth.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Dispatches on method and path pattern. A pattern is a {@code /}-separated list of segments:
 *
 * <ul>
 *   <li>{@code images}: a literal, matched against the decoded segment;
 *   <li>{@code {id}}: one non-empty segment; a literal prefix is allowed, as in {@code v{version}};
 *   <li>{@code {name...}}: one or more segments, greedy, slashes kept; at most one per pattern. It
 *       is how image names with slashes fit in a path: {@code /images/{name...}/json} matches
 *       {@code /images/localhost:5000/a/b:tag/json} and {@code /images/localhost%3A5000%2Fa%2Fb
 *       %3Atag/json} alike, with {@code name = "localhost:5000/a/b:tag"}.
 * </ul>
 *
 * <p>Segments are split on the raw path and decoded one by one, so {@code %2F} inside a name never
 * splits it. When several patterns match, the one with more literal segments wins, then one
 * without a greedy segment, then the first added. No match is 404; a path matched only under other
 * methods is 405 with {@code Allow}. HEAD falls back to the GET route.
 */
public final class Router implements HttpHandler {
  private final List<Route> routes = new ArrayList<>();

  private record Route(String method, Pattern pattern, HttpHandler handler, int order) {}

  public Router get(String pattern, HttpHandler handler) {
    return route("GET", pattern, handler);
  }

  public Router head(String pattern, HttpHandler handler) {
    return route("HEAD", pattern, handler);
  }

  public Router post(String pattern, HttpHandler handler) {
    return route("POST", pattern, handler);
  }

  public Router put(String pattern, HttpHandler handler) {
    return route("PUT", pattern, handler);
  }

  public Router patch(String pattern, HttpHandler handler) {
    return route("PATCH", pattern, handler);
  }

  public Router delete(String pattern, HttpHandler handler) {
    return route("DELETE", pattern, handler);
  }

  public Router route(String method, String pattern, HttpHandler handler) {
    if (!Wire.isToken(method)) {
      throw new IllegalArgumentException("invalid method " + method);
    }
    routes.add(new Route(method, Pattern.parse(pattern), handler, routes.size()));
    routes.sort(
        Comparator.comparingInt((Route r) -> -r.pattern().literals())
            .thenComparing(r -> r.pattern().greedy())
            .thenComparingInt(Route::order));
    return this;
  }

  @Override
  public void handle(HttpRequest req, HttpResponse res) throws Exception {
    if (!req.rawPath().startsWith("/")) {
      throw new HttpStatusException(404, "page not found");
    }
    String[] segments = req.rawPath().substring(1).split("/", -1);
    String[] decoded = new String[segments.length];
    for (int i = 0; i < segments.length; i++) {
      try {
        decoded[i] = Wire.percentDecode(segments[i], false);
      } catch (IllegalArgumentException e) {
        throw new HttpStatusException(400, "malformed path: " + e.getMessage());
      }
    }
    var allowed = new TreeSet<String>();
    Route getForHead = null;
    Map<String, String> getParams = null;
    for (Route route : routes) {
      Map<String, String> params = route.pattern().match(decoded);
      if (params == null) {
        continue;
      }
      if (route.method().equals(req.method())) {
        route.handler().handle(req.withPathParams(params), res);
        return;
      }
      allowed.add(route.method());
      if (req.method().equals("HEAD") && route.method().equals("GET") && getForHead == null) {
        getForHead = route;
        getParams = params;
      }
    }
    if (getForHead != null) {
      getForHead.handler().handle(req.withPathParams(getParams), res);
      return;
    }
    if (allowed.isEmpty()) {
      throw new HttpStatusException(404, "page not found");
    }
    res.header("Allow", String.join(", ", allowed));
    throw new HttpStatusException(
        405, "method " + req.method() + " not allowed on " + req.path());
  }

  private sealed interface Segment {
    record Literal(String text) implements Segment {}

    record Param(String prefix, String name) implements Segment {}

    record Greedy(String name) implements Segment {}
  }

  private record Pattern(String text, List<Segment> segments, int greedyAt) {
    static Pattern parse(String text) {
      if (!text.startsWith("/")) {
        throw new IllegalArgumentException("pattern must start with /: " + text);
      }
      var segments = new ArrayList<Segment>();
      int greedyAt = -1;
      for (String s : text.substring(1).split("/", -1)) {
        int open = s.indexOf('{');
        if (open < 0) {
          segments.add(new Segment.Literal(s));
          continue;
        }
        if (!s.endsWith("}")) {
          throw new IllegalArgumentException("a {param} must end its segment: " + text);
        }
        String name = s.substring(open + 1, s.length() - 1);
        if (name.endsWith("...")) {
          if (greedyAt >= 0 || open > 0) {
            throw new IllegalArgumentException(
                "one greedy {name...}, a whole segment, per pattern: " + text);
          }
          greedyAt = segments.size();
          segments.add(new Segment.Greedy(name.substring(0, name.length() - 3)));
        } else {
          segments.add(new Segment.Param(s.substring(0, open), name));
        }
      }
      return new Pattern(text, List.copyOf(segments), greedyAt);
    }

    int literals() {
      return (int) segments.stream().filter(s -> s instanceof Segment.Literal).count();
    }

    boolean greedy() {
      return greedyAt >= 0;
    }

    /** The named segments if the path matches, else null. */
    Map<String, String> match(String[] path) {
      int n = segments.size();
      if (greedyAt < 0 ? path.length != n : path.length < n) {
        return null;
      }
      var params = new HashMap<String, String>();
      int before = greedyAt < 0 ? n : greedyAt;
      for (int i = 0; i < before; i++) {
        if (!matchOne(segments.get(i), path[i], params)) {
          return null;
        }
      }
      if (greedyAt < 0) {
        return params;
      }
      int after = n - greedyAt - 1;
      for (int j = 0; j < after; j++) {
        if (!matchOne(segments.get(n - 1 - j), path[path.length - 1 - j], params)) {
          return null;
        }
      }
      String joined = String.join("/", List.of(path).subList(greedyAt, path.length - after));
      if (joined.isEmpty()) {
        return null;
      }
      params.put(((Segment.Greedy) segments.get(greedyAt)).name(), joined);
      return params;
    }

    private static boolean matchOne(Segment s, String value, Map<String, String> params) {
      return switch (s) {
        case Segment.Literal l -> l.text().equals(value);
        case Segment.Param p -> {
          if (value.length() <= p.prefix().length() || !value.startsWith(p.prefix())) {
            yield false;
          }
          params.put(p.name(), value.substring(p.prefix().length()));
          yield true;
        }
        case Segment.Greedy g -> throw new AssertionError("greedy segment matched alone");
      };
    }
  }
}
