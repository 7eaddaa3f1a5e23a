package dev.berth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Issues and verifies the registry's bearer tokens: JWTs signed ES256 (ECDSA P-256, SHA-256) with
 * the JDK's crypto, carrying the Docker token spec's {@code access} claim:
 * {@code [{"type":"repository","name":"team/app","actions":["pull","push"]}]}.
 *
 * <p>The key is made when the server starts: tokens live minutes, clients fetch new ones on a 401,
 * and only this server verifies them, so nothing needs to outlive the process.
 */
public final class TokenIssuer {
  /** What a verified token allows. */
  public record Grant(String account, Map<String, Set<String>> access) {
    boolean allows(String type, String name, String action) {
      var a = access.get(type + ":" + name);
      return a != null && (a.contains(action) || a.contains("*"));
    }
  }

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final String issuer;
  private final String service;
  private final Duration expiry;
  private final KeyPair keys;
  private final Clock clock;
  private final String kid;

  public TokenIssuer(String issuer, String service, Duration expiry, Clock clock) {
    this.issuer = issuer;
    this.service = service;
    this.expiry = expiry;
    this.clock = clock;
    try {
      var gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
      this.keys = gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has EC P-256", e);
    }
    this.kid = UUID.randomUUID().toString();
  }

  public String service() {
    return service;
  }

  public Duration expiry() {
    return expiry;
  }

  /** One requested or granted scope: {@code repository:team/app:pull,push}. */
  public record Scope(String type, String name, Set<String> actions) {
    /** Parses a scope; null when malformed (ignored, as the token spec allows). */
    static Scope parse(String text) {
      int first = text.indexOf(':');
      int last = text.lastIndexOf(':');
      if (first <= 0 || last == first) {
        return null;
      }
      var actions = new TreeSet<>(List.of(text.substring(last + 1).split(",")));
      actions.remove("");
      return new Scope(text.substring(0, first), text.substring(first + 1, last), actions);
    }

    @Override
    public String toString() {
      return type + ":" + name + ":" + String.join(",", actions);
    }
  }

  public String issue(String account, List<Scope> granted) {
    Instant now = clock.instant();
    ObjectNode header = Json.MAPPER.createObjectNode().put("alg", "ES256").put("typ", "JWT").put("kid", kid);
    ObjectNode claims = Json.MAPPER.createObjectNode()
        .put("iss", issuer)
        .put("sub", account == null ? "" : account)
        .put("aud", service)
        .put("iat", now.getEpochSecond())
        .put("nbf", now.getEpochSecond() - 5)
        .put("exp", now.plus(expiry).getEpochSecond())
        .put("jti", UUID.randomUUID().toString());
    ArrayNode access = claims.putArray("access");
    for (Scope s : granted) {
      ObjectNode a = access.addObject().put("type", s.type()).put("name", s.name());
      s.actions().forEach(a.putArray("actions")::add);
    }
    String signingInput = B64.encodeToString(Json.write(header)) + "." + B64.encodeToString(Json.write(claims));
    try {
      var sig = Signature.getInstance("SHA256withECDSAinP1363Format");
      sig.initSign(keys.getPrivate());
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(sig.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing a token", e);
    }
  }

  /** The token's grant, or null when it is malformed, forged, for another service or expired. */
  public Grant verify(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      JsonNode header = Json.MAPPER.readTree(B64D.decode(parts[0]));
      if (!"ES256".equals(header.path("alg").asText())) {
        return null; // never "none", never a key confusion
      }
      var sig = Signature.getInstance("SHA256withECDSAinP1363Format");
      sig.initVerify(keys.getPublic());
      sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!sig.verify(B64D.decode(parts[2]))) {
        return null;
      }
      JsonNode claims = Json.MAPPER.readTree(B64D.decode(parts[1]));
      long now = clock.instant().getEpochSecond();
      if (!issuer.equals(claims.path("iss").asText()) || !service.equals(claims.path("aud").asText())
          || claims.path("exp").asLong(0) < now || claims.path("nbf").asLong(Long.MAX_VALUE) > now) {
        return null;
      }
      var access = new HashMap<String, Set<String>>();
      for (JsonNode a : claims.path("access")) {
        var actions = new TreeSet<String>();
        a.path("actions").forEach(x -> actions.add(x.asText()));
        access.merge(a.path("type").asText() + ":" + a.path("name").asText(), actions, (x, y) -> {
          var u = new TreeSet<>(x);
          u.addAll(y);
          return u;
        });
      }
      String sub = claims.path("sub").asText("");
      return new Grant(sub.isEmpty() ? null : sub, access);
    } catch (Exception e) {
      return null;
    }
  }
}
