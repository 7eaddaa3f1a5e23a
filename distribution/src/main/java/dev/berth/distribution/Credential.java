package dev.berth.distribution;

/**
 * What to authenticate to a registry with, and where it came from, so that an auth failure can say
 * which credential source was used.
 *
 * @param username the user name; {@code "<token>"} (Docker's marker) when {@code secret} is an identity token
 * @param secret the password or identity token
 * @param source where it was found, e.g. "/root/.docker/config.json (auths)"; "anonymous" when none
 */
public record Credential(String username, String secret, String source) {
  public static final Credential ANONYMOUS = new Credential(null, null, "anonymous (no credentials)");

  public Credential {
    source = source == null ? "given" : source;
  }

  public static Credential of(String username, String secret) {
    return new Credential(username, secret, "given");
  }

  public boolean anonymous() {
    return username == null || username.isEmpty();
  }

  /** The Basic {@code Authorization} header value. */
  String basicHeader() {
    return "Basic " + java.util.Base64.getEncoder().encodeToString(
        (username + ":" + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** For messages: user and source, never the secret. */
  public String describe() {
    return anonymous() ? source : "user " + username + " from " + source;
  }

  @Override
  public String toString() {
    return describe();
  }
}
