package dev.berth.registry;

import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mindrot.jbcrypt.BCrypt;

/**
 * Accounts from an htpasswd file with bcrypt hashes ({@code htpasswd -B}), the only kind the
 * distribution registry accepts too. Verified passwords are remembered (as a SHA-256 of account,
 * password and hash) because bcrypt is slow on purpose and a push sends credentials with each of
 * its requests.
 */
public final class Htpasswd {
  private final Map<String, String> hashes;
  private final Set<String> verified = ConcurrentHashMap.newKeySet();

  private Htpasswd(Map<String, String> hashes) {
    this.hashes = Map.copyOf(hashes);
  }

  public static Htpasswd read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("reading htpasswd file " + file + ": " + e.getMessage(), e);
    }
    var map = new HashMap<String, String>();
    int lineNo = 0;
    for (String line : text.split("\n")) {
      lineNo++;
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String hash = colon < 0 ? "" : line.substring(colon + 1);
      if (colon <= 0 || !(hash.startsWith("$2y$") || hash.startsWith("$2a$") || hash.startsWith("$2b$"))) {
        throw new InvalidArgumentException(
            "htpasswd file " + file + " line " + lineNo + ": want ACCOUNT:BCRYPT-HASH (create it with htpasswd -B)");
      }
      map.put(line.substring(0, colon), hash);
    }
    return new Htpasswd(map);
  }

  /** Whether the password is the account's. */
  public boolean verify(String account, String password) {
    String hash = hashes.get(account);
    if (hash == null) {
      return false;
    }
    String key = sha256(account + "\0" + password + "\0" + hash);
    if (verified.contains(key)) {
      return true;
    }
    // $2y$ and $2b$ are the same algorithm as $2a$ (they only fix bugs of other implementations).
    boolean ok;
    try {
      ok = BCrypt.checkpw(password, "$2a$" + hash.substring(4));
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (ok) {
      verified.add(key);
    }
    return ok;
  }

  private static String sha256(String s) {
    var md = dev.berth.oci.DigestAlgorithm.SHA256.newMessageDigest();
    return java.util.HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
