package dev.berth.http;

/**
 * Answers one request. Runs on the connection's virtual thread, so blocking is fine.
 *
 * <p>A handler either sends a whole body ({@link HttpResponse#send(byte[])}), streams one ({@link
 * HttpResponse#stream()}), takes the connection over ({@link HttpResponse#hijack()}) or returns
 * without doing any of these, which sends the status and headers set so far with an empty body.
 * Exceptions become error responses through the server's {@link ErrorRenderer} while nothing has
 * been sent; after that they abort the connection.
 */
@FunctionalInterface
public interface HttpHandler {
  void handle(HttpRequest req, HttpResponse res) throws Exception;
}
