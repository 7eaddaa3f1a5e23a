package dev.berth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ReferenceTest {
  static final String HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @ParameterizedTest
  @CsvSource({
      "nginx, docker.io/library/nginx:latest, nginx:latest",
      "nginx:1.25, docker.io/library/nginx:1.25, nginx:1.25",
      "user/app, docker.io/user/app:latest, user/app:latest",
      "index.docker.io/library/busybox:1, docker.io/library/busybox:1, busybox:1",
      "docker.io/busybox, docker.io/library/busybox:latest, busybox:latest",
      "localhost/app, localhost/app:latest, localhost/app:latest",
      "localhost:5000/a/b:t, localhost:5000/a/b:t, localhost:5000/a/b:t",
      "127.0.0.1:5000/x, 127.0.0.1:5000/x:latest, 127.0.0.1:5000/x:latest",
      "quay.io/org/sub/app:v1.2-rc_3, quay.io/org/sub/app:v1.2-rc_3, quay.io/org/sub/app:v1.2-rc_3",
      "a__b/c--d, docker.io/a__b/c--d:latest, a__b/c--d:latest",
  })
  void normalisesAsDocker(String input, String full, String familiar) {
    Reference r = Reference.parse(input);
    assertEquals(full, r.toString());
    assertEquals(familiar, r.familiar());
  }

  @Test
  void digestReferencesKeepNoDefaultTag() {
    Reference r = Reference.parse("busybox@sha256:" + HEX);
    assertNull(r.tag());
    assertEquals("docker.io/library/busybox@sha256:" + HEX, r.toString());
    Reference both = Reference.parse("busybox:1@sha256:" + HEX);
    assertEquals("1", both.tag());
    assertEquals("sha256:" + HEX, both.digest().toString());
    assertEquals("busybox:1@sha256:" + HEX, both.familiar());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "UPPER", "a//b", "-a", "a-", "a:", "a:-tag", "a@sha256:abc", "a@md5:" + HEX,
      "a b", HEX, "localhost:port/x", "a/.b", "a..b"})
  void rejectsInvalid(String input) {
    var e = assertThrows(InvalidArgumentException.class, () -> Reference.parse(input));
    assertTrue(e.getMessage().length() > 10, e.getMessage());
  }

  @Test
  void uppercaseNameSaysLowercase() {
    var e = assertThrows(InvalidArgumentException.class, () -> Reference.parse("Busybox"));
    assertTrue(e.getMessage().contains("must be lowercase"), e.getMessage());
  }

  @Test
  void registryHostMayHaveUppercase() {
    assertEquals("Registry.Example:5000/app:latest", Reference.parse("Registry.Example:5000/app").toString());
  }

  @Test
  void tooLongNameIsRefused() {
    assertThrows(InvalidArgumentException.class, () -> Reference.parse("a/".repeat(130) + "b"));
  }
}
