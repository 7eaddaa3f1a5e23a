package dev.berth.api.server;

import dev.berth.http.HttpResponse;
import dev.berth.oci.Json;
import java.io.IOException;
import java.util.Locale;

/** What every handler needs to answer the way Docker's {@code httputils} does. */
final class Responses {
  private Responses() {}

  /** Sends {@code value} as JSON with a trailing newline, as Go's {@code json.Encoder} writes it. */
  static void json(HttpResponse res, int status, Object value) throws IOException {
    byte[] body = Json.write(value);
    byte[] withNewline = new byte[body.length + 1];
    System.arraycopy(body, 0, withNewline, 0, body.length);
    withNewline[body.length] = '\n';
    res.status(status).contentType("application/json").send(withNewline);
  }

  static void json(HttpResponse res, Object value) throws IOException {
    json(res, 200, value);
  }

  /** Docker's {@code httputils.BoolValue}: anything but "", 0, no, false and none is true. */
  static boolean bool(String value) {
    if (value == null) {
      return false;
    }
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "", "0", "no", "false", "none" -> false;
      default -> true;
    };
  }

  /** A required integer query parameter, e.g. a TTY size; a missing or malformed one says which. */
  static int intQuery(dev.berth.http.HttpRequest req, String name) {
    String value = req.query(name);
    try {
      return Integer.parseInt(value == null ? "" : value.strip());
    } catch (NumberFormatException e) {
      throw new dev.berth.errors.InvalidArgumentException("query parameter " + name + "=" + value + ": not an integer");
    }
  }
}
