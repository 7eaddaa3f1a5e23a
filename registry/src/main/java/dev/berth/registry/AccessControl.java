package dev.berth.registry;

import dev.berth.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may do what. Three modes, from the config: open (no {@code auth}), Basic ({@code
 * auth.htpasswd}) and Bearer ({@code auth.token}: clients get a JWT from {@code /auth/token} with
 * their Basic credentials, as the Docker token spec describes, then send it).
 *
 * <p>Permissions come from {@code auth.access}: the first rule matching the account and the
 * repository gives its actions; without rules every authenticated account may do everything.
 * Clients without credentials get {@code auth.anonymous}.
 */
public final class AccessControl {
  static final String TOKEN_PATH = "/auth/token";

  private final RegistryConfig.Auth config;
  private final Htpasswd htpasswd;
  private final TokenIssuer tokens;
  private final String scheme;

  private AccessControl(RegistryConfig.Auth config, Htpasswd htpasswd, TokenIssuer tokens, String scheme) {
    this.config = config;
    this.htpasswd = htpasswd;
    this.tokens = tokens;
    this.scheme = scheme;
  }

  /** @param tls whether clients reach the server over TLS: the scheme of the token realm */
  public static AccessControl of(RegistryConfig.Auth auth, boolean tls, java.time.Clock clock) {
    String scheme = tls ? "https" : "http";
    if (auth == null) {
      return new AccessControl(null, null, null, scheme);
    }
    var token = auth.token();
    return new AccessControl(auth, Htpasswd.read(auth.htpasswd()),
        token == null ? null : new TokenIssuer(token.issuer(), token.service(), token.expiry(), clock), scheme);
  }

  public boolean open() {
    return config == null;
  }

  public TokenIssuer tokens() {
    return tokens;
  }

  /** The account of a request, once checked. Null account: anonymous. */
  public record Caller(String account, TokenIssuer.Grant grant) {}

  /** The actions the account may do on the repository (null account: anonymous). */
  public Set<String> allowed(String account, String repository) {
    if (config == null) {
      return RegistryConfig.ACTIONS;
    }
    if (account == null) {
      return config.anonymous();
    }
    if (config.access().isEmpty()) {
      return RegistryConfig.ACTIONS;
    }
    for (var rule : config.access()) {
      if (rule.matches(account, repository)) {
        return rule.actions();
      }
    }
    return Set.of();
  }

  /**
   * Checks that the request may do {@code actions} on {@code repository} (null: only that it is
   * authenticated, as for {@code /v2/}); throws 401 UNAUTHORIZED with a challenge or 403 DENIED.
   */
  public Caller authorize(HttpRequest req, String repository, String... actions) {
    if (config == null) {
      return new Caller(null, null);
    }
    String authz = req.header("Authorization");
    if (tokens != null) {
      TokenIssuer.Grant grant = null;
      if (authz != null && authz.regionMatches(true, 0, "Bearer ", 0, 7)) {
        grant = tokens.verify(authz.substring(7).strip());
        if (grant == null) {
          throw challenge(req, repository, actions, "invalid_token", "invalid or expired token");
        }
      }
      if (grant == null) {
        throw challenge(req, repository, actions, null, "authentication required");
      }
      for (String a : actions) {
        if (!grant.allows("repository", repository, a)) {
          throw challenge(req, repository, actions, "insufficient_scope", "token does not grant " + a + " on " + repository);
        }
      }
      return new Caller(grant.account(), grant);
    }
    String account = basicAccount(authz);
    if (account == null && (repository == null || actions.length == 0)) {
      throw challenge(req, repository, actions, null, "authentication required");
    }
    if (repository == null) {
      return new Caller(account, null);
    }
    Set<String> allowed = allowed(account, repository);
    for (String a : actions) {
      if (!allowed.contains(a)) {
        if (account == null) {
          throw challenge(req, repository, actions, null, "authentication required to " + a + " " + repository);
        }
        throw new RegistryException(ErrorCode.DENIED, "account " + account + " may not " + a + " " + repository);
      }
    }
    return new Caller(account, null);
  }

  /** The account of valid Basic credentials, null for none; 401 for wrong ones. */
  public String basicAccount(String authz) {
    if (authz == null || !authz.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(authz.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(ErrorCode.UNAUTHORIZED, "malformed Basic credentials").withHeader("WWW-Authenticate", basicChallenge());
    }
    int colon = decoded.indexOf(':');
    if (decoded.equals(":")) {
      return null; // what clients without credentials send after a Basic challenge: anonymous
    }
    if (colon < 0 || !htpasswd.verify(decoded.substring(0, colon), decoded.substring(colon + 1))) {
      throw new RegistryException(ErrorCode.UNAUTHORIZED, "invalid username or password").withHeader("WWW-Authenticate", basicChallenge());
    }
    return decoded.substring(0, colon);
  }

  private static String basicChallenge() {
    return "Basic realm=\"berth-registry\"";
  }

  private RegistryException challenge(HttpRequest req, String repository, String[] actions, String error, String message) {
    String value;
    if (tokens == null) {
      value = basicChallenge();
    } else {
      String host = req.header("Host") == null ? "localhost" : req.header("Host");
      var sb = new StringBuilder("Bearer realm=\"" + scheme + "://" + host + TOKEN_PATH + "\",service=\"" + tokens.service() + "\"");
      if (repository != null && actions.length > 0) {
        sb.append(",scope=\"repository:").append(repository).append(':').append(String.join(",", actions)).append('"');
      }
      if (error != null) {
        sb.append(",error=\"").append(error).append('"');
      }
      value = sb.toString();
    }
    return new RegistryException(ErrorCode.UNAUTHORIZED, message).withHeader("WWW-Authenticate", value);
  }

  /**
   * The token endpoint: {@code GET /auth/token?service=S&scope=repository:NAME:pull,push}, with
   * Basic credentials or none (anonymous). Grants what was asked for and is allowed; never fails
   * for lack of permission (the token then lacks the action, and the registry answers 401).
   */
  public String issueToken(HttpRequest req) {
    String account = basicAccount(req.header("Authorization"));
    String service = req.query("service");
    if (service != null && !service.equals(tokens.service())) {
      throw new RegistryException(ErrorCode.DENIED, "this token server serves \"" + tokens.service() + "\", not \"" + service + "\"");
    }
    var granted = new ArrayList<TokenIssuer.Scope>();
    for (String s : req.query().all("scope")) {
      for (String one : s.split(" ")) {
        var scope = TokenIssuer.Scope.parse(one);
        if (scope == null || !scope.type().equals("repository") || !Names.isRepository(scope.name())) {
          continue;
        }
        var actions = new TreeSet<String>();
        Set<String> allowed = allowed(account, scope.name());
        for (String a : scope.actions()) {
          if (a.equals("*")) {
            actions.addAll(allowed);
          } else if (allowed.contains(a)) {
            actions.add(a);
          }
        }
        granted.add(new TokenIssuer.Scope("repository", scope.name(), actions));
      }
    }
    String token = tokens.issue(account, List.copyOf(granted));
    long now = java.time.Instant.now().getEpochSecond();
    return "{\"token\":\"" + token + "\",\"access_token\":\"" + token + "\",\"expires_in\":" + tokens.expiry().toSeconds()
        + ",\"issued_at\":\"" + java.time.Instant.ofEpochSecond(now) + "\"}";
  }
}
