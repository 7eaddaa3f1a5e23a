package dev.berth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
  @Test
  void hashesAndRoundTrips() {
    Digest d = Digest.sha256("".getBytes(StandardCharsets.UTF_8));
    assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", d.toString());
    assertEquals(d, Digest.parse(d.toString()));
    assertEquals("e3b0c44298fc", d.shortHex());
    Digest s512 = Digest.of(DigestAlgorithm.SHA512, new byte[0]);
    assertEquals(128, s512.hex().length());
    assertEquals(s512, Digest.parse(s512.toString()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sha256", "sha256:", "sha256:abc", "md5:d41d8cd98f00b204e9800998ecf8427e",
      "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
      "sha256:../../etc/passwd000000000000000000000000000000000000000000000000",
      ":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})
  void rejectsMalformed(String text) {
    var e = assertThrows(InvalidArgumentException.class, () -> Digest.parse(text));
    assertTrue(e.getMessage().contains("digest") || e.getMessage().contains("algorithm"), e.getMessage());
  }

  @Test
  void jsonIsTheWireForm() {
    Digest d = Digest.sha256(new byte[] {1});
    assertEquals("\"" + d + "\"", Json.writeString(d));
    assertEquals(d, Json.read(Json.write(d), Digest.class, "digest", 100));
  }
}
