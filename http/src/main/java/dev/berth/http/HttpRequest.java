package dev.berth.http;

import java.io.InputStream;
import java.util.Map;

/**
 * One request as the handler sees it.
 *
 * @param method upper-case method, e.g. {@code GET}
 * @param target the request target exactly as sent, e.g. {@code /images/a%2Fb/json?x=1}
 * @param rawPath the path of the target, still percent-encoded
 * @param path the path percent-decoded ({@code %2F} becomes {@code /})
 * @param query the decoded query parameters
 * @param headers the header fields
 * @param pathParams the named segments the {@link Router} matched, decoded
 * @param body the body, streamed off the connection; empty when there is none
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 */
public record HttpRequest(
    String method,
    String target,
    String rawPath,
    String path,
    QueryParams query,
    Headers headers,
    Map<String, String> pathParams,
    InputStream body,
    String version) {

  public HttpRequest {
    pathParams = Map.copyOf(pathParams);
  }

  /** The first value of a header, or null. */
  public String header(String name) {
    return headers.first(name);
  }

  /** The first value of a query parameter, or null. */
  public String query(String name) {
    return query.first(name);
  }

  /**
   * A named segment of the route that matched.
   *
   * @throws IllegalArgumentException when the route has no such segment (a programming error)
   */
  public String pathParam(String name) {
    String v = pathParams.get(name);
    if (v == null) {
      throw new IllegalArgumentException("route has no path parameter {" + name + "}");
    }
    return v;
  }

  /** The declared body length, or -1 when chunked. */
  public long contentLength() {
    return body instanceof BodyInput b ? b.length() : -1;
  }

  public HttpRequest withPathParams(Map<String, String> params) {
    return new HttpRequest(method, target, rawPath, path, query, headers, params, body, version);
  }
}
