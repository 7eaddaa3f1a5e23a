package dev.berth.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.UnavailableException;
import dev.berth.oci.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers registry challenges: Basic with the registry's credential, Bearer by fetching a token from
 * the challenge's realm (with the credential, when there is one) for the scope asked. Tokens are
 * cached per host and scope until shortly before they expire; hosts known to want Basic get it
 * up front, so later requests skip the 401 round trip.
 */
final class Authenticator {
  private record Token(String value, Instant expires) {}

  private final CredentialStore credentials;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();

  Authenticator(CredentialStore credentials) {
    this.credentials = credentials;
  }

  Credential credentialFor(String registry) {
    return credentials.get(registry);
  }

  /** The Authorization header to send to {@code host} for {@code scope}, or null when none is known yet. */
  String header(String registry, String host, String scope) {
    Challenge c = challenges.get(host);
    if (c == null) {
      return null;
    }
    if (c.basic()) {
      Credential cred = credentials.get(registry);
      return cred.anonymous() ? null : cred.basicHeader();
    }
    Token t = tokens.get(host + " " + scope);
    return t != null && Instant.now().isBefore(t.expires()) ? "Bearer " + t.value() : null;
  }

  /**
   * Handles a 401 from {@code host}: remembers the challenge and, for Bearer, fetches a token.
   *
   * @return false when there is nothing new to try (Basic without credentials, unknown scheme)
   */
  boolean answer(HttpClient http, String registry, String host, String scope, Challenge challenge) {
    if (challenge == null) {
      return false;
    }
    challenges.put(host, challenge);
    if (challenge.basic()) {
      return !credentials.get(registry).anonymous();
    }
    if (!challenge.bearer() || challenge.param("realm") == null) {
      return false;
    }
    // The scope the registry names (it may add e.g. the mount source) wins over ours.
    String wanted = challenge.param("scope") != null ? challenge.param("scope") : scope;
    Token t = fetchToken(http, registry, challenge, wanted);
    tokens.put(host + " " + scope, t);
    return true;
  }

  private Token fetchToken(HttpClient http, String registry, Challenge challenge, String scope) {
    var query = new StringBuilder();
    if (challenge.param("service") != null) {
      query.append("service=").append(URLEncoder.encode(challenge.param("service"), StandardCharsets.UTF_8));
    }
    if (scope != null) {
      for (String s : scope.split(" ")) {
        if (!s.isEmpty()) {
          query.append(query.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8));
        }
      }
    }
    Credential cred = credentials.get(registry);
    URI realm = URI.create(challenge.param("realm") + (query.isEmpty() ? "" : (challenge.param("realm").contains("?") ? "&" : "?") + query));
    var req = HttpRequest.newBuilder(realm).timeout(Duration.ofSeconds(30)).GET();
    if (!cred.anonymous()) {
      req.header("Authorization", cred.basicHeader());
    }
    HttpResponse<byte[]> res;
    try {
      res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UnavailableException("fetching a token for " + registry + " from " + challenge.param("realm") + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted fetching a token for " + registry);
    }
    if (res.statusCode() != 200) {
      throw new FailedPreconditionException("authenticating to " + registry + " with " + cred.describe() + ": token server "
          + challenge.param("realm") + " answered " + res.statusCode() + " " + Transport.errorText(res.body()));
    }
    JsonNode body = Json.tree(res.body(), "token from " + challenge.param("realm"), 1 << 20);
    String token = body.path("token").asText(body.path("access_token").asText(""));
    if (token.isEmpty()) {
      throw new FailedPreconditionException("authenticating to " + registry + ": token server " + challenge.param("realm")
          + " answered without a token");
    }
    long ttl = Math.max(60, body.path("expires_in").asLong(60));
    return new Token(token, Instant.now().plusSeconds(ttl - 10));
  }
}
