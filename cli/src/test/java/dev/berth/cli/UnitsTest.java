package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void sizesAreDecimalWithThreeSignificantDigitsLikeDocker() {
    assertEquals("0B", Units.size(0));
    assertEquals("17B", Units.size(17));
    assertEquals("1kB", Units.size(1000));
    assertEquals("1.98MB", Units.size(1984172));
    assertEquals("4.19MB", Units.size(4194304));
    assertEquals("77.9MB", Units.size(77_890_000));
    assertEquals("1.2GB", Units.size(1_200_000_000L));
    // Go's %.3g rounds 999999 to 1e+03 before the unit loop could move it on: docker prints this.
    assertEquals("1e+03kB", Units.size(999_999));
  }

  @Test
  void prunePrintsFourDigitsAndInfoBinaryUnits() {
    assertEquals("1.984MB", Units.size(1984178.0, 4));
    assertEquals("0B", Units.size(0.0, 4));
    assertEquals("15.5GiB", Units.binarySize(16_642_998_272.0));
    assertEquals("512MiB", Units.binarySize(512.0 * 1024 * 1024));
  }

  @Test
  void goG() {
    assertEquals("0.000123", Units.goG(0.000123, 3));
    assertEquals("1.23e-05", Units.goG(0.0000123, 3));
    assertEquals("100", Units.goG(100, 3));
    assertEquals("1.5", Units.goG(1.5, 3));
  }

  @Test
  void durationsReadAsDockersDo() {
    assertEquals("Less than a second", Units.duration(Duration.ofMillis(999)));
    assertEquals("1 second", Units.duration(Duration.ofSeconds(1)));
    assertEquals("59 seconds", Units.duration(Duration.ofSeconds(59)));
    assertEquals("About a minute", Units.duration(Duration.ofSeconds(119)));
    assertEquals("2 minutes", Units.duration(Duration.ofMinutes(2)));
    assertEquals("About an hour", Units.duration(Duration.ofMinutes(89)));
    assertEquals("2 hours", Units.duration(Duration.ofMinutes(90)));
    assertEquals("47 hours", Units.duration(Duration.ofHours(47)));
    assertEquals("2 days", Units.duration(Duration.ofHours(48)));
    assertEquals("13 days", Units.duration(Duration.ofDays(13)));
    assertEquals("2 weeks", Units.duration(Duration.ofDays(14)));
    assertEquals("8 weeks", Units.duration(Duration.ofDays(59)));
    assertEquals("2 months", Units.duration(Duration.ofDays(60)));
    assertEquals("24 months", Units.duration(Duration.ofDays(729)));
    assertEquals("2 years", Units.duration(Duration.ofDays(730)));
  }

  @Test
  void sinceAndIds() {
    assertEquals("2 minutes ago", Units.since(1000, 1000_000 + 150_000));
    assertEquals("7464f11e0979", Units.shortId("sha256:7464f11e097928045d62110e8596a72e14681d7dedce8c68968e9bea2e7b3ebe"));
    assertEquals("<missing>", Units.shortId("<missing>"));
    assertEquals("/bin/sh -c #(nop) ADD file:1234567890abcdef1…",
        Units.ellipsis("/bin/sh -c #(nop) ADD file:1234567890abcdef1234567890 in /", 45));
  }
}
