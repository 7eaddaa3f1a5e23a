package dev.berth.cli;

import dev.berth.http.HttpClient;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where the daemon listens, from {@code -H}: {@code unix:///run/berth/berth.sock} or {@code
 * tcp://host:2375}. Only a unix socket can have a daemon started for it: a TCP address may be
 * another machine.
 */
record Endpoint(String text, Path socket, String host, int port) {

  static final String DEFAULT = "unix:///run/berth/berth.sock";

  static Endpoint parse(String text) {
    if (text.startsWith("unix://")) {
      String path = text.substring("unix://".length());
      if (!path.startsWith("/")) {
        throw new CliException(125, "invalid host \"" + text + "\": want unix:///absolute/path.sock");
      }
      return new Endpoint(text, Path.of(path), null, 0);
    }
    if (text.startsWith("tcp://") || text.startsWith("http://")) {
      URI uri = URI.create(text);
      if (uri.getHost() == null) {
        throw new CliException(125, "invalid host \"" + text + "\": want tcp://HOST:PORT");
      }
      return new Endpoint(text, null, uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort());
    }
    if (text.startsWith("/")) {
      return new Endpoint("unix://" + text, Path.of(text), null, 0);
    }
    throw new CliException(125, "invalid host \"" + text + "\": want unix:///path.sock or tcp://HOST:PORT");
  }

  boolean isUnix() {
    return socket != null;
  }

  HttpClient client() {
    return isUnix() ? HttpClient.unix(socket) : HttpClient.tcp(host, port);
  }

  @Override
  public String toString() {
    return text;
  }
}
