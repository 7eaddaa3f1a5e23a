package dev.berth.testing.tar;

/**
 * Archives that try to write outside the directory they are extracted into, after containerd's
 * pkg/archive TestBreakouts. A safe extractor refuses each of them, or (for absolute symlinks)
 * keeps what it writes inside the root. The names used outside the root are unlikely to exist, so
 * a test can check the host: see {@link #OUTSIDE}.
 */
public final class HostileTars {
  /** File name every archive here tries to create outside the root. */
  public static final String OUTSIDE = "berth-hostile-breakout";

  private HostileTars() {}

  /** A file named "../berth-hostile-breakout": written beside the root, not in it. */
  public static byte[] dotDotEntry() {
    return new TarBuilder().file("../" + OUTSIDE, "escaped\n").build();
  }

  /** A file named "a/../../berth-hostile-breakout": ".." hidden in the middle of the name. */
  public static byte[] dotDotInMiddle() {
    return new TarBuilder().dir("a").file("a/../../" + OUTSIDE, "escaped\n").build();
  }

  /** A file with the absolute name "/tmp/berth-hostile-breakout". */
  public static byte[] absolutePath() {
    return new TarBuilder().file("/tmp/" + OUTSIDE, "escaped\n").build();
  }

  /** Symlink "dir/loophole" -> "../../../../../../.." then a file written through it. */
  public static byte[] symlinkEscapeThenWrite() {
    return new TarBuilder()
        .dir("dir")
        .symlink("dir/loophole", "../../../../../../..")
        .file("dir/loophole/tmp/" + OUTSIDE, "escaped\n")
        .build();
  }

  /** Symlink "loophole" -> "/tmp" then "loophole/berth-hostile-breakout": must land in ROOT/tmp. */
  public static byte[] symlinkAbsoluteThenWrite() {
    return new TarBuilder()
        .symlink("loophole", "/tmp")
        .file("loophole/" + OUTSIDE, "inside\n")
        .build();
  }

  /** Hard link "hostname" -> "../../../../../../../etc/hostname", a host file. */
  public static byte[] hardlinkOutside() {
    return new TarBuilder().hardlink("hostname", "../../../../../../../etc/hostname").build();
  }

  /** Hard link "hostname" -> "/etc/hostname": absolute link target. */
  public static byte[] hardlinkAbsolute() {
    return new TarBuilder().hardlink("hostname", "/etc/hostname").build();
  }

  /** Symlink "dir/up" climbing out of the root, then hard link "h" -> "dir/up/etc/hostname" through it. */
  public static byte[] hardlinkThroughSymlink() {
    return new TarBuilder()
        .dir("dir")
        .symlink("dir/up", "../../../../../../..")
        .hardlink("h", "dir/up/etc/hostname")
        .build();
  }

  /**
   * Symlinks each harmless alone: "dir/up" -> ".." (the root) and "dir/up2" -> "up/.." (which,
   * read lexically, is "dir"; followed, it is the root's parent), then a file through "dir/up2".
   */
  public static byte[] symlinkChain() {
    return new TarBuilder()
        .dir("dir")
        .symlink("dir/up", "..")
        .symlink("dir/up2", "up/..")
        .file("dir/up2/tmp/" + OUTSIDE, "escaped\n")
        .build();
  }

  /** Two symlinks pointing at each other, then a file written through them. */
  public static byte[] symlinkLoop() {
    return new TarBuilder()
        .symlink("a", "b")
        .symlink("b", "a")
        .file("a/" + OUTSIDE, "never\n")
        .build();
  }
}
