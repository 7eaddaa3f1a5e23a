package dev.berth.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A parsed request line and header block, before any of the body is read. */
record RequestHead(String method, String target, String version, Headers headers) {

  /**
   * Reads the next request head.
   *
   * @return null when the peer closed the connection cleanly between requests
   * @throws BadMessageException 400 when malformed, 414 for a long request line, 431 for large
   *     headers, 505 for an HTTP version other than 1.x
   */
  static RequestHead read(WireInput in, int maxLine, int maxHeaders) throws IOException {
    String line = in.readLine(maxLine, 414);
    // RFC 9112 §2.2: ignore empty lines before a request line (some clients send CRLF after a body).
    for (int i = 0; line != null && line.isEmpty() && i < 4; i++) {
      line = in.readLine(maxLine, 414);
    }
    if (line == null) {
      return null;
    }
    int sp1 = line.indexOf(' ');
    int sp2 = line.lastIndexOf(' ');
    if (sp1 <= 0 || sp2 <= sp1 + 1) {
      throw new BadMessageException(400, "malformed request line");
    }
    String method = line.substring(0, sp1);
    String target = line.substring(sp1 + 1, sp2);
    String version = line.substring(sp2 + 1);
    if (!Wire.isToken(method) || target.indexOf(' ') >= 0 || hasControl(target)) {
      throw new BadMessageException(400, "malformed request line");
    }
    if (!version.startsWith("HTTP/") || version.length() != 8 || version.charAt(6) != '.') {
      throw new BadMessageException(400, "malformed request line: bad version");
    }
    if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
      throw new BadMessageException(505, "HTTP version " + version + " is not supported");
    }
    return new RequestHead(method, target, version, readHeaders(in, maxHeaders, 431));
  }

  /** Reads header lines up to the empty line; shared with the client. */
  static Headers readHeaders(WireInput in, int maxBytes, int tooLargeStatus) throws IOException {
    var fields = new ArrayList<Map.Entry<String, String>>();
    int budget = maxBytes;
    while (true) {
      String line = in.readLine(Math.max(budget, 0), tooLargeStatus);
      if (line == null) {
        throw new java.io.EOFException("connection closed inside the header block");
      }
      if (line.isEmpty()) {
        return Headers.ofTrusted(fields);
      }
      budget -= line.length() + 2;
      if (budget < 0) {
        throw new BadMessageException(tooLargeStatus, "header block larger than " + maxBytes);
      }
      char first = line.charAt(0);
      if (first == ' ' || first == '\t') {
        throw new BadMessageException(400, "obsolete header line folding");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new BadMessageException(400, "malformed header line");
      }
      String name = line.substring(0, colon);
      if (!Wire.isToken(name)) {
        throw new BadMessageException(400, "malformed header name \"" + name + "\"");
      }
      String value = line.substring(colon + 1).strip();
      if (hasControl(value)) {
        throw new BadMessageException(400, "control character in header " + name);
      }
      fields.add(Map.entry(name, value));
    }
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  boolean keepAlive() {
    if (version.equals("HTTP/1.0")) {
      return headers.hasToken("Connection", "keep-alive");
    }
    return !headers.hasToken("Connection", "close");
  }

  String describe() {
    return method + " " + target;
  }

  /**
   * The body framing of RFC 9112 §6.3: chunked wins, Content-Length otherwise, else none (a
   * request is never read until close). Both at once is refused: it is how requests get smuggled.
   */
  BodyInput body(WireInput in) throws BadMessageException {
    return framing(headers, in, false);
  }

  static BodyInput framing(Headers headers, WireInput in, boolean untilCloseAllowed)
      throws BadMessageException {
    List<String> te = headers.all("Transfer-Encoding");
    List<String> cl = headers.all("Content-Length");
    if (!te.isEmpty()) {
      if (!cl.isEmpty()) {
        throw new BadMessageException(400, "both Transfer-Encoding and Content-Length");
      }
      String joined = String.join(",", te).strip().toLowerCase();
      if (!joined.equals("chunked")) {
        throw new BadMessageException(501, "Transfer-Encoding \"" + joined + "\" not supported");
      }
      return new BodyInput.Chunked(in);
    }
    if (!cl.isEmpty()) {
      long length = -1;
      for (String value : cl) {
        for (String part : value.split(",")) {
          long n = parseLength(part.strip());
          if (length >= 0 && n != length) {
            throw new BadMessageException(400, "conflicting Content-Length values");
          }
          length = n;
        }
      }
      return new BodyInput.Fixed(in, length);
    }
    return untilCloseAllowed ? new BodyInput.UntilClose(in) : BodyInput.empty();
  }

  private static long parseLength(String s) throws BadMessageException {
    if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new BadMessageException(400, "invalid Content-Length \"" + s + "\"");
    }
    return Long.parseLong(s);
  }

  HttpRequest toRequest(BodyInput body) throws BadMessageException {
    String rawPath;
    String rawQuery;
    String t = target;
    if (!t.startsWith("/") && !t.equals("*")) {
      // absolute-form (proxies): http://host/path
      int scheme = t.indexOf("://");
      if (scheme <= 0) {
        throw new BadMessageException(400, "malformed request target");
      }
      int slash = t.indexOf('/', scheme + 3);
      t = slash < 0 ? "/" : t.substring(slash);
    }
    int hash = t.indexOf('#');
    if (hash >= 0) {
      t = t.substring(0, hash);
    }
    int q = t.indexOf('?');
    rawPath = q < 0 ? t : t.substring(0, q);
    rawQuery = q < 0 ? "" : t.substring(q + 1);
    try {
      String path = Wire.percentDecode(rawPath, false);
      QueryParams query = QueryParams.parse(rawQuery);
      return new HttpRequest(
          method, target, rawPath, path, query, headers, Map.of(), body, version);
    } catch (IllegalArgumentException e) {
      throw new BadMessageException(400, "malformed request target: " + e.getMessage());
    }
  }
}
