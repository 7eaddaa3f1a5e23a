package dev.berth.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TarPathsTest {
  private static final TarEntry.Attributes A = TarEntry.Attributes.of(0644);

  @ParameterizedTest
  @CsvSource({
    "etc/passwd, etc/passwd",
    "./etc/passwd, etc/passwd",
    "etc//passwd, etc/passwd",
    "etc/, etc",
    "./, ''",
    "., ''",
    "a/./b/../c, a/c",
    "a/.., ''",
    "..., ...",
    "a/..b, a/..b",
  })
  void normalizes(String raw, String clean) {
    assertEquals(clean, TarPaths.normalize(raw));
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../etc/passwd", "a/../../b", "./../x", "a/b/../../../c"})
  void refusesDotDotEscapes(String raw) {
    var e = assertThrows(InvalidArgumentException.class, () -> TarPaths.normalize(raw));
    assertEquals("tar entry \"" + raw + "\" escapes the archive root", e.getMessage());
  }

  @Test
  void refusesAbsoluteEmptyAndNul() {
    assertEquals(
        "tar entry \"/etc/passwd\" is an absolute path",
        assertThrows(InvalidArgumentException.class, () -> TarPaths.normalize("/etc/passwd")).getMessage());
    assertThrows(InvalidArgumentException.class, () -> TarPaths.normalize(""));
    assertThrows(InvalidArgumentException.class, () -> TarPaths.normalize("a\0b"));
  }

  @Test
  void resolvesSymlinksWithTheRootAsSlash() throws IOException {
    Map<String, String> links =
        Map.of("bin", "usr/bin", "abs", "/etc", "up", "..", "lib", "usr/lib", "usr/lib/x", "../../../y");
    assertEquals("usr/bin/sh", TarPaths.resolve("e", "bin/sh", links::get, true));
    assertEquals("etc/passwd", TarPaths.resolve("e", "abs/passwd", links::get, true));
    assertEquals("abs", TarPaths.resolve("e", "abs", links::get, false));
    var e =
        assertThrows(
            InvalidArgumentException.class, () -> TarPaths.resolve("up/x", "up/x", links::get, true));
    assertEquals(
        "tar entry \"up/x\" escapes the archive root through symlink \"up\" -> \"..\"", e.getMessage());
    // Through a link into a directory holding a link that climbs too far.
    assertThrows(InvalidArgumentException.class, () -> TarPaths.resolve("e", "lib/x/z", links::get, true));
  }

  @Test
  void detectsLoops() {
    Map<String, String> links = Map.of("a", "b", "b", "a");
    var e = assertThrows(InvalidArgumentException.class, () -> TarPaths.resolve("a/f", "a/f", links::get, true));
    assertTrue(e.getMessage().contains("too many levels of symbolic links"), e.getMessage());
  }

  @Test
  void admitRemembersSymlinksOfTheArchive() {
    var paths = new TarPaths();
    paths.admit(new TarEntry.Directory("dir", A));
    paths.admit(new TarEntry.Symlink("dir/up", "..", A));
    paths.admit(new TarEntry.RegularFile("dir/up/ok", 0, A)); // lands in the root: fine
    paths.admit(new TarEntry.Symlink("dir/up2", "up/..", A));
    var e =
        assertThrows(
            InvalidArgumentException.class,
            () -> paths.admit(new TarEntry.RegularFile("dir/up2/evil", 0, A)));
    assertTrue(e.getMessage().startsWith("tar entry \"dir/up2/evil\" escapes the archive root"), e.getMessage());
  }

  @Test
  void admitForgetsASymlinkReplacedByADirectory() {
    var paths = new TarPaths();
    paths.admit(new TarEntry.Symlink("x", "../..", A));
    paths.admit(new TarEntry.Directory("x", A));
    paths.admit(new TarEntry.RegularFile("x/file", 0, A));
  }

  @Test
  void admitChecksHardlinkTargets() {
    var paths = new TarPaths();
    paths.admit(new TarEntry.RegularFile("a", 0, A));
    paths.admit(new TarEntry.Hardlink("b", "a", A));
    paths.admit(new TarEntry.Symlink("out", "../../..", A));
    var e =
        assertThrows(
            InvalidArgumentException.class, () -> paths.admit(new TarEntry.Hardlink("c", "../etc/passwd", A)));
    assertEquals(
        "tar entry \"c\": hard link target \"../etc/passwd\" escapes the archive root", e.getMessage());
    assertThrows(
        InvalidArgumentException.class, () -> paths.admit(new TarEntry.Hardlink("d", "/etc/passwd", A)));
    assertThrows(
        InvalidArgumentException.class, () -> paths.admit(new TarEntry.Hardlink("e", "out/etc/passwd", A)));
  }
}
