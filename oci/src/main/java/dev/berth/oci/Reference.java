package dev.berth.oci;

import dev.berth.errors.InvalidArgumentException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference with Docker's normalisation: {@code nginx} is {@code docker.io/library/nginx:latest},
 * {@code index.docker.io} is {@code docker.io}, and a name without tag or digest gets {@code latest}.
 *
 * <p>{@code toString()} gives the full form; {@link #familiar()} the short form Docker shows.
 */
public record Reference(String domain, String path, String tag, Digest digest) {

  public static final String DOCKER_HUB = "docker.io";
  private static final int MAX_NAME_LENGTH = 255;

  private static final String ALNUM = "[a-z0-9]+";
  private static final String SEPARATOR = "(?:[._]|__|[-]+)";
  private static final Pattern PATH_COMPONENT = Pattern.compile(ALNUM + "(?:" + SEPARATOR + ALNUM + ")*");
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final Pattern DOMAIN = Pattern.compile(
      "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern ID = Pattern.compile("[a-f0-9]{64}");

  public Reference {
    if (domain == null || path == null || domain.isEmpty() || path.isEmpty()) {
      throw new InvalidArgumentException("invalid reference: missing repository name");
    }
    if (!DOMAIN.matcher(domain).matches()) {
      throw new InvalidArgumentException("invalid reference format: registry \"" + domain + "\" is not a host[:port]");
    }
    for (String component : path.split("/", -1)) {
      if (!PATH_COMPONENT.matcher(component).matches()) {
        throw new InvalidArgumentException("invalid reference format: repository name \"" + path
            + "\" has an invalid component \"" + component + "\" (lowercase letters, digits and . _ - separators)");
      }
    }
    if (domain.length() + 1 + path.length() > MAX_NAME_LENGTH) {
      throw new InvalidArgumentException("invalid reference format: repository name must not be longer than "
          + MAX_NAME_LENGTH + " characters");
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new InvalidArgumentException("invalid reference format: tag \"" + tag + "\" (want [A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
    }
  }

  /** Parses and normalises a reference; a name without tag or digest gets {@code :latest}. */
  public static Reference parse(String text) {
    Reference r = parseNormalized(text);
    return r.tag == null && r.digest == null ? r.withTag("latest") : r;
  }

  /** Parses and normalises a reference, adding no default tag. */
  public static Reference parseNormalized(String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidArgumentException("invalid reference format: empty name");
    }
    if (ID.matcher(text).matches()) {
      throw new InvalidArgumentException("invalid repository name (" + text + "), cannot specify 64-byte hexadecimal strings");
    }
    String rest = text;
    Digest digest = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      digest = Digest.parse(rest.substring(at + 1));
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    String domain;
    String path;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? "" : rest.substring(0, slash);
    if (slash < 0 || (!first.contains(".") && !first.contains(":") && !first.equals("localhost")
        && first.toLowerCase(Locale.ROOT).equals(first))) {
      domain = DOCKER_HUB;
      path = rest;
    } else {
      domain = first;
      path = rest.substring(slash + 1);
    }
    if (domain.equals("index.docker.io")) {
      domain = DOCKER_HUB;
    }
    if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
      path = "library/" + path;
    }
    if (!path.toLowerCase(Locale.ROOT).equals(path)) {
      throw new InvalidArgumentException("invalid reference format: repository name (" + path + ") must be lowercase");
    }
    return new Reference(domain, path, tag, digest);
  }

  public Reference withTag(String t) {
    return new Reference(domain, path, t, digest);
  }

  public Reference withDigest(Digest d) {
    return new Reference(domain, path, tag, d);
  }

  /** {@code domain/path}, e.g. {@code docker.io/library/busybox}. */
  public String repository() {
    return domain + "/" + path;
  }

  /** The repository as Docker shows it: {@code busybox}, {@code user/app}, {@code localhost:5000/a/b}. */
  public String familiarRepository() {
    if (domain.equals(DOCKER_HUB)) {
      return path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
    }
    return repository();
  }

  /** The reference as Docker shows it: {@code busybox:latest}. */
  public String familiar() {
    return familiarRepository() + suffix();
  }

  private String suffix() {
    return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }

  @Override
  public String toString() {
    return repository() + suffix();
  }
}
