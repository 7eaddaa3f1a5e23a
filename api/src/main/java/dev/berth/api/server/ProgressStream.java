package dev.berth.api.server;

import dev.berth.api.model.ProgressMessage;
import dev.berth.http.HttpResponse;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;

/**
 * The JSON message stream of load, import and pull: one {@link ProgressMessage} per line, each
 * flushed so that the client shows it at once. Lines end in CRLF as Docker's {@code streamformatter}
 * writes them.
 *
 * <p>Failure follows Docker: before the first message the error is an ordinary error response with
 * its status; after it, the only way left is an error message in the stream, which the CLI prints.
 */
final class ProgressStream {
  private static final System.Logger LOG = System.getLogger("dev.berth.api");
  private static final byte[] CRLF = {'\r', '\n'};

  private final LazyBody body;

  ProgressStream(HttpResponse res) {
    res.contentType("application/json");
    this.body = new LazyBody(res);
  }

  void send(ProgressMessage message) {
    try {
      body.write(Json.write(message));
      body.write(CRLF);
      body.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Rethrows {@code e} while nothing was sent; else reports it in the stream. */
  void fail(RuntimeException e) {
    if (!body.started()) {
      throw e;
    }
    LOG.log(Level.WARNING, "failed after streaming began: " + e.getMessage(), e);
    send(ProgressMessage.error(e.getMessage() != null ? e.getMessage() : e.toString()));
  }
}
